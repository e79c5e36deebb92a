import ArgumentParser
import Foundation
import Tensors

/// `workbench bench conv`: the convolution layers of ResNet-18 (CIFAR) and smallvgg
/// timed one by one — forward, backward-data and backward-weights — so they can be
/// set beside `scripts/dnnl_conv_bench.c` and PyTorch's `conv2d` (BENCHMARKS.md,
/// Session 9). The backward figures are (forward + backward) minus forward.
struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conv", abstract: "Conv layer shapes: forward / backward-data / backward-weights ms (release build).")

    @Option(help: "Batch sizes, comma-separated.")
    var batches = "16,128"

    @Option(help: "Timed repetitions per figure (the minimum is reported).")
    var repeats = 5

    @Option(help: "OpenBLAS threads (default: the library's policy, one per core).")
    var threads: Int?

    /// (name, input channels, output channels, kernel, stride, padding, input side).
    static let layers: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("3-64 3x3 32", 3, 64, 3, 1, 1, 32),
        ("64-64 3x3 32", 64, 64, 3, 1, 1, 32),
        ("64-128 3x3 s2 32", 64, 128, 3, 2, 1, 32),
        ("64-128 1x1 s2 32", 64, 128, 1, 2, 0, 32),
        ("64-128 3x3 16", 64, 128, 3, 1, 1, 16),
        ("128-128 3x3 16", 128, 128, 3, 1, 1, 16),
        ("128-256 3x3 s2 16", 128, 256, 3, 2, 1, 16),
        ("128-256 1x1 s2 16", 128, 256, 1, 2, 0, 16),
        ("128-256 3x3 8", 128, 256, 3, 1, 1, 8),
        ("256-256 3x3 8", 256, 256, 3, 1, 1, 8),
        ("256-512 3x3 s2 8", 256, 512, 3, 2, 1, 8),
        ("256-512 1x1 s2 8", 256, 512, 1, 2, 0, 8),
        ("512-512 3x3 4", 512, 512, 3, 1, 1, 4),
    ]

    func run() throws {
        if let threads { BLAS.setThreads(threads) }
        MemoryTuning.retainFreedMemory()
        print("conv layers; \(ThreadPolicy.summary)")
        let g = Generator(seed: 3)
        for batch in batches.split(separator: ",").compactMap({ Int($0) }) {
            for (name, c, m, k, s, p, side) in Self.layers {
                let x = Tensor.randn([batch, c, side, side], generator: g)
                let w = Tensor.randn([m, c, k, k], generator: g) * 0.05
                let xg = x.detach().requiringGrad(), wg = w.detach().requiringGrad()
                let oside = (side + 2 * p - k) / s + 1
                let gy = Tensor.randn([batch, m, oside, oside], generator: g)
                func best(_ body: () -> Void) -> Double {
                    body()
                    var ts: [Double] = []
                    for _ in 0..<max(repeats, 1) {
                        let t0 = DispatchTime.now()
                        body()
                        ts.append(Bench.seconds(since: t0) * 1000)
                    }
                    return ts.min() ?? 0
                }
                // A convolution's output is computed when first read: read it.
                let fwd = best { noGrad { conv2d(x, weight: w, stride: Size2(s), padding: .size(Size2(p))).withUnsafeBufferPointer { _ in } } }
                let bwdData = best { conv2d(xg, weight: w, stride: Size2(s), padding: .size(Size2(p))).backward(gy) } - fwd
                let bwdWeights = best { conv2d(x, weight: wg, stride: Size2(s), padding: .size(Size2(p))).backward(gy) } - fwd
                print(String(format: "b%-4d %-20@ fwd %8.3f  bwd_d %8.3f  bwd_w %8.3f  ms", batch, name as NSString,
                             fwd, bwdData, bwdWeights))
            }
        }
    }
}
