import Foundation
import Tensors

/// A draft model described against the data's input, as the model pane shows
/// it: the draft is written as a model file, built by `ModelDefinition` on meta
/// tensors (nothing is allocated) and validated, so every layer gets its output
/// shape, parameters, FLOPs and memory. When the build fails, the layer named by
/// the error's line is marked, and the layers before it keep their shapes.
enum DraftDescriber {
    static func describe(_ draft: ModelDraft, inputShape: [Int], outputs: Int) -> ModelDescription {
        let input = [1] + inputShape
        var calls: [String: LayerShape] = [:]
        var modules: [String: Module] = [:]
        func record(_ d: ModelDraft, checkOutputs: Bool) throws {
            let def = try ModelDefinition(text: d.yaml().text, file: d.name)
            let model = try withMetaInit { try def.build(inputShape: inputShape, outputs: outputs, checkOutputs: checkOutputs) }
            for l in try model.validate(inputShape: input) where calls[l.path]?.outputShapes == nil { calls[l.path] = l }
            for (p, m) in model.namedModules() { modules[p] = m }
        }
        var failure: ModelFailure?
        if draft.layers.isEmpty {
            failure = ModelFailure(layerPath: "", message: "the model has no layers: press a to add one")
        } else {
            do {
                try record(draft, checkOutputs: true)
            } catch {
                failure = Self.failure(error, draft: draft)
                calls = [:]
                modules = [:]
                // Only the output does not fit the data: every shape is known. Else the shapes up
                // to the layer that breaks: build the top-level layers before it.
                if (try? record(draft, checkOutputs: false)) == nil {
                    calls = [:]
                    modules = [:]
                    let top = failure.flatMap { Int($0.layerPath.split(separator: ".").first ?? "") } ?? draft.layers.count
                    var prefix = draft
                    prefix.layers = Array(draft.layers.prefix(top))
                    if !prefix.layers.isEmpty { try? record(prefix, checkOutputs: false) }
                }
            }
        }
        func info(_ l: DraftLayer, path: [Int]) -> ModelInfo {
            let p = path.map(String.init).joined(separator: ".")
            let children = l.children.enumerated().map { info($0.element, path: path + [$0.offset]) }
            let m = modules[p], call = calls[p]
            let own = m.map { m in max(0, m.parameterCount - m.children().reduce(0) { $0 + $1.parameterCount }) } ?? 0
            let detail = m.map { $0.extraRepr() } ?? l.argumentSummary
            return ModelInfo(name: path.last.map(String.init) ?? "", type: l.type, detail: detail, outputShape: call?.outputShape,
                             ownParameters: own, children: children,
                             flops: l.children.isEmpty ? zip2(m, call).flatMap { LayerCost.flops($0, $1) } : nil,
                             outputBytes: l.children.isEmpty ? call.flatMap(LayerCost.outputBytes) : nil)
        }
        let kids = draft.layers.enumerated().map { info($0.element, path: [$0.offset]) }
        let root = ModelInfo(name: "", type: draft.name, outputShape: calls[""]?.outputShape, children: kids)
        return ModelDescription(name: draft.name, root: root, inputShape: input, failure: failure)
    }

    /// The failing layer of a build error: the layer on the error's line, else (the model's output
    /// does not fit the data) the last layer.
    static func failure(_ error: Error, draft: ModelDraft) -> ModelFailure {
        if let e = error as? ModelShapeError {
            return ModelFailure(layerPath: e.failingPath, message: "\(e.error.op): \(e.error.message)")
        }
        var message = "\(error)"
        if message.hasPrefix(draft.name + ": ") { message.removeFirst(draft.name.count + 2) }
        let paths = draft.yaml().paths
        if let line = lineNumber(in: message), let path = paths[line] {
            return ModelFailure(layerPath: path.map(String.init).joined(separator: "."), message: message)
        }
        return ModelFailure(layerPath: String(draft.layers.count - 1), message: message)
    }

    /// N of the first `line N` in `message`.
    static func lineNumber(in message: String) -> Int? {
        guard let r = message.range(of: "line ") else { return nil }
        return Int(message[r.upperBound...].prefix { $0.isNumber })
    }

    private static func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
        guard let a, let b else { return nil }
        return (a, b)
    }
}
