/// A model that classifies padded token ids with their true lengths
/// (`LSTMClassifier`, `TransformerClassifier`).
public protocol TextClassifierModel: Module {
    /// Classes it scores.
    var numClasses: Int { get }
    /// Class logits `[N, C]` for token ids `[N, L]` and each sequence's true length.
    func callAsFunction(_ tokens: IntTensor, lengths: [Int]?) -> Tensor
}

extension LSTMClassifier: TextClassifierModel {}
extension TransformerClassifier: TextClassifierModel {}

/// Sequence (text) classification: a `TextClassifierModel` reads padded
/// token ids `[N, L]` and their lengths (the batch's two index inputs) and
/// returns class logits; the loss is cross-entropy and a pass reports
/// accuracy and a confusion matrix, as for images.
///
/// ```swift
/// let task = SequenceClassificationTask(numClasses: 2)
/// let batch = SequenceClassificationTask.batch(try padCollate(items))
/// let (logits, loss) = try task.forward(model, batch)
/// ```
public struct SequenceClassificationTask: TrainingTask {
    /// Classes of the dataset.
    public let numClasses: Int

    /// A task over `numClasses` classes (positive).
    public init(numClasses: Int) {
        precondition(numClasses > 0, "SequenceClassificationTask: numClasses must be positive, got \(numClasses)")
        self.numClasses = numClasses
    }

    public var kind: TaskKind { .sequenceClassification }
    public var metrics: [MetricSpec] { kind.metrics }

    /// The batch of a padded collate: inputs `[tokens [N, L], lengths [N]]`, target the labels.
    public static func batch(_ b: TextBatch) -> Batch {
        Batch(inputs: [.indices(b.tokens), .indices(IntTensor(b.lengths))], target: .indices(b.labels), count: b.lengths.count)
    }

    public func validate(_ model: Module) throws {
        guard let m = model as? any TextClassifierModel else {
            throw TrainingSetupError("\(model.typeName) is not a text classifier (token ids [N, L] and lengths → logits [N, C]); use one of: "
                                     + SequenceModelZoo.entries.filter { $0.kind == .textClassifier }.map(\.name).joined(separator: ", "))
        }
        guard m.numClasses >= numClasses else {
            throw TrainingSetupError("the model outputs \(m.numClasses) classes but the dataset has \(numClasses)")
        }
    }

    public func forward(_ model: Module, _ batch: Batch) throws -> (output: Tensor, loss: Tensor) {
        guard let m = model as? any TextClassifierModel else { throw TrainingSetupError("\(model.typeName) is not a text classifier") }
        guard batch.inputs.count == 2, let tokens = batch.inputs[0].indices, let lengths = batch.inputs[1].indices,
              tokens.rank == 2, lengths.count == tokens.shape[0], let y = batch.target.indices else {
            throw TrainingSetupError("sequence classification expects token ids [N, L], lengths [N] and class indices, got "
                                     + batch.inputs.map(\.summary).joined(separator: ", ") + " and \(batch.target.summary)")
        }
        let logits = m(tokens, lengths: lengths.values)
        return (logits, crossEntropy(logits, y))
    }

    public func makeMeter() -> any MetricMeter { ClassificationMeter(numClasses: numClasses) }
}
