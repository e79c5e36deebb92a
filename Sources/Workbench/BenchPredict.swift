import ArgumentParser
import Foundation
import Tensors

/// `workbench bench predict`: `predict` on a folder of PNG files (1,000 by default) —
/// images/s through the same path as `workbench predict` (list, read, decode, test
/// transform, batched forward, top-k), the share of it spent reading + decoding the files,
/// and the same job done by PyTorch (PIL + torchvision transforms + the torch model,
/// `scripts/predict_torch_baseline.py`) on the same files in the same run.
struct BenchPredict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "predict on N PNG files: images/s, share decoding; PyTorch baseline on the same files.")

    @Option(help: "PNG files to write and predict on.") var count: Int = 1000
    @Option(help: ArgumentHelp("CIFAR-10 (archive or folder) whose test images become the PNGs; default: Shapes10.", valueName: "path"))
    var data: String?
    @Option(name: .customLong("batch-size"), help: "Inputs per forward pass (predict's default).") var batchSize: Int = 64
    @Option(help: "Timed rounds (the median is reported).") var rounds: Int = 3
    @Flag(name: .customLong("no-torch"), help: "Skip the PyTorch baseline.") var noTorch = false
    @Option(help: "Python with torch, torchvision, safetensors and pillow for the baseline.") var python: String = "/tmp/torchenv/bin/python"

    func run() throws {
        #if DEBUG
        print("warning: debug build; run `swift build -c release` and .build/release/workbench bench predict for real figures")
        #endif
        guard count >= 1, batchSize >= 1, rounds >= 1 else { throw UserError("--count, --batch-size and --rounds must be positive") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-predict-\(getpid())")
        let images = dir.appendingPathComponent("png")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("lenet5.safetensors")
        try ModelFile.save(try ModelZoo.make("lenet5", generator: Generator(seed: 0)),
                           metadata: ModelMetadata(architecture: .init(name: "lenet5", inputShape: [3, 32, 32], outputs: 10),
                                                   classes: CIFAR10.classNames, transform: .cifar10), to: weights)
        let source: any ImageClassificationDataset
        if let data {
            do { source = try CIFAR10(root: data, train: false) } catch { throw UserError("\(error)") }
        } else {
            source = Shapes10(train: false, count: count)
        }
        var bytes = 0
        for i in 0..<count {
            let png = try source.image(at: i % source.count).pngData()
            bytes += png.count
            try png.write(to: images.appendingPathComponent(String(format: "img%05d.png", i)))
        }
        let predictor: Predictor
        do { predictor = try Predictor(weights: weights) } catch { throw UserError("\(error)") }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let command = "workbench bench predict --count \(count)\(data.map { " --data \($0)" } ?? "") --batch-size \(batchSize) --rounds \(rounds)"
            + (noTorch ? " --no-torch" : "")
        print("command: \(command) (\(build) build, \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("bench predict: lenet5 (untrained, seed 0) on \(count) PNG files (32×32 RGB, \(bytes / count) bytes each, from \(data == nil ? "Shapes10" : "CIFAR-10 test")), batch \(batchSize), median of \(rounds)")
        print("compares: workbench's predict path (list the folder, read, libpng decode, test transform, batched forward, top-3)"
              + (noTorch ? "" : " with PyTorch's (PIL open + convert(\"RGB\"), torchvision ToTensor + Normalize, torch LeNet-5 on the same weights, 1 thread)")
              + "; the decoding share is timed in a separate pass over the same files")

        var total: [Double] = [], decode: [Double] = [], readOnly: [Double] = []
        for _ in 0..<rounds {
            // The `predict` path, end to end (without printing).
            let t0 = DispatchTime.now()
            let urls = PredictionInputs.expand([images.path])
            let (samples, errors) = PredictionInputs.read(urls, for: predictor)
            guard errors.isEmpty, samples.count == count else { throw UserError("bench predict: \(errors.first?.message ?? "missing samples")") }
            var start = 0, ranked = 0
            while start < samples.count {
                let chunk = samples[start..<Swift.min(start + batchSize, samples.count)]
                ranked += try predictor.predict(Tensor.stack(chunk.map(\.tensor)), topK: 3).count
                start += batchSize
            }
            total.append(Bench.seconds(since: t0))
            // Reading the files alone, then reading + decoding.
            let t1 = DispatchTime.now()
            let blobs = try urls.map { try Data(contentsOf: $0) }
            readOnly.append(Bench.seconds(since: t1))
            let t2 = DispatchTime.now()
            for (u, b) in zip(urls, try urls.map { try Data(contentsOf: $0) }) {
                _ = try ImageDecoders.decode(b, extension: "png", name: u.path)
            }
            decode.append(Bench.seconds(since: t2))
            _ = blobs
        }
        let t = Bench.median(total), d = Bench.median(decode), r = Bench.median(readOnly)
        print(String(format: "workbench predict: %.3f s, %.0f images/s; reading files %.1f%%, reading + PNG decoding %.1f%% of the time",
                     t, Double(count) / t, r / t * 100, d / t * 100))
        if noTorch { return }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("(no PyTorch baseline: \(python) not found; pass --python)")
            return
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/predict_torch_baseline.py").path
        let out = try Bench.runProcess(python, [script, weights.path, images.path, String(batchSize), String(rounds)], environment: [:])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        print(out)
        if let torchRate = Self.imagesPerSecond(in: out), torchRate > 0 {
            print(String(format: "workbench / pytorch: %.2f× the images/s", Double(count) / t / torchRate))
        }
    }

    /// The `N images/s` figure of the baseline's line, or nil.
    static func imagesPerSecond(in line: String) -> Double? {
        guard let r = line.range(of: #"[0-9.]+ images/s"#, options: .regularExpression) else { return nil }
        return Double(line[r].split(separator: " ")[0])
    }
}
