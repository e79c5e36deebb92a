/// Multi-head attention, like `nn.MultiheadAttention`:
/// `MultiHead(Q, K, V) = Concat(head_1, …, head_h) · W_O` with
/// `head_i = softmax(Q W_Q,i (K W_K,i)ᵀ / √d) V W_V,i`.
///
/// Parameters as in PyTorch: `in_proj_weight` `[3E, E]` (xavier-uniform) and
/// `in_proj_bias` `[3E]` (zeros), or `q_proj_weight`, `k_proj_weight`,
/// `v_proj_weight` when `kdim`/`vdim` differ from `embedDim`; `out_proj`
/// (weight default Linear init, bias zeros); `bias_k`/`bias_v` `[1, 1, E]`
/// with `addBiasKV` (xavier-normal).
///
/// ```swift
/// let mha = MultiheadAttention(embedDim: 16, numHeads: 4, batchFirst: true)
/// let (out, weights) = mha(x, x, x, keyPaddingMask: .bool(pads))   // [N, L, 16], [N, L, L]
/// ```
public final class MultiheadAttention: Module {
    /// Model dimension E.
    public let embedDim: Int
    /// Key features.
    public let kdim: Int
    /// Value features.
    public let vdim: Int
    /// Number of heads (E must be divisible by it).
    public let numHeads: Int
    /// Dropout on the attention weights (training only).
    public let dropout: Double
    /// Whether inputs and outputs are `[N, L, E]`.
    public let batchFirst: Bool
    /// E / numHeads.
    public let headDim: Int
    /// Whether a zero key/value is appended.
    public let addZeroAttn: Bool
    /// The source of the dropout masks.
    public var generator: Generator?

    @Parameter(name: "in_proj_weight") public var inProjWeight: Tensor? = nil
    @Parameter(name: "q_proj_weight") public var qProjWeight: Tensor? = nil
    @Parameter(name: "k_proj_weight") public var kProjWeight: Tensor? = nil
    @Parameter(name: "v_proj_weight") public var vProjWeight: Tensor? = nil
    @Parameter(name: "in_proj_bias") public var inProjBias: Tensor? = nil
    @Parameter(name: "bias_k") public var biasK: Tensor? = nil
    @Parameter(name: "bias_v") public var biasV: Tensor? = nil
    /// The output projection (`out_proj`).
    public let outProj: NonDynamicallyQuantizableLinear

    public override func ownMembers() -> ModuleMembers { reflectMembers().renamingChildren(["outProj": "out_proj"]) }

    /// Whether q, k and v share one packed projection.
    public var qkvSameEmbedDim: Bool { kdim == embedDim && vdim == embedDim }

