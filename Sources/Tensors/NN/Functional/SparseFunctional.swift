import Foundation

/// Looks up rows of `weight` `[V, D]` for integer `indices` `[*]`, giving
/// `[*, D]`, like `F.embedding`.
///
/// - `paddingIdx`: that row gets no gradient (negative counts from V).
/// - `maxNorm`: rows looked up whose `normType`-norm exceeds it are rescaled
///   to `maxNorm` **in place** first (as PyTorch does; outside autograd).
/// - `scaleGradByFreq`: each row's gradient is divided by how often its
///   index occurs in the batch.
///
/// A primitive: backward adds the output gradient's rows into a dense
/// `[V, D]` gradient (PyTorch's `sparse=True` gradient is not implemented;
/// the dense one has the same values).
public func embedding(_ indices: IntTensor, _ weight: Tensor, paddingIdx: Int? = nil, maxNorm: Double? = nil,
                      normType: Double = 2, scaleGradByFreq: Bool = false) -> Tensor {
    guard check(weight.rank == 2, "embedding", "'weight' must be 2-D, got shape \(weight.shape)") else {
        return .meta(indices.shape + [1])
    }
    let v = weight.shape[0], d = weight.shape[1]
    let outShape = indices.shape + [d]
    for i in indices.values where i < 0 || i >= v {
        ShapeCheck.fail(ShapeError(op: "embedding", "index \(i) is out of range for an embedding with \(v) rows"))
        return .meta(outShape)
    }
    let pad = paddingIdx.map { $0 < 0 ? $0 + v : $0 }
    if weight.isMeta { return .meta(outShape) }
    if let maxNorm { embeddingRenorm(weight, indices.values, maxNorm: maxNorm, normType: normType) }
    let wc = weight.isContiguous ? weight : weight.contiguousCopy()
    let n = indices.count
    let out = Tensor(uninitialized: outShape)
    let wp = UnsafePointer(wc.dataPointer), op = out.dataPointer
    indices.values.withUnsafeBufferPointer { idx in
        for k in 0..<n { (op + k * d).update(from: wp + idx[k] * d, count: d) }
    }
    withExtendedLifetime(wc) {}
    return out.recording("EmbeddingBackward0", [weight]) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let gp = UnsafePointer(gc.dataPointer)
        let dw = Tensor.zeros([v, d])
        let dp = dw.dataPointer
        var counts: [Int] = []
        if scaleGradByFreq {
            counts = [Int](repeating: 0, count: v)
            for i in indices.values { counts[i] += 1 }
        }
        indices.values.withUnsafeBufferPointer { idx in
            for k in 0..<n {
                let row = idx[k]
                if row == pad { continue }
                let scale: Float = scaleGradByFreq ? 1 / Float(counts[row]) : 1
                let dst = dp + row * d, src = gp + k * d
                for j in 0..<d { dst[j] += src[j] * scale }
            }
        }
        withExtendedLifetime(gc) {}
        return [dw]
    }
}

/// Rescales, in place and outside autograd, the rows `rows` of `weight`
/// whose p-norm exceeds `maxNorm`, like `torch.embedding_renorm_`.
func embeddingRenorm(_ weight: Tensor, _ rows: [Int], maxNorm: Double, normType: Double) {
    guard weight.isContiguous, !weight.isMeta else { return }
    let d = weight.shape[1]
    let p = weight.dataPointer
    weight.storage.version += 1
    for row in Set(rows) {
        let r = p + row * d
        var norm = 0.0
        if normType == .infinity {
            for j in 0..<d { norm = max(norm, Double(abs(r[j]))) }
        } else {
            for j in 0..<d { norm += Foundation.pow(Double(abs(r[j])), normType) }
            norm = Foundation.pow(norm, 1 / normType)
        }
        if norm > maxNorm {
            let scale = Float(maxNorm / (norm + 1e-7))
            for j in 0..<d { r[j] *= scale }
        }
    }
}

/// How `EmbeddingBag` reduces each bag.
public enum EmbeddingBagMode: String, Sendable {
    case sum, mean, max
}

