// Measures what compiling the Swift SIMD kernels for AVX2 or AVX-512 instead of
// baseline x86-64 would buy: the same memory-bound loops as Tensors' ReLU and
// 2×2 max-pool kernels, built three ways (see BENCHMARKS.md, "Per-ISA code"):
//
//   for cpu in x86-64 haswell skylake-avx512; do
//     swiftc -O -target-cpu $cpu scripts/isa_microbench.swift -o /tmp/isa-$cpu && /tmp/isa-$cpu $cpu
//   done
import Foundation

@inline(never)
func relu(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
    let sr = UnsafeRawPointer(s), dr = UnsafeMutableRawPointer(d)
    var i = 0
    while i + 8 <= n {
        let v = sr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        dr.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i &* 4, as: SIMD8<Float>.self)
        i &+= 8
    }
}

@inline(never)
func maxPool2(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ ix: UnsafeMutablePointer<Int32>,
              planes: Int, h: Int, w: Int) {
    let oh = h / 2, ow = w / 2
    for p in 0..<planes {
        for oy in 0..<oh {
            let r0 = s + p * h * w + 2 * oy * w, r1 = r0 + w
            var ox = 0
            while ox + 8 <= ow {
                let top = UnsafeRawPointer(r0 + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                let bot = UnsafeRawPointer(r1 + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                let lane = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ Int32(2 * ox)
                var best = top.evenHalf, bi = lane
                @inline(__always) func consider(_ v: SIMD8<Float>, _ off: Int32) {
                    let t = (v .> best) .| (v .!= v)
                    best.replace(with: v, where: t)
                    bi.replace(with: lane &+ off, where: t)
                }
                consider(top.oddHalf, 1)
                consider(bot.evenHalf, Int32(w))
                consider(bot.oddHalf, Int32(w + 1))
                let o = p * oh * ow + oy * ow + ox
                UnsafeMutableRawPointer(d + o).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(ix + o).storeBytes(of: bi, as: SIMD8<Int32>.self)
                ox += 8
            }
        }
    }
}

func time(_ name: String, _ bytes: Int, _ body: () -> Void) {
    for _ in 0..<3 { body() }
    var best = Double.infinity
    for _ in 0..<7 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<20 { body() }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 20e3)
    }
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0), String(format: "%8.1f µs  %6.1f GB/s", best, Double(bytes) / best / 1e3))
}

let label = CommandLine.arguments.dropFirst().first ?? "?"
print("target-cpu \(label)")
// LeNet5 conv1 output at batch 128 (in cache: batch 16).
for (n, what) in [(16, "b16"), (128, "b128")] {
    let planes = n * 6, h = 28, w = 28, count = planes * h * w
    let a = UnsafeMutablePointer<Float>.allocate(capacity: count), b = UnsafeMutablePointer<Float>.allocate(capacity: count)
    for i in 0..<count { a[i] = Float((i &* 7919) % 1000) / 500 - 1 }
    let ix = UnsafeMutablePointer<Int32>.allocate(capacity: count / 4)
    time("relu 6x28x28 \(what)", 8 * count) { relu(a, b, count) }
    time("maxpool2 6x28x28 \(what)", 4 * count + 2 * count) { maxPool2(a, b, ix, planes: planes, h: h, w: w) }
}
