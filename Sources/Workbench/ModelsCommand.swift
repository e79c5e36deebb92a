import ArgumentParser
import Foundation
import Tensors

/// `workbench models`: the model zoo.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the model zoo, show one model's layers, or list the building blocks (catalogue).",
        subcommands: [ModelsList.self, ModelsShow.self, ModelsCatalogue.self],
        defaultSubcommand: ModelsList.self
    )
}

/// `workbench models [list]`: one line per model with its parameter count and input shape.
struct ModelsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the models with parameter counts and input shapes.")

    func run() throws {
        var rows: [[String]] = [["NAME", "PARAMS", "INPUT", "DESCRIPTION"]]
        for e in ModelZoo.entries {
            rows.append([e.name, groupedThousands(e.makeMeta().parameterCount),
                         e.inputShape.map(String.init).joined(separator: "x"), e.summary])
        }
        for e in SequenceModelZoo.entries {
            let m = ModelsShow.sequenceExample(e)
            rows.append([e.name, groupedThousands(m.model.parameterCount), m.input, e.summary])
        }
        let widths = (0..<3).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for r in rows {
            let cells = (0..<3).map { c in c == 1 ? pad(r[c], widths[c], left: true) : pad(r[c], widths[c], left: false) }
            print((cells + [r[3]]).joined(separator: "  "))
        }
    }
}

/// `workbench models show NAME`: the PyTorch-style tree and the parameter count.
struct ModelsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a model like PyTorch's print(model), with its parameter count.")

    @Argument(help: "Model name (see `workbench models`) or a model file (.model.yaml, .json).")
    var name: String

    @Flag(help: "Also list each layer's output shape for one input of the model's input shape.")
    var shapes = false

    @Option(help: ArgumentHelp("Model file: one sample's shape (default: the file's `input`, else 3,32,32).", valueName: "c,h,w"))
    var input: String?

    @Option(help: "Model file: what `classes` stands for (the number of outputs).")
    var classes: Int = 10

    func run() throws {
        if let seq = SequenceModelZoo.entry(named: name) { return showSequence(seq) }
        let model: any UnaryLayer
        let inputShape: [Int]
        if ModelDefinition.isModelFile(name) {
            do {
                let def = try ModelDefinition.load(path: name)
                inputShape = try input.map(Self.parseShape) ?? def.inputShape
                model = try withMetaInit { try def.build(inputShape: inputShape, outputs: classes, checkOutputs: false) }
            } catch let e as UserError {
                throw e
            } catch {
                throw UserError("\(error)")
            }
        } else {
            guard let entry = ModelZoo.entry(named: name) else { throw UserError(ModelZooError(name: name).description) }
            model = entry.makeMeta()
            inputShape = entry.inputShape
        }
        print(model)
        print("Input shape: \(([1] + inputShape).map(String.init).joined(separator: "x")) (batch 1)")
        print("Total parameters: \(groupedThousands(model.parameterCount))")
        if shapes {
            let layers = try model.validate(inputShape: [1] + inputShape)
            let rows = layers.map { l in
                [String(repeating: "  ", count: l.depth) + (l.path.isEmpty ? "(model)" : l.path), l.typeName,
                 l.outputShape.map { "\($0)" } ?? "-", groupedThousands(l.parameterCount)]
            }
            let header = ["LAYER", "TYPE", "OUTPUT", "PARAMS"]
            let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
            for r in [header] + rows {
                print((0..<4).map { pad(r[$0], widths[$0], left: $0 == 3) }.joined(separator: "  "))
            }
        }
    }

    /// `3,32,32` (or `3x32x32`) → [3, 32, 32].
    static func parseShape(_ s: String) throws -> [Int] {
        let dims = s.split(whereSeparator: { $0 == "," || $0 == "x" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw UserError("--input \(s): expected positive sizes like 3,32,32")
        }
        return dims.compactMap { $0 }
    }
}

/// 62006 → "62,006".
func groupedThousands(_ n: Int) -> String {
    let s = String(abs(n))
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

private func pad(_ s: String, _ width: Int, left: Bool) -> String {
    let fill = String(repeating: " ", count: Swift.max(0, width - s.count))
    return left ? fill + s : s + fill
}

extension ModelsShow {
    /// A sequence model sized for the embedded data, and its input as listed:
    /// language models and text classifiers over the arithmetic corpus'
    /// vocabulary (2 classes), the forecaster over one series (horizon 1).
    static func sequenceExample(_ e: SequenceModelZoo.Entry) -> (model: Module, input: String, shape: [Int]) {
        let v = ArithmeticCorpus.tokenizer.vocabularySize
        switch e.kind {
        case .languageModel: return (e.make(vocabularySize: v), "tokens", [1, 32])
        case .textClassifier: return (e.make(vocabularySize: v, numClasses: 2), "tokens", [1, 32])
        case .forecaster: return (e.make(vocabularySize: 1, numClasses: 1), "window", [1, 48, 1])
        }
    }

    /// `models show` for a sequence model: the tree, what it reads, the parameter count
    /// and, with `--shapes`, each layer's output for one input.
    func showSequence(_ e: SequenceModelZoo.Entry) {
        let (model, _, shape) = Self.sequenceExample(e)
        print(model)
        switch e.kind {
        case .languageModel:
            print("Input: token ids \(shape.map(String.init).joined(separator: "x")) (batch 1, 32 tokens; vocabulary \(ArithmeticCorpus.tokenizer.vocabularySize), the embedded arithmetic corpus) → next-token logits")
        case .textClassifier:
            print("Input: token ids \(shape.map(String.init).joined(separator: "x")) (batch 1, 32 tokens; vocabulary \(ArithmeticCorpus.tokenizer.vocabularySize)) → 2 class logits")
        case .forecaster:
            print("Input: a window \(shape.map(String.init).joined(separator: "x")) (batch 1, 48 steps, 1 feature) → the next value")
        }
        print("Total parameters: \(groupedThousands(model.parameterCount))")
        guard shapes else { return }
        do {
            let layers = try model.validate(inputShapes: [shape])
            let rows = layers.map { l in
                [String(repeating: "  ", count: l.depth) + (l.path.isEmpty ? "(model)" : l.path), l.typeName,
                 l.outputShapes.map { $0.map { "\($0)" }.joined(separator: " ") } ?? "-", groupedThousands(l.parameterCount)]
            }
            let header = ["LAYER", "TYPE", "OUTPUT", "PARAMS"]
            let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
            for r in [header] + rows {
                print((0..<4).map { pad(r[$0], widths[$0], left: $0 == 3) }.joined(separator: "  "))
            }
        } catch {
            print("Shapes: \(error)")
        }
    }
}
