import Foundation

// Losses on pairs and triplets of embeddings: CosineEmbedding, TripletMargin,
// TripletMarginWithDistance. Derived from sum, sqrt, norm and where.

/// Cosine embedding loss, like `F.cosine_embedding_loss`.
///
/// For rows x1, x2 ([N, D] with target [N], or [D] with a scalar target) and
/// cos = x1·x2 / sqrt((‖x1‖² + 1e-12)(‖x2‖² + 1e-12)): 1 − cos where y = 1,
/// max(0, cos − margin) where y = −1.
public func cosineEmbeddingLoss(_ input1: Tensor, _ input2: Tensor, _ target: Tensor, margin: Float = 0,
                                reduction: Reduction = .mean) -> Tensor {
    let op = "cosine_embedding_loss"
    guard check(target.rank <= 1, op, "0D or 1D target tensor expected, multi-target not supported") else { return .meta([]) }
    if target.rank == 1 {
        guard check(input1.rank == 2 && input2.rank == 2, op,
                    "1D target tensor expects 2D input tensors, but found inputs with sizes \(input1.shape) and \(input2.shape).")
        else { return .meta([]) }
    } else {
        guard check(input1.rank == 1 && input2.rank == 1, op,
                    "0D target tensor expects 1D input tensors, but found inputs with sizes \(input1.shape) and \(input2.shape).")
        else { return .meta([]) }
    }
    let dim = target.rank
    let epsilon: Float = 1e-12
    let prod = (input1 * input2).sum(dim: dim)
    let mag1 = (input1 * input1).sum(dim: dim) + epsilon
    let mag2 = (input2 * input2).sum(dim: dim) + epsilon
    let cos = prod / (mag1 * mag2).sqrt()
    let pos = Tensor.where(target.eq(1), 1 - cos, 0)
    let neg = Tensor.where(target.eq(-1), (cos - margin).relu(), 0)
    return reduction.apply(pos + neg)
}

/// Checks the ranks the triplet losses accept.
private func tripletRanksOK(_ op: String, _ a: Tensor, _ p: Tensor, _ n: Tensor) -> Bool {
    check(a.rank == p.rank && p.rank == n.rank, op,
          "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor \(a.rank)D, positive \(p.rank)D, and negative \(n.rank)D inputs")
}

/// Triplet margin loss, like `F.triplet_margin_loss`:
/// max(d(a, p) − d(a, n) + margin, 0) with the p-norm pairwise distance;
/// `swap` uses min(d(a, n), d(p, n)) as the negative distance.
public func tripletMarginLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, margin: Float = 1,
                              p: Float = 2, eps: Float = 1e-6, swap: Bool = false,
                              reduction: Reduction = .mean) -> Tensor {
    guard tripletRanksOK("triplet_margin_loss", anchor, positive, negative) else { return .meta([]) }
    return tripletMarginWithDistanceLoss(anchor, positive, negative, distance: {
        pairwiseDistance($0, $1, p: Double(p), eps: Double(eps))
    }, margin: margin, swap: swap, reduction: reduction)
}

/// Triplet loss with any distance, like `F.triplet_margin_with_distance_loss`
/// (the default distance is `pairwiseDistance`).
public func tripletMarginWithDistanceLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor,
                                          distance: ((Tensor, Tensor) -> Tensor)? = nil, margin: Float = 1,
                                          swap: Bool = false, reduction: Reduction = .mean) -> Tensor {
    let op = "triplet_margin_with_distance_loss"
    guard check(margin > 0, op, "triplet_margin_with_distance_loss: expected margin to be greater than 0, got \(pythonFloat(Double(margin))) instead"),
          tripletRanksOK(op, anchor, positive, negative)
    else { return .meta([]) }
    let d = distance ?? { pairwiseDistance($0, $1) }
    let dPos = d(anchor, positive)
    var dNeg = d(anchor, negative)
    if swap { dNeg = dNeg.minimum(d(positive, negative)) }
    return reduction.apply((dPos - dNeg + margin).relu())
}

/// Cosine embedding loss, like `nn.CosineEmbeddingLoss`; called as `criterion(x1, x2, y)`.
public final class CosineEmbeddingLoss: Loss {
    /// The margin for dissimilar pairs (default 0).
    public let margin: Float

    /// A loss with the given margin.
    public init(margin: Float = 0, reduction: Reduction = .mean) {
        self.margin = margin
        super.init(reduction: reduction)
    }

    /// The loss of embeddings `input1`, `input2` with targets ±1 (1: similar).
    public func callAsFunction(_ input1: Tensor, _ input2: Tensor, _ target: Tensor) -> Tensor {
        callLoss([input1, input2, target]) { cosineEmbeddingLoss(input1, input2, target, margin: margin, reduction: reduction) }
    }

    public override var tensorArity: Int { 3 }
    public override func loss(tensors inputs: [Tensor]) -> Tensor {
        cosineEmbeddingLoss(inputs[0], inputs[1], inputs[2], margin: margin, reduction: reduction)
    }
}

/// Triplet margin loss, like `nn.TripletMarginLoss`; called as `criterion(anchor, positive, negative)`.
public final class TripletMarginLoss: Loss {
    /// The margin (default 1).
    public let margin: Float
    /// The norm degree of the pairwise distance (default 2).
    public let p: Float
    /// Added to the difference before the norm.
    public let eps: Float
    /// Whether to use the distance swap.
    public let swap: Bool

    /// A triplet loss with PyTorch's defaults.
    public init(margin: Float = 1, p: Float = 2, eps: Float = 1e-6, swap: Bool = false, reduction: Reduction = .mean) {
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap
        super.init(reduction: reduction)
    }

    /// The loss of an anchor, positive and negative batch.
    public func callAsFunction(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor) -> Tensor {
        callLoss([anchor, positive, negative]) { loss(tensors: [anchor, positive, negative]) }
    }

    public override var tensorArity: Int { 3 }
    public override func loss(tensors inputs: [Tensor]) -> Tensor {
        tripletMarginLoss(inputs[0], inputs[1], inputs[2], margin: margin, p: p, eps: eps, swap: swap, reduction: reduction)
    }
}

/// Triplet loss with a custom distance, like `nn.TripletMarginWithDistanceLoss`.
///
/// ```swift
/// let criterion = TripletMarginWithDistanceLoss(distance: { ($0 - $1).abs().sum(dim: -1) }, margin: 0.5)
/// ```
public final class TripletMarginWithDistanceLoss: Loss {
    /// The distance between two batches of embeddings (nil: `pairwiseDistance`).
    public let distance: ((Tensor, Tensor) -> Tensor)?
    /// The margin (must be positive).
    public let margin: Float
    /// Whether to use the distance swap.
    public let swap: Bool

    /// Traps with PyTorch's message unless `margin` > 0.
    public init(distance: ((Tensor, Tensor) -> Tensor)? = nil, margin: Float = 1, swap: Bool = false,
                reduction: Reduction = .mean) {
        precondition(margin > 0, "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got \(margin) instead")
        self.distance = distance
        self.margin = margin
        self.swap = swap
        super.init(reduction: reduction)
    }

    /// The loss of an anchor, positive and negative batch.
    public func callAsFunction(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor) -> Tensor {
        callLoss([anchor, positive, negative]) { loss(tensors: [anchor, positive, negative]) }
    }

    public override var tensorArity: Int { 3 }
    public override func loss(tensors inputs: [Tensor]) -> Tensor {
        tripletMarginWithDistanceLoss(inputs[0], inputs[1], inputs[2], distance: distance, margin: margin, swap: swap,
                                      reduction: reduction)
    }
}
