import ArgumentParser
import Foundation
import Tensors

/// `workbench bench data`: loading CIFAR-10 from the archive, one epoch of
/// the reference augmentation pipeline, peak memory; torchvision's pipeline
/// measured in the same run for comparison.
struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Data pipeline: CIFAR-10 load, reference-pipeline epoch (numWorkers 0 and 2), peak RSS, vs torchvision.")

    @Option(name: .long, help: ArgumentHelp("CIFAR-10 archive or folder.", valueName: "path"))
    var data: String = "../shared/data/cifar-10-binary.tar.gz"

    @Option(name: .long, help: "Timed passes per measurement (the median is reported).")
    var repeats: Int = 3

    @Option(name: .long, help: ArgumentHelp("Python with torch and torchvision for the comparison.", valueName: "path"))
    var python: String = "/tmp/torchenv/bin/python"

    @Option(name: .long, help: ArgumentHelp("The reference script torch_lenet5.py.", valueName: "path"))
    var torchScript: String?

    @Flag(name: .long, help: "Skip the torchvision comparison.")
    var noTorch = false

    static let mean: [Float] = [0.4914, 0.4822, 0.4465]
    static let std: [Float] = [0.2023, 0.1994, 0.2010]

    func run() throws {
        guard repeats >= 1 else { throw UserError("--repeats must be at least 1") }
        #if DEBUG
        print("warning: this is a debug build; build with -c release for meaningful figures")
        #endif
        print("workbench bench data — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("data: \(data)")

        // 1. Loading the 50,000 training images.
        let rssBefore = Bench.rss().current
        let t0 = DispatchTime.now()
        let train: CIFAR10
        do {
            train = try CIFAR10(root: data, train: true)
        } catch let e as DataError {
            throw UserError(e.message)
        }
        let loadSeconds = Bench.seconds(since: t0)
        print(String(format: "load train (50k images from %@): %.3f s  (%d images, %.1f MB of pixels)",
                     (data as NSString).lastPathComponent, loadSeconds, train.count, Double(train.data.count) / 1e6))
        let counts = train.classCounts
        print("per-class counts: \(counts)")

        // 2. One epoch of the reference pipeline.
        let transform = Compose(RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor(),
                                Normalize(mean: BenchData.mean, std: BenchData.std))
        let ds = train.withTransform(transform)
        var epochMedians: [Int: Double] = [:]
        for workers in [0, 2] {
            let loader = try DataLoader(ds, batchSize: 16, shuffle: true, numWorkers: workers, generator: Generator(seed: 1))
            var times: [Double] = []
            var checksum: Double = 0
            for _ in 0..<repeats {
                let s = DispatchTime.now()
                var n = 0
                try loader.forEachBatch { images, labels in
                    n += labels.count
                    checksum += Double(images.withUnsafeBufferPointer { $0[0] })
                }
                times.append(Bench.seconds(since: s))
                precondition(n == train.count)
            }
            let med = Bench.median(times)
            epochMedians[workers] = med
            print(String(format: "epoch, reference pipeline, batch 16, shuffled, numWorkers %d: median %.3f s (%.2f µs/img; passes %@)%@",
                         workers, med, med / Double(train.count) * 1e6,
                         times.map { String(format: "%.3f", $0) }.joined(separator: ", "),
                         loader.isFused ? " [fused path]" : ""))
            _ = checksum
        }
        // The general (per-sample) path, for reference: ConcatDataset hides the fused path.
        do {
            let general = ConcatDataset([ds])
            let loader = try DataLoader(general, batchSize: 16, shuffle: true, numWorkers: 2, generator: Generator(seed: 1))
            let s = DispatchTime.now()
            try loader.forEachBatch { _, _ in }
            let t = Bench.seconds(since: s)
            print(String(format: "epoch, per-sample general path (no fusion), numWorkers 2: %.3f s (%.2f µs/img)", t, t / Double(train.count) * 1e6))
        }
        let rss = Bench.rss()
        print(String(format: "peak RSS (VmHWM) with the train set loaded: %.1f MB (RSS before loading %.1f MB)", rss.peak, rssBefore))

        // 3. Load timing repeats (after the RSS reading: two copies may overlap briefly).
        var loads = [loadSeconds]
        for _ in 1..<repeats {
            let s = DispatchTime.now()
            _ = try CIFAR10(root: data, train: true)
            loads.append(Bench.seconds(since: s))
        }
        print(String(format: "load train: median %.3f s (passes %@)", Bench.median(loads),
                     loads.map { String(format: "%.3f", $0) }.joined(separator: ", ")))

        // For reference: zlib alone, inflating the whole archive (train + test) into a scratch buffer.
        if data.hasSuffix(".gz") {
            let s = DispatchTime.now()
            let gz = try GzipSource(FileSource(path: data), name: data)
            var scratch = [UInt8](repeating: 0, count: 1 << 20)
            var total = 0
            while true {
                let n = try scratch.withUnsafeMutableBytes { try gz.read(into: $0) }
                if n == 0 { break }
                total += n
            }
            let t = Bench.seconds(since: s)
            print(String(format: "zlib inflate of the whole archive (%.1f MB out): %.3f s (%.0f MB/s)", Double(total) / 1e6, t, Double(total) / 1e6 / t))
        }

        // 4. Shapes10 generation.
        let g0 = DispatchTime.now()
        let shapes = Shapes10(train: true)
        let shapesTest = Shapes10(train: false)
        print(String(format: "Shapes10 generation (%d + %d images): %.3f s", shapes.count, shapesTest.count, Bench.seconds(since: g0)))

        // 5. torchvision in the same run.
        guard !noTorch else { return }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("torchvision comparison skipped: \(python) not found (set up torch: python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch torchvision)")
            return
        }
        let script = torchScript ?? ["../shared/bench/torch_lenet5.py", "/work/shared/bench/torch_lenet5.py"]
            .first { FileManager.default.fileExists(atPath: $0) } ?? "../shared/bench/torch_lenet5.py"
        for workers in [0, 2] {
            let args = [script, "--pipeline", "v2", "--data-only", "--workers", "\(workers)"]
            print("running: \(python) \(args.joined(separator: " "))")
            let output = try Bench.runProcess(python, args, environment: ["CIFAR_TAR": (data as NSString).standardizingPath])
            let perImage = BenchData.parseTorchPasses(output)
            guard !perImage.isEmpty else {
                print("could not parse the torch output:\n\(output)")
                continue
            }
            let med = Bench.median(perImage)
            let ours = (epochMedians[workers] ?? 0) / Double(train.count) * 1e6
            print(String(format: "torchvision v2 DataLoader, workers %d: median %.1f µs/img (passes %@) → %.2f s per 50k epoch; ours %.2f µs/img: %.1f× faster",
                         workers, med, perImage.map { String(format: "%.1f", $0) }.joined(separator: ", "),
                         med * Double(train.count) / 1e6, ours, med / ours))
        }
    }

    /// µs/img of each "data-only pass" line of torch_lenet5.py.
    static func parseTorchPasses(_ output: String) -> [Double] {
        output.split(separator: "\n").compactMap { line -> Double? in
            guard line.contains("data-only pass"), let open = line.lastIndex(of: "("),
                  let us = line[line.index(after: open)...].split(separator: " ").first else { return nil }
            return Double(us)
        }
    }
}
