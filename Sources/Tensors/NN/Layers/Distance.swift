/// Cosine similarity of two inputs along `dim`, like `nn.CosineSimilarity`.
///
/// ```swift
/// let cos = CosineSimilarity(dim: 1)      // CosineSimilarity()
/// let s = cos(a, b)                       // [N] for [N, D] inputs
/// ```
public final class CosineSimilarity: Module {
    /// The dimension reduced.
    public let dim: Int
    /// Lower bound of each norm.
    public let eps: Double

    /// A cosine similarity with PyTorch's defaults.
    public init(dim: Int = 1, eps: Double = 1e-8) {
        self.dim = dim
        self.eps = eps
        super.init()
    }

    /// The similarity of `x1` and `x2` (broadcast).
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor {
        call(inputs: [x1, x2], outputs: { [$0] }) { cosineSimilarity(x1, x2, dim: dim, eps: eps) }
    }

    /// `[x1, x2]` → `[similarity]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected [x1, x2], got \(inputs.count) tensors") }
        return [self(inputs[0], inputs[1])]
    }
}

/// p-norm distance between rows of two inputs, like `nn.PairwiseDistance`.
public final class PairwiseDistance: Module {
    /// The p of the norm.
    public let norm: Double
    /// Added to the difference (avoids a zero norm's undefined gradient).
    public let eps: Double
    /// Whether the reduced dimension is kept.
    public let keepdim: Bool

    /// A pairwise distance with PyTorch's defaults.
    public init(p: Double = 2, eps: Double = 1e-6, keepdim: Bool = false) {
        norm = p
        self.eps = eps
        self.keepdim = keepdim
        super.init()
    }

    /// The distance of `x1` and `x2` along the last dimension.
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor {
        call(inputs: [x1, x2], outputs: { [$0] }) { pairwiseDistance(x1, x2, p: norm, eps: eps, keepdim: keepdim) }
    }

    /// `[x1, x2]` → `[distance]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected [x1, x2], got \(inputs.count) tensors") }
        return [self(inputs[0], inputs[1])]
    }
}
