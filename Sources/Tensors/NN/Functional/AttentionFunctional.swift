import Foundation

/// An attention mask as PyTorch takes it: a boolean mask (nonzero = the
/// position is *not* allowed to attend, i.e. masked out) or a float mask
/// added to the attention scores (`-inf` masks, as from
/// `Transformer.generateSquareSubsequentMask`).
///
/// Our tensors are Float, so which kind a mask is must be said:
///
/// ```swift
/// let padding = AttentionMask.bool(tokens.eq(0))        // [N, S], 1 at pads
/// let causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(T))
/// ```
public enum AttentionMask {
    /// Nonzero entries are masked out (PyTorch's `True`).
    case bool(Tensor)
    /// Added to the scores before the softmax.
    case additive(Tensor)

    /// The mask as a tensor of additive values (0 or −inf for boolean masks).
    public var additive: Tensor {
        switch self {
        case .additive(let t): return t
        case .bool(let t): return t.isMeta ? t : Tensor.zeros(t.shape).maskedFill(t, -.infinity)
        }
    }

    /// The mask's tensor.
    public var tensor: Tensor {
        switch self {
        case .bool(let t), .additive(let t): return t
        }
    }
}

/// Scaled dot-product attention, like `F.scaled_dot_product_attention`:
/// `softmax(q·kᵀ · scale + mask) · v` over `[*, L, E]` queries, `[*, S, E]`
/// keys and `[*, S, Ev]` values (batch dimensions flattened into one batched
/// GEMM each way).
///
/// `scale` defaults to 1/√E; `isCausal` masks the upper triangle. The
/// softmax is the fused, max-subtracted primitive. Returns the output and the
/// attention weights `[*, L, S]`.
public func scaledDotProductAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, attnMask: AttentionMask? = nil,
                                      dropoutP: Double = 0, isCausal: Bool = false, scale: Double? = nil,
                                      training: Bool = true, generator: Generator? = nil) -> (output: Tensor, weights: Tensor) {
    let op = "scaled_dot_product_attention"
    guard check(query.rank >= 2 && key.rank == query.rank && value.rank == query.rank, op,
                "query, key and value must have the same rank ≥ 2, got \(query.shape), \(key.shape), \(value.shape)"),
          check(Array(query.shape.dropLast(2)) == Array(key.shape.dropLast(2)) && Array(key.shape.dropLast(2)) == Array(value.shape.dropLast(2)), op,
                "batch dimensions of query \(query.shape), key \(key.shape) and value \(value.shape) must match"),
          check(query.shape.last == key.shape.last, op, "query and key must have the same last dimension, got \(query.shape) and \(key.shape)"),
          check(key.shape[key.rank - 2] == value.shape[value.rank - 2], op, "key and value must have the same length, got \(key.shape) and \(value.shape)")
    else { return (.meta(query.shape), .meta(query.shape)) }
    let batch = Array(query.shape.dropLast(2))
    let l = query.shape[query.rank - 2], e = query.shape[query.rank - 1]
    let s = key.shape[key.rank - 2], ev = value.shape[value.rank - 1]
    let nb = batch.reduce(1, *)
    let outShape = batch + [l, ev], wShape = batch + [l, s]
    if let m = attnMask {
        guard broadcastShapes(wShape, m.tensor.shape, op: op) == wShape else { return (.meta(outShape), .meta(wShape)) }
    }
    if query.isMeta || key.isMeta || value.isMeta { return (.meta(outShape), .meta(wShape)) }
    let sc = Float(scale ?? 1 / Double(e).squareRoot())
    let q = (query * sc).reshape([nb, l, e])
    let k = key.reshape([nb, s, e])
    var scores = q.bmm(k.transpose(1, 2)).reshape(wShape)
    if isCausal { scores = scores + causalMask(l, s) }
    if let m = attnMask { scores = scores + m.additive }
    var weights = scores.softmax(dim: -1)
    if dropoutP > 0 && training { weights = dropout(weights, p: Float(dropoutP), training: true, generator: generator) }
    let out = weights.reshape([nb, l, s]).bmm(value.reshape([nb, s, ev])).reshape(outShape)
    return (out, weights)
}

/// `[l, s]` with −inf above the diagonal, 0 elsewhere.
func causalMask(_ l: Int, _ s: Int) -> Tensor {
    Tensor(shape: [l, s]) { p in
        for i in 0..<l { for j in 0..<s { p[i * s + j] = j > i ? -.infinity : 0 } }
    }
}

