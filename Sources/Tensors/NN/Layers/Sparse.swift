/// A lookup table of `numEmbeddings` vectors of size `embeddingDim`, like
/// `nn.Embedding`: integer indices `[*]` → `[*, D]`.
///
/// `weight` starts N(0, 1) with the `paddingIdx` row zeroed. `sparse: true`
/// is accepted and printed for fidelity, but the gradient is always dense
/// (same values as PyTorch's sparse one; `SparseAdam` support is pending).
///
/// ```swift
/// let emb = Embedding(10, 3, paddingIdx: 0)    // Embedding(10, 3, padding_idx=0)
/// let vectors = emb(IntTensor([[1, 2, 0]]))    // [1, 3, 3]
/// ```
public final class Embedding: Module {
    /// Number of rows.
    public let numEmbeddings: Int
    /// Size of each vector.
    public let embeddingDim: Int
    /// The row that gets no gradient (and starts at zero), as a non-negative index.
    public let paddingIdx: Int?
    /// Rows looked up are renormalised to at most this norm.
    public let maxNorm: Double?
    /// The p of `maxNorm`.
    public let normType: Double
    /// Whether gradients are divided by index frequency in the batch.
    public let scaleGradByFreq: Bool
    /// Printed for fidelity; gradients are dense.
    public let sparse: Bool
    /// The table `[numEmbeddings, embeddingDim]`.
    @Parameter public var weight: Tensor

    /// An embedding with PyTorch's arguments, defaults and initialisation
    /// (or the given `weight`).
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, maxNorm: Double? = nil,
                normType: Double = 2, scaleGradByFreq: Bool = false, sparse: Bool = false, weight: Tensor? = nil,
                freeze: Bool = false, generator: Generator? = nil) {
        precondition(numEmbeddings >= 0 && embeddingDim >= 0,
                     "Embedding: num_embeddings and embedding_dim must be non-negative, got \(numEmbeddings) and \(embeddingDim)")
        if let p = paddingIdx {
            precondition(p < numEmbeddings && p >= -numEmbeddings, "Embedding: Padding_idx must be within num_embeddings")
        }
        if let w = weight {
            precondition(w.shape == [numEmbeddings, embeddingDim],
                         "Embedding: Shape of weight does not match num_embeddings and embedding_dim")
        }
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.paddingIdx = paddingIdx.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        self.maxNorm = maxNorm
        self.normType = normType
        self.scaleGradByFreq = scaleGradByFreq
        self.sparse = sparse
        self.weight = weight ?? Init.empty([numEmbeddings, embeddingDim])
        super.init()
        if weight == nil { resetParameters(generator: generator) }
        if freeze { self.weight.requiresGrad = false }
    }

    /// An embedding holding `embeddings` `[V, D]`, frozen by default, like `from_pretrained`.
    public static func fromPretrained(_ embeddings: Tensor, freeze: Bool = true, paddingIdx: Int? = nil,
                                      maxNorm: Double? = nil, normType: Double = 2, scaleGradByFreq: Bool = false,
                                      sparse: Bool = false) -> Embedding {
        precondition(embeddings.rank == 2, "Embedding.fromPretrained: Embeddings parameter is expected to be 2-dimensional")
        return Embedding(embeddings.shape[0], embeddings.shape[1], paddingIdx: paddingIdx, maxNorm: maxNorm,
                         normType: normType, scaleGradByFreq: scaleGradByFreq, sparse: sparse,
                         weight: embeddings.detach().contiguousCopy(), freeze: freeze)
    }

    /// N(0, 1), padding row zero, like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        Init.normal(weight, generator: generator)
        if let p = paddingIdx, !weight.isMeta {
            noGrad { weight.select(0, p).fill(0) }
        }
    }

    /// The vectors of `indices` `[*]` → `[*, D]`.
    public func callAsFunction(_ indices: IntTensor) -> Tensor {
        call(inputs: [], outputs: { [$0] }) { forward(indices) }
    }

    func forward(_ indices: IntTensor) -> Tensor {
        embedding(indices, weight, paddingIdx: paddingIdx, maxNorm: maxNorm, normType: normType,
                  scaleGradByFreq: scaleGradByFreq)
    }

    /// `[indices as floats]` → `[vectors]`; a meta input gives a meta `[*, D]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected [indices], got \(inputs.count) tensors") }
        return [self(ids: inputs[0])]
    }

    /// The vectors of token ids held in a float tensor (meta in, meta `[*, D]` out).
    public func callAsFunction(ids x: Tensor) -> Tensor {
        call(inputs: [x], outputs: { [$0] }) {
            x.isMeta ? .meta(x.shape + [embeddingDim]) : forward(IntTensor(x.toArray().map { Int($0) }, shape: x.shape))
        }
    }

    public override func extraRepr() -> String {
        var s = "\(numEmbeddings), \(embeddingDim)"
        if let p = paddingIdx { s += ", padding_idx=\(p)" }
        if let m = maxNorm { s += ", max_norm=\(pythonFloat(m))" }
        if normType != 2 { s += ", norm_type=\(pythonFloat(normType))" }
        if scaleGradByFreq { s += ", scale_grad_by_freq=True" }
        if sparse { s += ", sparse=True" }
        return s
    }
}