    /// Multi-head attention with PyTorch's arguments and defaults.
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, bias: Bool = true, addBiasKV: Bool = false,
                addZeroAttn: Bool = false, kdim: Int? = nil, vdim: Int? = nil, batchFirst: Bool = false,
                generator: Generator? = nil) {
        precondition(embedDim > 0 && numHeads > 0,
                     "MultiheadAttention: embed_dim and num_heads must be greater than 0, got embed_dim=\(embedDim) and num_heads=\(numHeads) instead")
        precondition(embedDim % numHeads == 0, "MultiheadAttention: embed_dim must be divisible by num_heads")
        precondition(dropout >= 0 && dropout <= 1, "MultiheadAttention: dropout must be in [0, 1], got \(dropout)")
        self.embedDim = embedDim
        self.kdim = kdim ?? embedDim
        self.vdim = vdim ?? embedDim
        self.numHeads = numHeads
        self.dropout = dropout
        self.batchFirst = batchFirst
        self.headDim = embedDim / numHeads
        self.addZeroAttn = addZeroAttn
        self.generator = generator
        let same = self.kdim == embedDim && self.vdim == embedDim
        inProjWeight = same ? Init.empty([3 * embedDim, embedDim]) : nil
        qProjWeight = same ? nil : Init.empty([embedDim, embedDim])
        kProjWeight = same ? nil : Init.empty([embedDim, self.kdim])
        vProjWeight = same ? nil : Init.empty([embedDim, self.vdim])
        inProjBias = bias ? Init.empty([3 * embedDim]) : nil
        biasK = addBiasKV ? Init.empty([1, 1, embedDim]) : nil
        biasV = addBiasKV ? Init.empty([1, 1, embedDim]) : nil
        outProj = NonDynamicallyQuantizableLinear(embedDim, embedDim, bias: bias, generator: generator)
        super.init()
        resetParameters(generator: generator)
    }

    /// PyTorch's `_reset_parameters`: xavier-uniform projections, zero biases.
    public func resetParameters(generator: Generator? = nil) {
        for w in [inProjWeight, qProjWeight, kProjWeight, vProjWeight].compactMap({ $0 }) {
            Init.xavierUniform(w, generator: generator)
        }
        if let b = inProjBias { Init.zeros(b) }
        if let b = outProj.bias { Init.zeros(b) }
        for b in [biasK, biasV].compactMap({ $0 }) { Init.xavierNormal(b, generator: generator) }
    }

    /// Attends from `query` to `key`/`value`: the output `[L, N, E]`
    /// (`[N, L, E]` with `batchFirst`) and, with `needWeights`, the weights
    /// `[N, L, S]` averaged over heads (`[N, heads, L, S]` otherwise).
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: AttentionMask? = nil,
                               needWeights: Bool = true, attnMask: AttentionMask? = nil,
                               averageAttnWeights: Bool = true, isCausal: Bool = false) -> (output: Tensor, weights: Tensor?) {
        call(inputs: [query, key, value], outputs: { [$0.0] + ($0.1.map { [$0] } ?? []) }) {
            let bf = batchFirst
            let tr: (Tensor) -> Tensor = { bf && $0.rank == 3 ? $0.transpose(0, 1) : $0 }
            let w = MultiHeadAttentionWeights(inProjWeight: inProjWeight, inProjBias: inProjBias, qProjWeight: qProjWeight,
                                              kProjWeight: kProjWeight, vProjWeight: vProjWeight, biasK: biasK, biasV: biasV,
                                              outProjWeight: outProj.weight, outProjBias: outProj.bias)
            let (out, weights) = multiHeadAttentionForward(tr(query), tr(key), tr(value), numHeads: numHeads, weights: w,
                                                           addZeroAttn: addZeroAttn, dropoutP: dropout, training: isTraining,
                                                           keyPaddingMask: keyPaddingMask, needWeights: needWeights,
                                                           attnMask: attnMask, averageAttnWeights: averageAttnWeights,
                                                           isCausal: isCausal, generator: generator)
            return (tr(out), weights)
        }
    }

    /// `[query, key, value]` → `[output, weights]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 3 else {
            throw ShapeError(op: typeName, "expected [query, key, value], got \(inputs.count) tensors")
        }
        let (o, w) = self(inputs[0], inputs[1], inputs[2])
        return [o] + (w.map { [$0] } ?? [])
    }
}

/// The output projection of `MultiheadAttention`: a `Linear` under PyTorch's
/// name for it (it prints and saves as `out_proj`).
public final class NonDynamicallyQuantizableLinear: Module, UnaryLayer {
    /// Size of each input sample.
    public let inFeatures: Int
    /// Size of each output sample.
    public let outFeatures: Int
    /// Weight [out, in].
    @Parameter public var weight: Tensor
    /// Bias [out].
    @Parameter public var bias: Tensor?

    /// A linear layer with PyTorch's default initialisation.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) {
        let l = Linear(inFeatures, outFeatures, bias: bias, generator: generator)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = l.weight
        self.bias = l.bias
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor { linear(input, weight: weight, bias: bias) }

    public override func extraRepr() -> String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(pythonBool(bias != nil))"
    }
}
