import Foundation

// Margin and hinge losses: SoftMargin, MultiLabelSoftMargin, MultiLabelMargin,
// MultiMargin, MarginRanking, HingeEmbedding. Derived from differentiable
// primitives (relu, where, gather, log, exp); integer targets become constant masks.

/// log(1 + e^x), computed stably as max(x, 0) + log(1 + e^(−|x|)).
func stableSoftplus(_ x: Tensor) -> Tensor {
    x.relu() + ((-x.abs()).exp() + 1).log()
}

/// A [N, C] float mask with `value` at (n, target[n]).
func classMask(_ target: [Int], classes c: Int, value: Float = 1) -> Tensor {
    var m = [Float](repeating: 0, count: target.count * c)
    for (n, y) in target.enumerated() { m[n * c + y] = value }
    return Tensor(m, shape: [target.count, c])
}

/// Two-class logistic loss, like `F.soft_margin_loss`: log(1 + exp(−y·x)) for targets ±1.
public func softMarginLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduction.apply(stableSoftplus(-(target * input)))
}

/// Multi-label one-versus-all logistic loss, like `F.multilabel_soft_margin_loss`.
///
/// Per sample: −(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)], for
/// `input` and 0/1 `target` of shape [N, C] (or [C]); `weight` [C] optional.
public func multilabelSoftMarginLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                                     reduction: Reduction = .mean) -> Tensor {
    let op = "multilabel_soft_margin_loss"
    guard check(input.rank >= 1, op, "input must have at least 1 dimension"),
          check(target.shape == input.shape, op,
                "target of shape \(target.shape) does not match input of shape \(input.shape)")
    else { return .meta([]) }
    // log σ(x) = −softplus(−x)
    var loss = target * stableSoftplus(-input) + (1 - target) * stableSoftplus(input)
    if let w = weight { loss = loss * w }
    let classDim = input.rank - 1
    let perSample = loss.sum(dim: classDim) / Float(input.shape[classDim])
    return reduction.apply(perSample)
}

/// Multi-class multi-label hinge loss, like `F.multilabel_margin_loss`.
///
/// `target` (an integer tensor shaped like `input`, [C] or [N, C]) lists each
/// sample's classes, ended by the first −1. Per sample:
/// Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)) / C.
public func multilabelMarginLoss(_ input: Tensor, _ target: IntTensor, reduction: Reduction = .mean) -> Tensor {
    let op = "multilabel_margin_loss"
    guard check(input.rank == 1 || input.rank == 2, op,
                "Expected non-empty vector or matrix with optional 0-dim batch size, but got: \(input.shape)"),
          check(target.shape == input.shape, op,
                "inconsistent target size: \(target.shape) for input of size: \(input.shape)")
    else { return .meta([]) }
    let batched = input.rank == 2
    let n = batched ? input.shape[0] : 1, c = input.shape[input.rank - 1]
    let outShape = reduction == .none && batched ? [n] : []
    for v in target.values {
        guard check(v >= -1 && v < c, op, "target value \(v) out of range for \(c) classes") else { return .meta(outShape) }
    }
    // pairs[n, j, i] counts how often (listed target j, non-target i) occurs.
    var pairs = [Float](repeating: 0, count: n * c * c)
    for s in 0..<n {
        var listed: [Int] = []
        for k in 0..<c {
            let y = target.values[s * c + k]
            if y < 0 { break }
            listed.append(y)
        }
        let isTarget = Set(listed)
        for j in listed { for i in 0..<c where !isTarget.contains(i) { pairs[(s * c + j) * c + i] += 1 } }
    }
    let x = input.reshape([n, c])
    let margins = (1 - x.unsqueeze(2) + x.unsqueeze(1)).relu() * Tensor(pairs, shape: [n, c, c])
    var perSample = margins.sum(dims: [1, 2]) / Float(c)
    if !batched { perSample = perSample.reshape([]) }
    return reduction.apply(perSample)
}

/// Multi-class hinge loss, like `F.multi_margin_loss`.
///
/// For `input` [N, C] (or [C]) and class indices `target` [N] (or scalar):
/// per sample Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C, with p 1 or 2.
public func multiMarginLoss(_ input: Tensor, _ target: IntTensor, p: Int = 1, margin: Float = 1,
                            weight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    let op = "multi_margin_loss"
    guard check(p == 1 || p == 2, op, "only p == 1 and p == 2 supported"),
          check(input.rank == 1 || input.rank == 2, op,
                "Expected non-empty vector or matrix with optional 0-dim batch size, but got: \(input.shape)")
    else { return .meta([]) }
    let batched = input.rank == 2
    let n = batched ? input.shape[0] : 1, c = input.shape[input.rank - 1]
    let outShape = reduction == .none && batched ? [n] : []
    guard check(target.rank <= 1 && target.count == n, op,
                "inconsistent target size, expected \(n) but got \(target.shape)") else { return .meta(outShape) }
    for v in target.values {
        guard check(v >= 0 && v < c, op, "target out of range") else { return .meta(outShape) }
    }
    if let w = weight {
        guard check(w.rank == 1 && w.count == c, op,
                    "inconsistent weight size, expected \(c) but got \(w.shape)") else { return .meta(outShape) }
    }
    let x = input.reshape([n, c])
    let index = IntTensor(target.values, shape: [n, 1])
    let xy = x.gather(1, index)                                        // [N, 1]
    let others = 1 - classMask(target.values, classes: c)              // zero at the target class
    var h = (margin - xy + x).relu()
    if p == 2 { h = h * h }
    h = h * others
    if let w = weight { h = h * w.reshape([c]).gather(0, IntTensor(target.values)).reshape([n, 1]) }
    var perSample = h.sum(dim: 1) / Float(c)
    if !batched { perSample = perSample.reshape([]) }
    return reduction.apply(perSample)
}

