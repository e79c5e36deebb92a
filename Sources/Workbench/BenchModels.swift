import ArgumentParser
import Foundation
import Tensors

/// `workbench bench lenet`: LeNet5 training and inference throughput on random
/// tensors (the counterpart of `shared/bench/bench_compute.py --model lenet5`).
///
/// A training step is: zero grads, forward, cross-entropy, backward, and a
/// plain SGD update `p -= lr·grad` written inline. Prints the median of the
/// repeats in images per second.
struct BenchModels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lenet", abstract: "LeNet5 train/inference images per second (release build).")

    @Option(help: "Training steps per measurement.")
    var steps = 200

    @Option(help: "Measurements (the median is reported).")
    var repeats = 5

    @Option(help: "Warm-up steps before measuring.")
    var warmup = 10

    @Option(help: "OpenBLAS threads (default: the library's policy, one per core).")
    var threads: Int?

    @Option(help: "Model from the zoo.")
    var model = "lenet5"

    @Option(help: "Training batch sizes, comma-separated (empty for none).")
    var train = "16,128"

    @Option(help: "Inference batch sizes, comma-separated (empty for none).")
    var infer = "128"

    var trainBatches: [Int] { train.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    var inferBatches: [Int] { infer.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    @Flag(help: "Instead, time LeNet5's layers one by one (forward and backward, batch 16).")
    var breakdown = false

    @Flag(help: "Keep glibc's default malloc thresholds (by default the bench calls MemoryTuning.retainFreedMemory()).")
    var defaultMalloc = false

    func run() throws {
        if let threads { BLAS.setThreads(threads) }
        if !defaultMalloc { MemoryTuning.retainFreedMemory() }
        guard let entry = ModelZoo.entry(named: model) else { throw UserError(ModelZooError(name: model).description) }
        let net = entry.make(generator: Generator(seed: 0))
        let params = net.parameters()
        print("\(model): \(groupedThousands(net.parameterCount)) parameters; \(ThreadPolicy.summary)")
        if breakdown {
            runBreakdown(batch: 16)
            return
        }
        let g = Generator(seed: 1)
        for batch in trainBatches {
            let x = Tensor.randn([batch] + entry.inputShape, generator: g)
            let y = IntTensor.randint(0, entry.numClasses, [batch], generator: g)
            net.train()
            func step() {
                net.zeroGrad()
                let loss = crossEntropy(net(x), y)
                loss.backward()
                noGrad {
                    for p in params {
                        guard let grad = p.grad else { continue }
                        p.withUnsafeMutableBufferPointer { pb in
                            grad.withUnsafeBufferPointer { gb in
                                for i in 0..<pb.count { pb[i] -= 0.001 * gb[i] }
                            }
                        }
                    }
                }
            }
            let (rate, cpu) = measure(batch: batch, step)
            print(String(format: "train  batch %4d: %9.0f img/s  (%.3f ms/step, %.3f ms CPU/step)", batch, rate,
                         1000 * Double(batch) / rate, cpu * 1000))
        }
        for batch in inferBatches {
            let x = Tensor.randn([batch] + entry.inputShape, generator: g)
            net.eval()
            let (rate, cpu) = measure(batch: batch) { noGrad { _ = net(x) } }
            print(String(format: "infer  batch %4d: %9.0f img/s  (%.3f ms/batch, %.3f ms CPU/batch)", batch, rate,
                         1000 * Double(batch) / rate, cpu * 1000))
        }
    }

    /// Times each LeNet5 op forward and backward in isolation (median µs over repeats).
    func runBreakdown(batch: Int) {
        let g = Generator(seed: 2)
        let m = LeNet5(generator: g)
        let x = Tensor.randn([batch, 3, 32, 32], generator: g)
        let y = IntTensor.randint(0, 10, [batch], generator: g)
        func time(_ name: String, _ body: () -> Void) {
            for _ in 0..<5 { body() }
            var ts: [Double] = []
            for _ in 0..<max(repeats, 3) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<steps { body() }
                ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(steps))
            }
            print("  " + name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%8.1f µs", Bench.median(ts)))
        }
        let c1 = noGrad { m.conv1(x).relu() }
        let p1 = maxPool2d(c1, 2)
        let p2 = noGrad { maxPool2d(relu(m.conv2(p1)), 2).flatten(startDim: 1) }
        print("LeNet5 ops at batch \(batch):")
        // A convolution's output is computed when first read (Tensors' deferred fills): read it.
        time("conv1 forward") { noGrad { m.conv1(x).withUnsafeBufferPointer { _ in } } }
        time("conv1+relu+pool fused fwd") { noGrad { _ = maxPool2d(relu(m.conv1(x)), 2) } }
        time("relu 16x6x28x28") { noGrad { _ = relu(c1) } }
        time("maxpool 16x6x28x28") { noGrad { _ = maxPool2d(c1, 2) } }
        time("conv2 forward") { noGrad { m.conv2(p1).withUnsafeBufferPointer { _ in } } }
        time("conv2+relu+pool fused fwd") { noGrad { _ = maxPool2d(relu(m.conv2(p1)), 2) } }
        time("fc1+fc2+fc3 forward") { noGrad { _ = m.fc3(relu(m.fc2(relu(m.fc1(p2))))) } }
        time("cross-entropy forward") { noGrad { _ = crossEntropy(m.fc3(relu(m.fc2(relu(m.fc1(p2))))), y) } }
        time("conv1 fused fwd+bwd (dW)") {
            let out = maxPool2d(relu(m.conv1(x)), 2)
            out.backward(Tensor.ones(out.shape))
        }
        let p1g = p1.detach().requiringGrad()
        time("conv2 fused fwd+bwd (dx,dW)") {
            let out = maxPool2d(relu(m.conv2(p1g)), 2)
            out.backward(Tensor.ones(out.shape))
        }
        let p2g = p2.detach().requiringGrad()
        time("fc layers fwd+bwd") {
            let out = m.fc3(relu(m.fc2(relu(m.fc1(p2g)))))
            out.backward(Tensor.ones(out.shape))
        }
        let c1g = c1.detach().requiringGrad()
        time("maxpool fwd+bwd") {
            let out = maxPool2d(c1g, 2)
            out.backward(Tensor.ones(out.shape))
        }
        time("relu fwd+bwd") {
            let out = relu(c1g)
            out.backward(Tensor.ones(out.shape))
        }
        time("zeroGrad()") { m.zeroGrad() }
        time("parameters()") { _ = m.parameters() }
        time("whole step") {
            m.zeroGrad()
            crossEntropy(m(x), y).backward()
        }
    }

    /// Median images per second over `repeats` runs of `steps` steps, and the
    /// median process CPU seconds per step (user + system, all threads): on a
    /// busy machine the CPU time is the steadier figure.
    func measure(batch: Int, _ step: () -> Void) -> (Double, Double) {
        for _ in 0..<warmup { step() }
        var rates: [Double] = [], cpus: [Double] = []
        for _ in 0..<repeats {
            let cpu0 = Bench.cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { step() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(steps * batch) / seconds)
            cpus.append((Bench.cpuSeconds() - cpu0) / Double(steps))
        }
        return (Bench.median(rates), Bench.median(cpus))
    }
}
