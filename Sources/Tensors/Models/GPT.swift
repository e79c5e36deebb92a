/// A small GPT-style decoder-only Transformer language model: token and
/// learned position embeddings, pre-norm Transformer blocks with GELU under a
/// causal mask, a final layer norm, and an output head tied to the token
/// embedding (`logits = h · Eᵀ`, so no separate head weight).
///
/// State keys: `embedding.weight`, `positions.weight`,
/// `blocks.layers.0.self_attn.in_proj_weight` …, `norm.weight`.
///
/// ```swift
/// let gpt = GPT(vocabularySize: 17, contextLength: 64, dModel: 64, nhead: 4, numLayers: 2)
/// let logits = gpt(x)                      // [N, T, 17], T ≤ 64
/// ```
public final class GPT: Module, LanguageModel {
    public let embedding: Embedding
    public let positions: Embedding
    public let dropout: Dropout
    public let blocks: TransformerEncoder
    public let norm: LayerNorm
    /// Size of the vocabulary.
    public let vocabularySize: Int
    /// Longest input (number of learned positions).
    public let maxLength: Int
    /// Model dimension.
    public let dModel: Int
    public var contextLength: Int? { maxLength }

    /// A GPT with `numLayers` blocks of width `dModel`, `nhead` heads and a
    /// `4·dModel` feed-forward layer (nanoGPT's shape).
    public init(vocabularySize: Int, contextLength: Int = 128, dModel: Int = 64, nhead: Int = 4, numLayers: Int = 2,
                dropout: Double = 0.1, generator: Generator? = nil) {
        self.vocabularySize = vocabularySize
        maxLength = contextLength
        self.dModel = dModel
        embedding = Embedding(vocabularySize, dModel, generator: generator)
        positions = Embedding(contextLength, dModel, generator: generator)
        // GPT-2's N(0, 0.02) embeddings keep the tied head's first logits small.
        Init.normal(embedding.weight, std: 0.02, generator: generator)
        Init.normal(positions.weight, std: 0.02, generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        blocks = TransformerEncoder(
            TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: 4 * dModel, dropout: dropout,
                                    activation: .gelu, batchFirst: true, normFirst: true, generator: generator),
            numLayers: numLayers)
        norm = LayerNorm(dModel)
        super.init()
    }

    public func callAsFunction(_ tokens: IntTensor) -> Tensor {
        call(inputs: [], outputs: { [$0] }) {
            guard check(tokens.rank == 2, "GPT", "expected token ids [N, T], got shape \(tokens.shape)"),
                  check(tokens.shape[1] <= maxLength, "GPT",
                        "sequence length \(tokens.shape[1]) exceeds the context length \(maxLength)")
            else { return .meta(tokens.shape + [vocabularySize]) }
            let t = tokens.shape[1]
            return logits(embedding(tokens), positions(IntTensor(Array(0..<t))), t)
        }
    }

    func logits(_ tok: Tensor, _ pos: Tensor, _ t: Int) -> Tensor {
        let x = dropout(tok + pos)
        let h = norm(blocks(x, mask: .additive(Transformer.generateSquareSubsequentMask(t))))
        return linear(h, weight: embedding.weight)
    }

    /// `[token ids [N, T] as floats]` → `[logits [N, T, V]]` (meta inputs give meta shapes).
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1, inputs[0].rank == 2 else {
            throw ShapeError(op: typeName, "expected [token ids [N, T]], got \(inputs.map(\.shape))")
        }
        let x = inputs[0], t = x.shape[1]
        guard t <= maxLength else { throw ShapeError(op: typeName, "sequence length \(t) exceeds the context length \(maxLength)") }
        let pos = Tensor(shape: [t]) { p in for i in 0..<t { p[i] = Float(i) } }
        return [call(inputs: [x], outputs: { [$0] }) {
            logits(embedding(ids: x), positions(ids: x.isMeta ? .meta([t]) : pos), t)
        }]
    }
}