/// Sums, averages or maxes bags of embeddings without building the
/// intermediate `[*, L, D]` tensor in the API, like `nn.EmbeddingBag`.
///
/// ```swift
/// let bag = EmbeddingBag(10, 3, mode: .sum)
/// let out = bag(IntTensor([1, 2, 4, 5, 4, 3, 2, 9]), offsets: IntTensor([0, 4]))   // [2, 3]
/// ```
public final class EmbeddingBag: Module {
    /// Number of rows.
    public let numEmbeddings: Int
    /// Size of each vector.
    public let embeddingDim: Int
    /// Rows looked up are renormalised to at most this norm.
    public let maxNorm: Double?
    /// The p of `maxNorm`.
    public let normType: Double
    /// Whether gradients are divided by index frequency in the batch.
    public let scaleGradByFreq: Bool
    /// How a bag is reduced.
    public let mode: EmbeddingBagMode
    /// Printed for fidelity; gradients are dense.
    public let sparse: Bool
    /// Whether the last offset ends the last bag.
    public let includeLastOffset: Bool
    /// Indices left out of every bag.
    public let paddingIdx: Int?
    /// The table `[numEmbeddings, embeddingDim]`.
    @Parameter public var weight: Tensor

    /// An embedding bag with PyTorch's arguments, defaults and N(0, 1) initialisation.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, maxNorm: Double? = nil, normType: Double = 2,
                scaleGradByFreq: Bool = false, mode: EmbeddingBagMode = .mean, sparse: Bool = false,
                weight: Tensor? = nil, includeLastOffset: Bool = false, paddingIdx: Int? = nil,
                generator: Generator? = nil) {
        if let p = paddingIdx {
            precondition(p < numEmbeddings && p >= -numEmbeddings, "EmbeddingBag: padding_idx must be within num_embeddings")
        }
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.maxNorm = maxNorm
        self.normType = normType
        self.scaleGradByFreq = scaleGradByFreq
        self.mode = mode
        self.sparse = sparse
        self.includeLastOffset = includeLastOffset
        self.paddingIdx = paddingIdx.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        self.weight = weight ?? Init.empty([numEmbeddings, embeddingDim])
        super.init()
        if weight == nil {
            Init.normal(self.weight, generator: generator)
            if let p = self.paddingIdx, !self.weight.isMeta { noGrad { self.weight.select(0, p).fill(0) } }
        }
    }

    /// An embedding bag holding `embeddings` `[V, D]`, frozen by default, like `from_pretrained`.
    public static func fromPretrained(_ embeddings: Tensor, freeze: Bool = true, maxNorm: Double? = nil,
                                      normType: Double = 2, scaleGradByFreq: Bool = false, mode: EmbeddingBagMode = .mean,
                                      sparse: Bool = false, includeLastOffset: Bool = false,
                                      paddingIdx: Int? = nil) -> EmbeddingBag {
        precondition(embeddings.rank == 2, "EmbeddingBag.fromPretrained: Embeddings parameter is expected to be 2-dimensional")
        let bag = EmbeddingBag(embeddings.shape[0], embeddings.shape[1], maxNorm: maxNorm, normType: normType,
                               scaleGradByFreq: scaleGradByFreq, mode: mode, sparse: sparse,
                               weight: embeddings.detach().contiguousCopy(), includeLastOffset: includeLastOffset,
                               paddingIdx: paddingIdx)
        if freeze { bag.weight.requiresGrad = false }
        return bag
    }

    /// The reduced bags `[B, D]`.
    public func callAsFunction(_ input: IntTensor, offsets: IntTensor? = nil, perSampleWeights: Tensor? = nil) -> Tensor {
        call(inputs: perSampleWeights.map { [$0] } ?? [], outputs: { [$0] }) {
            embeddingBag(input, weight, offsets: offsets, maxNorm: maxNorm, normType: normType,
                         scaleGradByFreq: scaleGradByFreq, mode: mode, perSampleWeights: perSampleWeights,
                         includeLastOffset: includeLastOffset, paddingIdx: paddingIdx)
        }
    }

    /// `[indices [B, L] as floats]` → `[bags [B, D]]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1, inputs[0].rank == 2 else {
            throw ShapeError(op: typeName, "expected [indices [B, L]], got \(inputs.map(\.shape))")
        }
        let x = inputs[0]
        if x.isMeta { return [.meta([x.shape[0], embeddingDim])] }
        return [self(IntTensor(x.toArray().map { Int($0) }, shape: x.shape))]
    }

    public override func extraRepr() -> String {
        var s = "\(numEmbeddings), \(embeddingDim)"
        if let m = maxNorm { s += ", max_norm=\(pythonFloat(m))" }
        if normType != 2 { s += ", norm_type=\(pythonFloat(normType))" }
        if scaleGradByFreq { s += ", scale_grad_by_freq=True" }
        s += ", mode='\(mode.rawValue)'"
        if let p = paddingIdx { s += ", padding_idx=\(p)" }
        return s
    }
}
