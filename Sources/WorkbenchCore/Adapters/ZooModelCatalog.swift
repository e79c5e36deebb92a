import Tensors

/// The `Tensors` model zoo as the model pane sees it: each model built with meta
/// parameters (no memory) and validated against the dataset's input shape.
public final class ZooModelCatalog: ModelCatalog {
    public init() {}

    public var modelNames: [String] { ModelZoo.names }

    public func describe(_ name: String, inputShape: [Int], numClasses: Int) throws -> ModelDescription {
        guard let entry = ModelZoo.entry(named: name) else { throw ModelZooError(name: name) }
        let model = entry.makeMeta(inputShape: inputShape, outputs: numClasses)
        let input = [1] + inputShape
        var shapes: [String: [Int]] = [:]
        var failure: ModelFailure?
        do {
            for l in try model.validate(inputShape: input) where shapes[l.path] == nil {
                if let s = l.outputShape { shapes[l.path] = s }
            }
        } catch let e as ModelShapeError {
            for l in e.layers where shapes[l.path] == nil {
                if let s = l.outputShape { shapes[l.path] = s }
            }
            failure = ModelFailure(layerPath: e.failingPath.isEmpty ? model.typeName : e.failingPath,
                                   message: "\(e.error.op): \(e.error.message)")
        }
        let root = ZooModelCatalog.info(model, name: "", path: "", shapes: shapes)
        return ModelDescription(name: model.typeName, root: root, inputShape: input, failure: failure)
    }

    static func info(_ m: Module, name: String, path: String, shapes: [String: [Int]]) -> ModelInfo {
        let kids = m.namedChildren()
        let children = kids.map { info($0.1, name: $0.0, path: path.isEmpty ? $0.0 : path + "." + $0.0, shapes: shapes) }
        let own = max(0, m.parameterCount - kids.reduce(0) { $0 + $1.1.parameterCount })
        return ModelInfo(name: name, type: m.typeName, detail: m.extraRepr(), outputShape: shapes[path],
                         ownParameters: own, children: children)
    }
}
