import ArgumentParser
import Dispatch
import Foundation
import Tensors

/// `workbench bench core`: the tensor core's speed against the raw machine.
///
/// - matmul through `Tensor.matmul` vs `cblas_sgemm` on raw buffers (GFLOP/s);
/// - per-op overhead of a 2×2 add, without and with autograd (µs per op);
/// - a large contiguous elementwise add vs a plain Swift loop over raw buffers.
///
/// Each figure is the median of `--reps` timed repetitions; the two sides of a
/// comparison alternate inside one run so that drift hits both equally.
/// Build with `swift build -c release` first.
struct BenchCore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "core", abstract: "Tensor core: matmul, per-op overhead, elementwise.")

    @Option(help: "Timed repetitions per figure (the median is reported).")
    var reps: Int = 15

    @Option(help: "Override the OpenBLAS thread count for this run.")
    var blasThreads: Int?

    @Option(name: .customLong("sizes"), help: "Matrix sizes for the matmul benchmark, comma-separated (like bench lenet's lists).")
    var sizeList = "64,256,1024"

    /// The `--sizes` values; nil entries are not whole numbers.
    var sizes: [Int?] { sizeList.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) } }

    @Option(help: "Element count for the elementwise benchmark.")
    var elements: Int = 1 << 24

    @Option(help: "Run only one part: matmul, overhead, elementwise or mixed.")
    var only: String?

    func validate() throws {
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1, got \(reps)") }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--sizes must be positive whole numbers separated by commas, got '\(sizeList)'")
        }
        guard elements > 0 else { throw ValidationError("--elements must be positive, got \(elements)") }
        if let t = blasThreads, t < 1 { throw ValidationError("--blas-threads must be at least 1, got \(t)") }
        if let only, !["matmul", "overhead", "elementwise", "mixed"].contains(only) {
            throw ValidationError("--only must be matmul, overhead, elementwise or mixed, got '\(only)'")
        }
    }

    func run() throws {
        if let t = blasThreads { BLAS.setThreads(t) }
        print("bench core: \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS threads \(BLAS.threads), Dispatch workers \(Parallel.workers), median of \(reps)")
        #if DEBUG
        print("warning: debug build; run `swift build -c release` and .build/release/workbench for real figures")
        #endif
        if only == nil || only == "matmul" { matmul() }
        if only == nil || only == "overhead" { overhead() }
        if only == nil || only == "elementwise" { elementwise() }
        if only == nil || only == "mixed" { mixed() }
    }

    // MARK: Timing

    /// Seconds for one call of `body`.
    @inline(never)
    func time(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }

    /// Reads one element so the optimiser cannot drop the work (and the
    /// tensor stays alive while it is read).
    @inline(never)
    func first(_ t: Tensor) -> Float { t.withUnsafeBufferPointer { $0[0] } }

    /// Runs `a` and `b` alternately `reps` times (after one warm-up each),
    /// returning their median and best (minimum) seconds.
    func compareTimes(_ a: () -> Void, _ b: () -> Void) -> (a: Double, b: Double, bestA: Double, bestB: Double) {
        a(); b()
        var ta: [Double] = [], tb: [Double] = []
        for _ in 0..<reps {
            ta.append(time(a))
            tb.append(time(b))
        }
        return (Bench.median(ta), Bench.median(tb), ta.min() ?? 0, tb.min() ?? 0)
    }

    /// Median seconds of `a` and `b`, run alternately.
    func compare(_ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
        let t = compareTimes(a, b)
        return (t.a, t.b)
    }

    // MARK: Benchmarks

    func matmul() {
        print("\nmatmul (square n×n, float32)        Tensor.matmul    raw cblas_sgemm    ratio   (best-of-\(reps) ratio)")
        let g = Generator(seed: 1)
        for case let n? in sizes {
            let a = Tensor.randn([n, n], generator: g), b = Tensor.randn([n, n], generator: g)
            // Raw buffers for the reference call.
            let ra = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            let rb = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            let rc = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer { ra.deallocate(); rb.deallocate(); rc.deallocate() }
            a.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(start: ra, count: n * n).update(fromContentsOf: $0) }
            b.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(start: rb, count: n * n).update(fromContentsOf: $0) }
            let flops = 2 * Double(n) * Double(n) * Double(n)
            // Repeat small products so one timed sample lasts a few milliseconds.
            let inner = Swift.max(1, Int(2e8 / flops))
            var sink: Float = 0
            let t = compareTimes({
                for _ in 0..<inner { sink += first(a.matmul(b)) }
            }, {
                for _ in 0..<inner {
                    BLAS.sgemm(transA: false, transB: false, m: n, n: n, k: n, a: ra, lda: n, b: rb, ldb: n, c: rc, ldc: n)
                    sink += rc[0]
                }
            })
            let gT = flops * Double(inner) / t.a / 1e9, gR = flops * Double(inner) / t.b / 1e9
            print(String(format: "  n = %-5d                       %8.1f GFLOP/s %8.1f GFLOP/s   %5.1f%%   (%5.1f%%)",
                         n, gT, gR, 100 * gT / gR, 100 * t.bestB / t.bestA))
            if sink.isNaN { print("") }
        }
    }

    func overhead() {
        print("\nper-op overhead (2×2 add, µs/op)")
        let iterations = 100_000
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        let ga = Tensor([[1, 2], [3, 4]]).requiringGrad(), gb = Tensor([[5, 6], [7, 8]]).requiringGrad()
        var sink: Float = 0
        let (plain, graph) = compare({
            for _ in 0..<iterations { sink += first(a + b) }
        }, {
            for _ in 0..<iterations { sink += first(ga + gb) }
        })
        print(String(format: "  without grad                    %8.3f µs", plain / Double(iterations) * 1e6))
        print(String(format: "  with autograd (records a node)  %8.3f µs", graph / Double(iterations) * 1e6))
        // Forward + backward of a tiny graph, for context.
        let small = 10_000
        let fb = Bench.median((0..<reps).map { _ in
            time {
                for _ in 0..<small {
                    ga.grad = nil
                    (ga * gb + ga).sum().backward()
                }
            }
        })
        print(String(format: "  tiny forward+backward (mul, add, sum, backward) %8.3f µs", fb / Double(small) * 1e6))
        if sink.isNaN { print("") }
    }

    func elementwise() {
        let n = elements
        print("\nelementwise add, \(n) floats (\((n * 4) >> 20) MiB per operand)")
        let g = Generator(seed: 2)
        let a = Tensor.rand([n], generator: g), b = Tensor.rand([n], generator: g)
        let ra = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let rb = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let rc = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { ra.deallocate(); rb.deallocate(); rc.deallocate() }
        a.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(start: ra, count: n).update(fromContentsOf: $0) }
        b.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(start: rb, count: n).update(fromContentsOf: $0) }
        rc.initialize(repeating: 0, count: n)
        var sink: Float = 0
        let (tTensor, tLoop) = compare({
            sink += first(a + b)
        }, {
            // A plain loop into a preallocated buffer (no allocation, one thread).
            for i in 0..<n { rc[i] = ra[i] + rb[i] }
            sink += rc[n - 1]
        })
        let gbs = { (t: Double) in Double(3 * 4 * n) / t / 1e9 }
        print(String(format: "  Tensor a + b (new output)       %8.2f ms  %6.1f GB/s", tTensor * 1e3, gbs(tTensor)))
        print(String(format: "  Swift loop over raw buffers     %8.2f ms  %6.1f GB/s", tLoop * 1e3, gbs(tLoop)))
        if sink.isNaN { print("") }
    }

    /// GEMMs interleaved with Dispatch-parallel elementwise work, as in a
    /// training step: the figure used to choose the OpenBLAS thread count.
    func mixed() {
        print("\nmixed: MLP step 784-1024-1024-10, batch 256 (forward + backward, ms)")
        let g = Generator(seed: 3)
        let x = Tensor.randn([256, 784], generator: g)
        let w1 = (Tensor.randn([1024, 784], generator: g) * 0.03).requiringGrad(), b1 = Tensor.zeros([1024]).requiringGrad()
        let w2 = (Tensor.randn([1024, 1024], generator: g) * 0.03).requiringGrad(), b2 = Tensor.zeros([1024]).requiringGrad()
        let w3 = (Tensor.randn([10, 1024], generator: g) * 0.03).requiringGrad()
        let params = [w1, b1, w2, b2, w3]
        func step() {
            for p in params { p.grad = nil }
            let h1 = x.linear(weight: w1, bias: b1).relu()
            let h2 = h1.linear(weight: w2, bias: b2).relu()
            h2.linear(weight: w3).pow(2).mean().backward()
        }
        step()
        let t = Bench.median((0..<reps).map { _ in time { step() } })
        print(String(format: "  step                            %8.2f ms  (OpenBLAS threads %d)", t * 1e3, BLAS.threads))
    }
}