/// Ranking hinge loss, like `F.margin_ranking_loss`: max(0, −y·(x1 − x2) + margin).
public func marginRankingLoss(_ input1: Tensor, _ input2: Tensor, _ target: Tensor, margin: Float = 0,
                              reduction: Reduction = .mean) -> Tensor {
    guard check(input1.rank == input2.rank && input1.rank == target.rank, "margin_ranking_loss",
                "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: \(input1.shape), input2: \(input2.shape), target: \(target.shape) ")
    else { return .meta([]) }
    return reduction.apply((-target * (input1 - input2) + margin).relu())
}

/// Hinge embedding loss, like `F.hinge_embedding_loss`: x where y = 1,
/// max(0, margin − x) where y = −1 (PyTorch adds both parts for other targets).
public func hingeEmbeddingLoss(_ input: Tensor, _ target: Tensor, margin: Float = 1,
                               reduction: Reduction = .mean) -> Tensor {
    let marginPart = Tensor.where(target.ne(1), (margin - input).relu(), 0)
    let selfPart = Tensor.where(target.ne(-1), input, 0)
    return reduction.apply(marginPart + selfPart)
}

/// Two-class logistic loss, like `nn.SoftMarginLoss`.
public final class SoftMarginLoss: PairLoss {
    /// A loss with the given reduction.
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { softMarginLoss(input, target, reduction: reduction) }
}

/// Multi-label one-versus-all logistic loss, like `nn.MultiLabelSoftMarginLoss`.
public final class MultiLabelSoftMarginLoss: PairLoss {
    /// Per-class weights [C], or nil.
    @Buffer public var weight: Tensor?

    /// A loss with optional class weights.
    public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        super.init(reduction: reduction)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        multilabelSoftMarginLoss(input, target, weight: weight, reduction: reduction)
    }
}

/// Multi-class multi-label hinge loss, like `nn.MultiLabelMarginLoss`.
public final class MultiLabelMarginLoss: Loss {
    /// A loss with the given reduction.
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }

    /// The loss of scores `input` [N, C] against −1-terminated class lists `target` [N, C].
    public func callAsFunction(_ input: Tensor, _ target: IntTensor) -> Tensor {
        callLoss([input]) { multilabelMarginLoss(input, target, reduction: reduction) }
    }
}

/// Multi-class hinge loss, like `nn.MultiMarginLoss`.
public final class MultiMarginLoss: Loss {
    /// The exponent, 1 or 2.
    public let p: Int
    /// The margin (default 1).
    public let margin: Float
    /// Per-class weights [C], or nil.
    @Buffer public var weight: Tensor?

    /// Traps with PyTorch's message unless `p` is 1 or 2.
    public init(p: Int = 1, margin: Float = 1, weight: Tensor? = nil, reduction: Reduction = .mean) {
        precondition(p == 1 || p == 2, "MultiMarginLoss: only p == 1 and p == 2 supported")
        if let weight { precondition(weight.rank == 1, "MultiMarginLoss: weight must be a 1D Tensor") }
        self.p = p
        self.margin = margin
        self.weight = weight
        super.init(reduction: reduction)
    }

    /// The loss of scores `input` [N, C] against class indices `target` [N].
    public func callAsFunction(_ input: Tensor, _ target: IntTensor) -> Tensor {
        callLoss([input]) { multiMarginLoss(input, target, p: p, margin: margin, weight: weight, reduction: reduction) }
    }
}

/// Ranking hinge loss, like `nn.MarginRankingLoss`; called as `criterion(x1, x2, y)`.
public final class MarginRankingLoss: Loss {
    /// The margin (default 0).
    public let margin: Float

    /// A ranking loss with the given margin.
    public init(margin: Float = 0, reduction: Reduction = .mean) {
        self.margin = margin
        super.init(reduction: reduction)
    }

    /// The loss of scores `input1`, `input2` with targets ±1 (1: `input1` should rank higher).
    public func callAsFunction(_ input1: Tensor, _ input2: Tensor, _ target: Tensor) -> Tensor {
        callLoss([input1, input2, target]) { marginRankingLoss(input1, input2, target, margin: margin, reduction: reduction) }
    }

    public override var tensorArity: Int { 3 }
    public override func loss(tensors inputs: [Tensor]) -> Tensor {
        marginRankingLoss(inputs[0], inputs[1], inputs[2], margin: margin, reduction: reduction)
    }
}

/// Hinge embedding loss, like `nn.HingeEmbeddingLoss`.
public final class HingeEmbeddingLoss: PairLoss {
    /// The margin for negative pairs (default 1).
    public let margin: Float

    /// A loss with the given margin.
    public init(margin: Float = 1, reduction: Reduction = .mean) {
        self.margin = margin
        super.init(reduction: reduction)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        hingeEmbeddingLoss(input, target, margin: margin, reduction: reduction)
    }
}
