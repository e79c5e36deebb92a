import Tensors

/// The `Tensors` model zoo as the model pane sees it: each model built with meta
/// parameters (no memory) and validated against the dataset's input shape.
public final class ZooModelCatalog: ModelCatalog {
    public init() {}

    /// The image and table models, then the sequence models (`SequenceModelZoo`).
    public var modelNames: [String] { ModelZoo.names + SequenceModelZoo.names }

    public func describe(_ name: String, inputShape: [Int], numClasses: Int) throws -> ModelDescription {
        try describe(name, inputShape: inputShape, numClasses: numClasses, vocabularySize: nil)
    }

    /// Sequence models are built for `vocabularySize` tokens (a language model's outputs are
    /// its vocabulary: `numClasses`) or, for a forecaster, `inputShape`'s last dimension of features.
    public func describe(_ name: String, inputShape: [Int], numClasses: Int, vocabularySize: Int?) throws -> ModelDescription {
        let model: Module
        if let entry = ModelZoo.entry(named: name) {
            model = entry.makeMeta(inputShape: inputShape, outputs: numClasses)
        } else if let entry = SequenceModelZoo.entry(named: name) {
            switch entry.kind {
            case .languageModel: model = withMetaInit { entry.make(vocabularySize: vocabularySize ?? numClasses) }
            case .textClassifier: model = withMetaInit { entry.make(vocabularySize: vocabularySize ?? 1, numClasses: numClasses) }
            case .forecaster: model = withMetaInit { entry.make(vocabularySize: inputShape.last ?? 1, numClasses: numClasses) }
            }
        } else {
            throw ModelZooError(name: name)
        }
        let input = [1] + inputShape
        var calls: [String: LayerShape] = [:]
        var failure: ModelFailure?
        do {
            for l in try model.validate(inputShape: input) where calls[l.path]?.outputShapes == nil { calls[l.path] = l }
        } catch let e as ModelShapeError {
            for l in e.layers where calls[l.path]?.outputShapes == nil { calls[l.path] = l }
            failure = ModelFailure(layerPath: e.failingPath.isEmpty ? model.typeName : e.failingPath,
                                   message: "\(e.error.op): \(e.error.message)")
        } catch {
            // A sequence model's own input check (token ids [N, T]) on images or rows.
            failure = ModelFailure(layerPath: model.typeName, message: "\(error)")
        }
        let root = LayerCost.info(model, name: "", path: "", calls: calls)
        return ModelDescription(name: model.typeName, root: root, inputShape: input, failure: failure)
    }
}