/// The projections and options of one multi-head attention call; see
/// `multiHeadAttentionForward`.
public struct MultiHeadAttentionWeights {
    /// `[3E, E]` packed q/k/v projection, or nil with separate ones.
    public var inProjWeight: Tensor?
    /// `[3E]`.
    public var inProjBias: Tensor?
    /// Separate projections `[E, E]`, `[E, kdim]`, `[E, vdim]`.
    public var qProjWeight: Tensor?, kProjWeight: Tensor?, vProjWeight: Tensor?
    /// `[1, 1, E]` biases appended to the keys and values (`add_bias_kv`).
    public var biasK: Tensor?, biasV: Tensor?
    /// `[E, E]` and `[E]`.
    public var outProjWeight: Tensor
    public var outProjBias: Tensor?

    /// The weights of one call.
    public init(inProjWeight: Tensor?, inProjBias: Tensor?, qProjWeight: Tensor? = nil, kProjWeight: Tensor? = nil,
                vProjWeight: Tensor? = nil, biasK: Tensor? = nil, biasV: Tensor? = nil, outProjWeight: Tensor,
                outProjBias: Tensor?) {
        self.inProjWeight = inProjWeight
        self.inProjBias = inProjBias
        self.qProjWeight = qProjWeight
        self.kProjWeight = kProjWeight
        self.vProjWeight = vProjWeight
        self.biasK = biasK
        self.biasV = biasV
        self.outProjWeight = outProjWeight
        self.outProjBias = outProjBias
    }
}