/// Sums, averages or takes the maximum of the embeddings of each bag, like
/// `F.embedding_bag`.
///
/// `input` is `[B, L]` (B bags of L indices; `offsets` must be nil) or 1-D
/// with `offsets` `[B]` marking where each bag starts (`includeLastOffset`:
/// the last offset is the end of the last bag). `perSampleWeights` (same
/// shape as `input`, mode `.sum` only) scales each embedding. Indices equal to
/// `paddingIdx` are left out of their bag (and of a mean's count). An empty
/// bag gives zeros. Derived from `embedding` and reductions.
public func embeddingBag(_ input: IntTensor, _ weight: Tensor, offsets: IntTensor? = nil, maxNorm: Double? = nil,
                         normType: Double = 2, scaleGradByFreq: Bool = false, mode: EmbeddingBagMode = .mean,
                         perSampleWeights: Tensor? = nil, includeLastOffset: Bool = false,
                         paddingIdx: Int? = nil) -> Tensor {
    let op = "embedding_bag"
    let d = weight.rank == 2 ? weight.shape[1] : 1
    var bags: [Range<Int>] = []
    if input.rank == 2 {
        guard check(offsets == nil, op, "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.")
        else { return .meta([0, d]) }
        let l = input.shape[1]
        bags = (0..<input.shape[0]).map { $0 * l..<($0 + 1) * l }
    } else {
        guard check(input.rank == 1, op, "input has to be 1D or 2D Tensor, but got Tensor of dimension \(input.rank)"),
              check(offsets != nil, op, "offsets has to be given for a 1D input"),
              let offsets, check(offsets.rank == 1, op, "offsets has to be a 1D Tensor but got a \(offsets.rank)-D tensor")
        else { return .meta([0, d]) }
        var starts = offsets.values
        guard check(starts.first.map { $0 == 0 } ?? true, op, "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got \(starts.first ?? 0)"),
              check(zip(starts, starts.dropFirst()).allSatisfy { $0 <= $1 } && (starts.last ?? 0) <= input.count, op,
                    "offsets must be non-decreasing and at most the input length \(input.count), got \(starts)")
        else { return .meta([0, d]) }
        if !includeLastOffset { starts.append(input.count) }
        bags = zip(starts, starts.dropFirst()).map { $0..<$1 }
    }
    if let w = perSampleWeights {
        guard check(mode == .sum, op, "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='\(mode.rawValue)'). Please open a feature request on GitHub."),
              check(w.shape == input.shape, op, "embedding_bag: If per_sample_weights (\(w.shape)) is not None, then it must have the same shape as the input (\(input.shape))")
        else { return .meta([bags.count, d]) }
    }
    let rows = embedding(IntTensor(input.values), weight, paddingIdx: paddingIdx, maxNorm: maxNorm, normType: normType,
                         scaleGradByFreq: scaleGradByFreq)
    if rows.isMeta { return .meta([bags.count, d]) }
    let v = weight.shape[0]
    let pad = paddingIdx.map { $0 < 0 ? $0 + v : $0 }
    let weighted = perSampleWeights.map { rows * $0.reshape([input.count, 1]) } ?? rows
    let reduced: [Tensor] = bags.map { bag in
        let keep = bag.filter { input.values[$0] != pad }
        if keep.isEmpty { return Tensor.zeros([d]) }
        let members = keep.count == bag.count ? weighted.narrow(0, start: bag.lowerBound, length: bag.count)
            : weighted.indexSelect(0, IntTensor(keep))
        switch mode {
        case .sum: return members.sum(dim: 0)
        case .mean: return members.mean(dim: 0)
        case .max: return members.amax(dims: [0])
        }
    }
    return Tensor.stack(reduced, dim: 0)
}

/// Cosine similarity along `dim`, like `F.cosine_similarity`:
/// `Σ x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps))` (inputs broadcast).
public func cosineSimilarity(_ x1: Tensor, _ x2: Tensor, dim: Int = 1, eps: Double = 1e-8) -> Tensor {
    guard let shape = broadcastShapes(x1.shape, x2.shape, op: "cosine_similarity") else { return .meta(x1.shape) }
    let r = shape.count
    let dd = dim < 0 ? dim + r : dim
    guard check(dd >= 0 && dd < r, "cosine_similarity", "dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))")
    else { return .meta(shape) }
    var outShape = shape
    outShape.remove(at: dd)
    if x1.isMeta || x2.isMeta { return .meta(outShape) }
    let n1 = x1.norm(p: 2, dim: dd, keepdim: true).clamp(min: Float(eps))
    let n2 = x2.norm(p: 2, dim: dd, keepdim: true).clamp(min: Float(eps))
    return ((x1 / n1) * (x2 / n2)).sum(dim: dd)
}

/// p-norm distance of each pair of rows along the last dimension, like
/// `F.pairwise_distance`: `‖x1 − x2 + eps‖_p`.
public func pairwiseDistance(_ x1: Tensor, _ x2: Tensor, p: Double = 2, eps: Double = 1e-6, keepdim: Bool = false) -> Tensor {
    guard let shape = broadcastShapes(x1.shape, x2.shape, op: "pairwise_distance") else { return .meta(x1.shape) }
    if x1.isMeta || x2.isMeta {
        var out = shape
        if !out.isEmpty { if keepdim { out[out.count - 1] = 1 } else { out.removeLast() } }
        return .meta(out)
    }
    let diff = x1 - x2 + Float(eps)
    return diff.norm(p: Float(p), dim: -1, keepdim: keepdim)
}
