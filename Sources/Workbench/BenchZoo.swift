import ArgumentParser
import Dispatch
import Foundation
import Tensors

/// `workbench bench models`: training and inference throughput of zoo models
/// on random tensors, optionally side by side with PyTorch in the same run.
///
/// A training step is zero grads, forward, cross-entropy, backward and
/// `SGD(lr 0.001, momentum 0.9).step()`, the step of
/// `shared/bench/bench_compute.py`. With `--torch PY` a PyTorch child process
/// (`scripts/bench_models_torch.py`) runs the same models with the same
/// thread count; each measurement alternates workbench and PyTorch rounds
/// so drift in the machine's load hits both sides alike, and the medians and
/// best-of are printed with their ratio. GFLOP/s counts 2 FLOPs per
/// multiply-add of the convolutions and linear layers (training: 3× the
/// forward count); "% of peak" is against OpenBLAS's own large-sgemm rate on
/// all cores, measured at start.
///
/// ```sh
/// workbench bench models --torch /tmp/torchenv/bin/python
/// workbench bench models --models resnet18 --train 16 --infer 128 --rounds 5
/// workbench bench models --memory --torch /tmp/torchenv/bin/python   # peak RSS, resnet18 train b64
/// ```
struct BenchZoo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Zoo models: train/inference img/s, GFLOP/s, % of peak, optionally against PyTorch (release build).")

    @Option(help: "Models, comma-separated.")
    var models = "lenet5,smallvgg,resnet18"

    @Option(help: "Training batch sizes, comma-separated (empty for none).")
    var train = "16,128"

    @Option(help: "Inference batch sizes, comma-separated (empty for none).")
    var infer = "128"

    @Option(help: "Alternating rounds per measurement (medians and best-of are reported).")
    var rounds = 3

    @Option(help: "Seconds per round and side (steps are calibrated to it).")
    var seconds = 1.5

    @Option(help: "OpenBLAS threads (default: the library's thread policy).")
    var threads: Int?

    @Option(help: "A python with torch + torchvision: run PyTorch's same models in the same run.")
    var torch: String?

    @Option(help: "Directory of shared/bench (PyTorch's model definitions).")
    var shared = "../shared/bench"

    @Flag(help: "Instead, report peak RSS of resnet18 training at batch 64 (each side in a fresh process).")
    var memory = false

    @Option(help: .hidden)
    var memoryChild: String?

    @Option(help: "Training steps of the memory measurement.")
    var memorySteps = 20

    func list(_ s: String) -> [Int] { s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        if let threads { BLAS.setThreads(threads) }
        MemoryTuning.retainFreedMemory()
        if let name = memoryChild {
            let (_, peak) = try trainSteps(name: name, batch: 64, steps: memorySteps)
            print(String(format: "%.1f", peak))
            return
        }
        let blasThreads = BLAS.threads
        print("# \(Date()) load \(loadAverage())")
        print("# \(ThreadPolicy.summary)")
        if memory {
            try runMemory()
            return
        }
        let peak = measurePeak()
        print(String(format: "# peak: OpenBLAS sgemm 1536³ on %d cores = %.1f GFLOP/s (best of 5)", Parallel.workers, peak))
        let torchProcess = try torch.map { try TorchChild(python: $0, threads: Swift.max(Parallel.workers, blasThreads), shared: shared) }
        if let t = torchProcess { print("# \(t.banner)") }
        defer { torchProcess?.close() }
        print("model     kind  batch   workbench img/s (best)    GFLOP/s  %peak" + (torchProcess != nil ? "    torch img/s (best)   ratio (best)" : ""))
        for name in models.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            guard let entry = ModelZoo.entry(named: name) else { throw UserError(ModelZooError(name: name).description) }
            let flops = forwardFLOPs(entry)
            var cases: [(String, Int)] = list(train).map { ("train", $0) }
            cases += list(infer).map { ("infer", $0) }
            for (kind, batch) in cases {
                let net = entry.make(generator: Generator(seed: 0))
                let step = try makeStep(net, entry: entry, kind: kind, batch: batch)
                // Calibrate: steps for about `seconds` per round.
                let t0 = DispatchTime.now()
                step(); step()
                let per = Bench.seconds(since: t0) / 2
                let steps = Swift.max(2, Int(seconds / Swift.max(per, 1e-6)))
                var ours: [Double] = [], theirs: [Double] = []
                for r in 0..<rounds {
                    let run = {
                        let t = DispatchTime.now()
                        for _ in 0..<steps { step() }
                        ours.append(Double(steps * batch) / Bench.seconds(since: t))
                    }
                    // Alternate which side goes first.
                    if r % 2 == 0 { run() }
                    if let torchProcess {
                        let tsteps = Swift.max(2, Int(Double(steps) * 1.0))
                        theirs.append(try torchProcess.measure(model: name, kind: kind, batch: batch, steps: tsteps,
                                                               warmup: r == 0 ? 3 : 1))
                    }
                    if r % 2 == 1 { run() }
                }
                let med = Bench.median(ours), best = ours.max() ?? 0
                let gflops = med * flops * (kind == "train" ? 3 : 1) / 1e9
                var line = String(format: "%-9@ %-5@ %5d   %9.1f (%9.1f)   %8.1f  %4.0f%%", name as NSString,
                                  kind as NSString, batch, med, best, gflops, 100 * gflops / peak)
                if !theirs.isEmpty {
                    let tm = Bench.median(theirs), tb = theirs.max() ?? 0
                    line += String(format: "   %9.1f (%9.1f)   %5.2f× (%5.2f×)", tm, tb, med / tm, best / tb)
                }
                print(line)
            }
        }
        print("# load at the end \(loadAverage())")
    }

    /// One training or inference step of `net` on a fixed random batch.
    func makeStep(_ net: any UnaryLayer, entry: ModelZoo.Entry, kind: String, batch: Int) throws -> () -> Void {
        let g = Generator(seed: 1)
        let x = Tensor.randn([batch] + entry.inputShape, generator: g)
        if kind == "infer" {
            net.eval()
            return { noGrad { _ = net(x).argmax(dim: 1) } }
        }
        let y = IntTensor.randint(0, entry.numClasses, [batch], generator: g)
        net.train()
        let opt = try SGD(net.parameters(), lr: 0.001, momentum: 0.9)
        return {
            opt.zeroGrad()
            let loss = crossEntropy(net(x), y)
            loss.backward()
            opt.step()
            _ = loss.item()
        }
    }

    /// Runs `steps` training steps of `name` at `batch`; returns (img/s, peak RSS in MB).
    func trainSteps(name: String, batch: Int, steps: Int) throws -> (Double, Double) {
        guard let entry = ModelZoo.entry(named: name) else { throw UserError(ModelZooError(name: name).description) }
        let net = entry.make(generator: Generator(seed: 0))
        let step = try makeStep(net, entry: entry, kind: "train", batch: batch)
        let t = DispatchTime.now()
        for _ in 0..<steps { step() }
        return (Double(steps * batch) / Bench.seconds(since: t), Bench.rss().peak)
    }

    /// Peak RSS of resnet18 training at batch 64, this binary and PyTorch, each in a fresh process.
    func runMemory() throws {
        let me = CommandLine.arguments[0]
        var args = ["bench", "models", "--memory-child", "resnet18", "--memory-steps", "\(memorySteps)"]
        if let threads { args += ["--threads", "\(threads)"] }
        let ours = try Bench.runProcess(me, args, environment: [:]).trimmingCharacters(in: .whitespacesAndNewlines)
        var line = "peak RSS, resnet18 training at batch 64 (\(memorySteps) steps): workbench \(ours) MB"
        if let torch {
            let t = try TorchChild(python: torch, threads: Parallel.workers, shared: shared)
            let theirs = try t.command("rss resnet18 64 \(memorySteps)")
            t.close()
            if let a = Double(ours), let b = Double(theirs) {
                line += String(format: ", PyTorch %.1f MB (workbench uses %.2f× PyTorch's)", b, a / b)
            }
        }
        print(line)
    }

    /// Forward FLOPs per image (2 per multiply-add of Conv2d and Linear layers).
    func forwardFLOPs(_ entry: ModelZoo.Entry) -> Double {
        let net = entry.makeMeta()
        guard let layers = try? net.validate(inputShapes: [[1] + entry.inputShape]) else { return 0 }
        let byPath = Dictionary(net.namedModules().map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        var macs = 0
        for l in layers {
            guard let out = l.outputShape, let m = byPath[l.path] else { continue }
            if let c = m as? Conv2d {
                macs += out.reduce(1, *) * (c.inChannels / c.groups) * c.kernelSize.h * c.kernelSize.w
            } else if let lin = m as? Linear {
                macs += out.reduce(1, *) * lin.inFeatures
            }
        }
        return Double(2 * macs)
    }

    /// Best of five 1536³ sgemm calls through `BLAS.sgemm` (the thread policy's split on all cores).
    func measurePeak() -> Double {
        let n = 1536
        let a = Tensor.randn([n, n], generator: Generator(seed: 3)), b = Tensor.randn([n, n], generator: Generator(seed: 4))
        var best = 0.0
        for _ in 0..<6 {
            let t = DispatchTime.now()
            _ = a.matmul(b)
            best = Swift.max(best, 2 * Double(n * n * n) / Bench.seconds(since: t) / 1e9)
        }
        return best
    }

    func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// The PyTorch side: `scripts/bench_models_torch.py` as a child answering one measurement per line.
final class TorchChild {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffer = Data()
    private(set) var banner = ""

    init(python: String, threads: Int, shared: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/bench_models_torch.py").path
        let path = FileManager.default.fileExists(atPath: script) ? script : "scripts/bench_models_torch.py"
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [path, "--threads", "\(threads)", "--shared", shared]
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = "\(threads)"
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        banner = try readLine()
    }

    func readLine() throws -> String {
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer = Data(buffer[(nl + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw UserError("the PyTorch child process ended (see its output above)") }
            buffer.append(chunk)
        }
    }

    func command(_ line: String) throws -> String {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        return try readLine()
    }

    /// Images per second of `steps` steps.
    func measure(model: String, kind: String, batch: Int, steps: Int, warmup: Int) throws -> Double {
        let reply = try command("\(model) \(kind) \(batch) \(steps) \(warmup)")
        guard let v = Double(reply) else { throw UserError("unexpected reply from PyTorch: \(reply)") }
        return v
    }

    func close() {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        process.waitUntilExit()
    }
}