/// Multi-head attention on sequence-first inputs, like
/// `F.multi_head_attention_forward`: query `[L, N, E]`, key `[S, N, kdim]`,
/// value `[S, N, vdim]` (or unbatched `[L, E]` …). Returns the output
/// `[L, N, E]` and, with `needWeights`, the weights `[N, L, S]` (averaged over
/// heads) or `[N, heads, L, S]`.
///
/// `keyPaddingMask` is `[N, S]`; `attnMask` is `[L, S]` or `[N·heads, L, S]`.
/// Heads run as one batched GEMM for the scores and one for the values.
public func multiHeadAttentionForward(_ query: Tensor, _ key: Tensor, _ value: Tensor, numHeads: Int,
                                      weights w: MultiHeadAttentionWeights, addZeroAttn: Bool = false,
                                      dropoutP: Double = 0, training: Bool = true,
                                      keyPaddingMask: AttentionMask? = nil, needWeights: Bool = true,
                                      attnMask: AttentionMask? = nil, averageAttnWeights: Bool = true,
                                      isCausal: Bool = false, generator: Generator? = nil) -> (Tensor, Tensor?) {
    let op = "multi_head_attention_forward"
    let batched = query.rank == 3
    guard check(query.rank == 3 || query.rank == 2, op, "query should be unbatched 2D or batched 3D tensor but received \(query.rank)-D query tensor"),
          check(key.rank == query.rank && value.rank == query.rank, op,
                "For \(batched ? "batched (3-D)" : "unbatched (2-D)") `query`, expected `key` and `value` to be \(query.rank)-D but found \(key.rank)-D and \(value.rank)-D tensors respectively")
    else { return (.meta(query.shape), nil) }
    let q3 = batched ? query : query.unsqueeze(1)
    let k3 = batched ? key : key.unsqueeze(1)
    let v3 = batched ? value : value.unsqueeze(1)
    let l = q3.shape[0], n = q3.shape[1], e = q3.shape[2]
    var s = k3.shape[0]
    let heads = numHeads, hd = numHeads > 0 ? e / numHeads : 0
    guard check(e == w.outProjWeight.shape[0], op, "was expecting embedding dimension of \(w.outProjWeight.shape[0]), but got \(e)"),
          check(k3.shape[1] == n && v3.shape[1] == n, op, "key and value batch sizes must match the query's \(n), got \(k3.shape) and \(v3.shape)"),
          check(k3.shape[0] == v3.shape[0], op, "key shape \(k3.shape) does not match value shape \(v3.shape)")
    else { return (.meta(query.shape), nil) }
    if let kpm = keyPaddingMask {
        let expected = batched ? [n, s] : [s]
        guard check(kpm.tensor.shape == expected, op, "expected key_padding_mask of shape \(expected), but got \(kpm.tensor.shape)")
        else { return (.meta(query.shape), nil) }
    }
    if let am = attnMask {
        let ok = am.tensor.shape == [l, s] || am.tensor.shape == [n * heads, l, s]
        guard check(ok, op, "The shape of the attn_mask should be (\(l), \(s)) or (\(n * heads), \(l), \(s)), but got \(am.tensor.shape)")
        else { return (.meta(query.shape), nil) }
    }
    let wShape = averageAttnWeights ? [n, l, s + (w.biasK != nil ? 1 : 0) + (addZeroAttn ? 1 : 0)]
        : [n, heads, l, s + (w.biasK != nil ? 1 : 0) + (addZeroAttn ? 1 : 0)]
    let outShape = batched ? [l, n, e] : [l, e]
    let anyMeta = [query, key, value, w.outProjWeight].contains { $0.isMeta } || w.inProjWeight?.isMeta == true
        || w.qProjWeight?.isMeta == true
    if anyMeta {
        _ = checkRealParameters(op, query, w.outProjWeight, w.inProjWeight, w.qProjWeight)
        return (.meta(outShape), needWeights ? .meta(batched ? wShape : Array(wShape.dropFirst())) : nil)
    }

    // Input projections (each one GEMM over all positions).
    var q: Tensor, k: Tensor, v: Tensor
    let bq = w.inProjBias?.narrow(0, start: 0, length: e)
    let bk = w.inProjBias?.narrow(0, start: e, length: e)
    let bv = w.inProjBias?.narrow(0, start: 2 * e, length: e)
    if let ipw = w.inProjWeight {
        q = linear(q3, weight: ipw.narrow(0, start: 0, length: e), bias: bq)
        k = linear(k3, weight: ipw.narrow(0, start: e, length: e), bias: bk)
        v = linear(v3, weight: ipw.narrow(0, start: 2 * e, length: e), bias: bv)
    } else if let qw = w.qProjWeight, let kw = w.kProjWeight, let vw = w.vProjWeight {
        q = linear(q3, weight: qw, bias: bq)
        k = linear(k3, weight: kw, bias: bk)
        v = linear(v3, weight: vw, bias: bv)
    } else {
        ShapeCheck.fail(ShapeError(op: op, "either in_proj_weight or q/k/v_proj_weight must be given"))
        return (.meta(outShape), nil)
    }
    // Masks merged into one additive [N·heads or 1, L, S] tensor.
    var mask: Tensor? = attnMask.map { m in
        let a = m.additive
        return a.rank == 2 ? a.unsqueeze(0) : a
    }
    var kpm: Tensor? = keyPaddingMask.map { m in batched ? m.additive : m.additive.unsqueeze(0) }
    if let bk = w.biasK, let bv = w.biasV {
        k = Tensor.cat([k, bk.expand([1, n, e])], dim: 0)
        v = Tensor.cat([v, bv.expand([1, n, e])], dim: 0)
        mask = mask.map { $0.pad([0, 1]) }
        kpm = kpm.map { $0.pad([0, 1]) }
        s += 1
    }
    // [L, N, E] → [N·heads, L, hd]
    var qh = q.reshape([l, n * heads, hd]).transpose(0, 1)
    var kh = k.reshape([s, n * heads, hd]).transpose(0, 1)
    var vh = v.reshape([s, n * heads, hd]).transpose(0, 1)
    if addZeroAttn {
        kh = Tensor.cat([kh, Tensor.zeros([n * heads, 1, hd])], dim: 1)
        vh = Tensor.cat([vh, Tensor.zeros([n * heads, 1, hd])], dim: 1)
        mask = mask.map { $0.pad([0, 1]) }
        kpm = kpm.map { $0.pad([0, 1]) }
        s += 1
    }
    if let p = kpm {
        let expanded = p.reshape([n, 1, 1, s]).expand([n, heads, 1, s]).reshape([n * heads, 1, s])
        mask = mask.map { $0 + expanded } ?? expanded
    }
    if isCausal && mask == nil { mask = causalMask(l, s).unsqueeze(0) }
    qh = qh.contiguous()
    let (attnOut, attn) = scaledDotProductAttention(qh, kh.contiguous(), vh.contiguous(), attnMask: mask.map { .additive($0) },
                                                    dropoutP: dropoutP, training: training, generator: generator)
    // [N·heads, L, hd] → [L, N, E] → output projection
    let merged = attnOut.transpose(0, 1).contiguous().reshape([l * n, e])
    var out = linear(merged, weight: w.outProjWeight, bias: w.outProjBias).reshape([l, n, e])
    if !batched { out = out.squeeze(1) }
    guard needWeights else { return (out, nil) }
    var weights = attn.reshape([n, heads, l, s])
    if averageAttnWeights { weights = weights.mean(dim: 1) }
    if !batched { weights = weights.squeeze(0) }
    return (out, weights)
}
