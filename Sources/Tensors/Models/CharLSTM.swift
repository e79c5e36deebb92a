/// A character-level LSTM language model: embedding → LSTM → linear head,
/// in the style of Karpathy's char-rnn.
///
/// State keys: `embedding.weight`, `lstm.weight_ih_l0` …, `head.weight`,
/// `head.bias`.
///
/// ```swift
/// let lm = CharLSTM(vocabularySize: tokenizer.vocabularySize)
/// let logits = lm(x)                       // x: IntTensor [N, T] → [N, T, V]
/// print(lm.generate(prompt: "1+1=", tokenizer: tokenizer, maxTokens: 20))
/// ```
public final class CharLSTM: Module, LanguageModel {
    public let embedding: Embedding
    public let lstm: LSTM
    public let dropout: Dropout
    public let head: Linear
    /// Size of the vocabulary.
    public let vocabularySize: Int
    /// Unlimited: the LSTM runs over any length (generation keeps the last 256 tokens).
    public var contextLength: Int? { 256 }

    /// A char-LSTM LM with `numLayers` LSTM layers of `hiddenSize`.
    public init(vocabularySize: Int, embeddingDim: Int = 64, hiddenSize: Int = 256, numLayers: Int = 1,
                dropout: Double = 0, generator: Generator? = nil) {
        self.vocabularySize = vocabularySize
        embedding = Embedding(vocabularySize, embeddingDim, generator: generator)
        lstm = LSTM(embeddingDim, hiddenSize, numLayers: numLayers, batchFirst: true, dropout: numLayers > 1 ? dropout : 0,
                    generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        head = Linear(hiddenSize, vocabularySize, generator: generator)
        super.init()
    }

    public func callAsFunction(_ tokens: IntTensor) -> Tensor {
        call(inputs: [], outputs: { [$0] }) { logits(embedding(tokens)) }
    }

    func logits(_ x: Tensor) -> Tensor { head(dropout(lstm(x).output)) }

    /// `[token ids [N, T] as floats]` → `[logits [N, T, V]]` (meta inputs give meta shapes).
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1, inputs[0].rank == 2 else {
            throw ShapeError(op: typeName, "expected [token ids [N, T]], got \(inputs.map(\.shape))")
        }
        let x = inputs[0]
        return [call(inputs: [x], outputs: { [$0] }) { logits(embedding(ids: x)) }]
    }
}
