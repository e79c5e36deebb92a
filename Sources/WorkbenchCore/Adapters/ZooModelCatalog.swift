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
        var calls: [String: LayerShape] = [:]
        var failure: ModelFailure?
        do {
            for l in try model.validate(inputShape: input) where calls[l.path]?.outputShapes == nil { calls[l.path] = l }
        } catch let e as ModelShapeError {
            for l in e.layers where calls[l.path]?.outputShapes == nil { calls[l.path] = l }
            failure = ModelFailure(layerPath: e.failingPath.isEmpty ? model.typeName : e.failingPath,
                                   message: "\(e.error.op): \(e.error.message)")
        }
        let root = LayerCost.info(model, name: "", path: "", calls: calls)
        return ModelDescription(name: model.typeName, root: root, inputShape: input, failure: failure)
    }
}
