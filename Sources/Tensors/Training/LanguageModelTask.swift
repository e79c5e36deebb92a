import Foundation

/// Language modelling: a `LanguageModel` reads token ids [N, T] and predicts
/// the next token at every position; the loss is cross-entropy against the
/// inputs shifted by one (the batch's target ids [N, T]), and a pass reports
/// perplexity (exp of the mean token loss) and token accuracy.
public struct LanguageModelTask: TrainingTask {
    /// Tokens of the vocabulary (logits per position).
    public let vocabularySize: Int
    /// Tokens per training window, for the shape check (nil skips it).
    public let sequenceLength: Int?

    /// A task over a vocabulary of `vocabularySize` tokens (positive).
    public init(vocabularySize: Int, sequenceLength: Int? = nil) {
        precondition(vocabularySize > 0, "LanguageModelTask: vocabularySize must be positive, got \(vocabularySize)")
        self.vocabularySize = vocabularySize
        self.sequenceLength = sequenceLength
    }

    public var kind: TaskKind { .languageModeling }
    public var metrics: [MetricSpec] { kind.metrics }

    public func validate(_ model: Module) throws {
        guard let lm = model as? any LanguageModel else {
            throw TrainingSetupError("\(model.typeName) is not a language model (token ids [N, T] → logits [N, T, V]); "
                                     + "use one of: \(SequenceModelZoo.entries.filter { $0.kind == .languageModel }.map(\.name).joined(separator: ", "))")
        }
        guard lm.vocabularySize == vocabularySize else {
            throw TrainingSetupError("the model predicts \(lm.vocabularySize) tokens but the text's vocabulary has \(vocabularySize)")
        }
        if let t = sequenceLength, let c = lm.contextLength, t > c {
            throw TrainingSetupError("windows of \(t) tokens are longer than the model's context of \(c); use --seq-len \(c) or less")
        }
    }

    public func forward(_ model: Module, _ batch: Batch) throws -> (output: Tensor, loss: Tensor) {
        guard let lm = model as? any LanguageModel else {
            throw TrainingSetupError("\(model.typeName) is not a language model")
        }
        guard batch.inputs.count == 1, let x = batch.inputs[0].indices, let y = batch.target.indices, x.shape == y.shape,
              x.rank == 2 else {
            throw TrainingSetupError("language modelling expects token ids [N, T] and targets of the same shape, got "
                                     + batch.inputs.map(\.summary).joined(separator: ", ") + " and \(batch.target.summary)")
        }
        let logits = lm(x)
        let flat = logits.reshape([-1, vocabularySize])
        return (flat, crossEntropy(flat, IntTensor(y.values, shape: [y.count])))
    }

    public func makeMeter() -> any MetricMeter { LanguageModelMeter() }
}

/// Token-weighted loss, perplexity and next-token accuracy.
public struct LanguageModelMeter: MetricMeter, Codable {
    private var lossSum = 0.0
    private var tokens = 0
    private var correct = 0

    /// An empty meter.
    public init() {}

    /// `output` holds the logits of every token of the batch, [N·T, V].
    public mutating func add(output: Tensor, batch: Batch, loss: Double) {
        guard let y = batch.target.indices, output.rank == 2, output.shape[0] == y.count else { return }
        lossSum += loss * Double(y.count)
        tokens += y.count
        let v = output.shape[1]
        output.contiguous().withUnsafeBufferPointer { p in
            for i in 0..<y.count {
                var best = 0
                for j in 1..<v where p[i * v + j] > p[i * v + best] { best = j }
                if best == y.values[i] { correct += 1 }
            }
        }
    }

    public func values() -> [String: Double] {
        guard tokens > 0 else { return ["loss": .nan, "perplexity": .nan, "token_accuracy": .nan] }
        let mean = lossSum / Double(tokens)
        return ["loss": mean, "perplexity": Foundation.exp(mean), "token_accuracy": Double(correct) / Double(tokens)]
    }
}
