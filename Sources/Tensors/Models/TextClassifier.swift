/// A recurrent text classifier: embedding (padding index 0) → LSTM →
/// the last layer's final hidden state (both directions when bidirectional)
/// → dropout → linear.
///
/// With `lengths` the batch is packed, so padding never reaches the LSTM and
/// the final state is each sequence's own last step.
///
/// ```swift
/// let model = LSTMClassifier(vocabularySize: 17, numClasses: 2)
/// let batch = try padCollate(items)
/// let logits = model(batch.tokens, lengths: batch.lengths)   // [N, 2]
/// ```
public final class LSTMClassifier: Module {
    public let embedding: Embedding
    public let lstm: LSTM
    public let dropout: Dropout
    public let head: Linear
    /// Number of classes.
    public let numClasses: Int

    /// A classifier with PyTorch-tutorial defaults.
    public init(vocabularySize: Int, numClasses: Int, embeddingDim: Int = 64, hiddenSize: Int = 128, numLayers: Int = 1,
                bidirectional: Bool = true, dropout: Double = 0.1, generator: Generator? = nil) {
        self.numClasses = numClasses
        embedding = Embedding(vocabularySize, embeddingDim, paddingIdx: 0, generator: generator)
        lstm = LSTM(embeddingDim, hiddenSize, numLayers: numLayers, batchFirst: true, dropout: numLayers > 1 ? dropout : 0,
                    bidirectional: bidirectional, generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        head = Linear(hiddenSize * (bidirectional ? 2 : 1), numClasses, generator: generator)
        super.init()
    }

    /// Class logits `[N, C]` for token ids `[N, L]` (true lengths optional).
    public func callAsFunction(_ tokens: IntTensor, lengths: [Int]? = nil) -> Tensor {
        call(inputs: [], outputs: { [$0] }) { classify(embedding(tokens), lengths) }
    }

    func classify(_ x: Tensor, _ lengths: [Int]?) -> Tensor {
        let h: Tensor
        if let lengths, !x.isMeta {
            h = lstm(packPaddedSequence(x, lengths: lengths.map { max($0, 1) }, batchFirst: true, enforceSorted: false)).state.h
        } else {
            h = lstm(x).state.h
        }
        let d = lstm.numDirections, l = lstm.numLayers
        // The last layer's states: [D, N, H] → [N, D·H].
        let last = h.narrow(0, start: (l - 1) * d, length: d)
        let features = d == 1 ? last.select(0, 0) : Tensor.cat([last.select(0, 0), last.select(0, 1)], dim: 1)
        return head(dropout(features))
    }

    /// `[token ids [N, L] as floats]` → `[logits [N, C]]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1, inputs[0].rank == 2 else {
            throw ShapeError(op: typeName, "expected [token ids [N, L]], got \(inputs.map(\.shape))")
        }
        let x = inputs[0]
        return [call(inputs: [x], outputs: { [$0] }) { classify(embedding(ids: x), nil) }]
    }
}

/// A Transformer text classifier: token + learned position embeddings →
/// Transformer encoder (padding masked out) → mean over the real tokens →
/// linear.
public final class TransformerClassifier: Module {
    public let embedding: Embedding
    public let positions: Embedding
    public let encoder: TransformerEncoder
    public let head: Linear
    /// Number of classes.
    public let numClasses: Int
    /// Longest input.
    public let maxLength: Int

    /// A classifier of `numLayers` post-norm encoder layers.
    public init(vocabularySize: Int, numClasses: Int, maxLength: Int = 128, dModel: Int = 64, nhead: Int = 4,
                numLayers: Int = 2, dimFeedforward: Int = 128, dropout: Double = 0.1, generator: Generator? = nil) {
        self.numClasses = numClasses
        self.maxLength = maxLength
        embedding = Embedding(vocabularySize, dModel, paddingIdx: 0, generator: generator)
        positions = Embedding(maxLength, dModel, generator: generator)
        encoder = TransformerEncoder(
            TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    batchFirst: true, generator: generator), numLayers: numLayers)
        head = Linear(dModel, numClasses, generator: generator)
        super.init()
    }

    /// Class logits `[N, C]` for token ids `[N, L]` (true lengths optional).
    public func callAsFunction(_ tokens: IntTensor, lengths: [Int]? = nil) -> Tensor {
        call(inputs: [], outputs: { [$0] }) {
            guard check(tokens.rank == 2 && tokens.shape[1] <= maxLength, "TransformerClassifier",
                        "expected token ids [N, L] with L ≤ \(maxLength), got shape \(tokens.shape)")
            else { return .meta([tokens.shape.first ?? 1, numClasses]) }
            let n = tokens.shape[0], l = tokens.shape[1]
            let lens = lengths ?? Array(repeating: l, count: n)
            let pad = Tensor(shape: [n, l]) { p in for b in 0..<n { for t in 0..<l { p[b * l + t] = t >= lens[b] ? 1 : 0 } } }
            let x = embedding(tokens) + positions(IntTensor(Array(0..<l)))
            return classify(x, pad)
        }
    }

    func classify(_ x: Tensor, _ pad: Tensor?) -> Tensor {
        let h = encoder(x, srcKeyPaddingMask: pad.map { .bool($0) })
        guard let pad, !h.isMeta else { return head(h.mean(dim: 1)) }
        let keep = (1 - pad).unsqueeze(2)                       // [N, L, 1]
        let pooled = (h * keep).sum(dim: 1) / keep.sum(dim: 1).clamp(min: 1)
        return head(pooled)
    }

    /// `[token ids [N, L] as floats]` → `[logits [N, C]]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1, inputs[0].rank == 2 else {
            throw ShapeError(op: typeName, "expected [token ids [N, L]], got \(inputs.map(\.shape))")
        }
        let x = inputs[0], l = x.shape[1]
        let pos = Tensor(shape: [l]) { p in for i in 0..<l { p[i] = Float(i) } }
        return [call(inputs: [x], outputs: { [$0] }) {
            classify(embedding(ids: x) + positions(ids: x.isMeta ? .meta([l]) : pos), nil)
        }]
    }
}
