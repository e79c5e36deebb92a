import ArgumentParser
import Foundation
import Tensors

/// `workbench export`: a weights file as ONNX (for onnxruntime and other runtimes).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export saved weights as ONNX (opset 17, dynamic batch dimension).",
        discussion: """
        The architecture comes from the weights file's metadata (written by `workbench train --save`); \
        --model names it for files without metadata. Initialisers are named by the state-dict keys.
        Example: workbench export --format onnx --weights lenet5.safetensors lenet5.onnx
        """
    )

    @Option(help: "Output format: onnx.") var format: String = "onnx"
    @Option(help: "Zoo model (default: the one recorded in the weights file).") var model: String?
    @Option(help: ArgumentHelp("Weights file (safetensors).", valueName: "file")) var weights: String
    @Argument(help: ArgumentHelp("The file to write.", valueName: "out.onnx")) var output: String

    func run() throws {
        guard format.lowercased() == "onnx" else { throw UserError("--format \(format): expected onnx") }
        do {
            let (net, meta) = try ModelFile.loadModel(from: URL(fileURLWithPath: weights), modelName: model)
            let bytes = try ONNXExporter.export(net, inputShape: meta.architecture.inputShape, name: meta.architecture.name,
                                                docString: "workbench \(meta.architecture.name) from \(weights)",
                                                metadata: [ModelFile.metadataKey: try meta.json()])
            try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: output))
            print("Wrote \(output) (\(meta.architecture.name), input [batch, \(meta.architecture.inputShape.map(String.init).joined(separator: ", "))], opset \(ONNXGraph.opset), \(bytes.count) bytes)")
        } catch let e as UserError {
            throw e
        } catch {
            throw UserError("\(error)")
        }
    }
}
