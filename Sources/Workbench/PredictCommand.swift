import ArgumentParser
import Foundation
import Tensors

/// `workbench predict`: run saved weights on files (CSV rows, tensors, images).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with saved weights: top-k classes (or regression values) for each input.",
        discussion: """
        Inputs: CSV files (one prediction per row; the columns the model was trained on are picked by name), \
        safetensors files of input tensors, CIFAR-10 binary batches (.bin), PNG/JPEG images (libpng, libjpeg-turbo; \
        resized and centre-cropped to the model input); folders and globs are expanded. A file that cannot be used is reported on stderr by name and the \
        rest still run (exit status 1 when any failed).
        Example: workbench predict --weights iris.safetensors iris.csv --top-k 2
        From a hub: workbench predict --hub myhub --weights iris iris.csv
        """
    )

    @Option(help: ArgumentHelp("Weights file (safetensors, from `workbench train --save`), or with --hub the hub entry's name.",
                               valueName: "file"))
    var weights: String
    @Option(help: ArgumentHelp("A hub (folder, file:// or http(s):// URL, owner/repo[:ref], git URL): --weights names its entry, loaded into the cache with its SHA-256 checked.",
                               valueName: "source"))
    var hub: String?
    @Option(help: "Zoo model (default: the one recorded in the weights file).") var model: String?
    @Option(name: .customLong("top-k"), help: "Classes shown per input.") var topK: Int = 3
    @Flag(help: "One JSON document on stdout (inputs, predictions, errors).") var json = false
    @Option(name: .customLong("batch-size"), help: "Inputs per forward pass.") var batchSize: Int = 64
    @Argument(help: ArgumentHelp("Input files or folders.", valueName: "files")) var files: [String]
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard !files.isEmpty else { throw ValidationError("give at least one input file") }
    }

    func run() throws {
        let predictor: Predictor
        do {
            let file = try hub.map { try Hub.load(try HubSource($0), entry: weights).weights } ?? URL(fileURLWithPath: weights)
            predictor = try Predictor(weights: file, modelName: model)
        } catch {
            throw UserError(hub.map { "hub \($0), entry \(weights): \(error)" } ?? "\(error)")
        }
        let (samples, errors) = PredictionInputs.read(PredictionInputs.expand(files), for: predictor)
        var results: [(String, [Prediction])] = []
        var start = 0
        let bar = progress.printer(label: "predict", total: (samples.count + batchSize - 1) / batchSize, unit: "inputs")
        defer { bar.finish() }
        while start < samples.count {
            let chunk = samples[start..<Swift.min(start + batchSize, samples.count)]
            let batch = Tensor.stack(chunk.map(\.tensor))
            let ranked = try predictor.predict(batch, topK: topK)
            results += zip(chunk.map(\.name), ranked).map { ($0, $1) }
            start += batchSize
            bar.update(done: (start + batchSize - 1) / batchSize, items: Swift.min(start, samples.count))
        }
        bar.finish()
        if json {
            var doc: [[String: Any]] = results.map { name, preds in
                ["input": name, "predictions": preds.map { ["index": $0.index, "label": $0.label, "score": $0.score] }]
            }
            doc += errors.map { ["error": $0.message] }
            let data = try JSONSerialization.data(withJSONObject: ["model": predictor.metadata.architecture.name,
                                                                   "results": doc], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (name, preds) in results {
                print("\(name): " + preds.map { "\($0.label) \(String(format: "%.4f", $0.score))" }.joined(separator: ", "))
            }
        }
        for e in errors { FileHandle.standardError.write(Data("error: \(e.message)\n".utf8)) }
        if !errors.isEmpty { throw ExitCode(1) }
    }
}
