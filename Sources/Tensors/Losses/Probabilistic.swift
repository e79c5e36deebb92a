import Foundation

// Losses on probabilities and likelihoods: BCE on probabilities, KL divergence,
// Poisson and Gaussian negative log-likelihood. All are derived from
// differentiable primitives (log, exp, where), so their gradients follow.

/// Binary cross-entropy on probabilities, like `F.binary_cross_entropy`.
///
/// loss = −w·[y·log x + (1 − y)·log(1 − x)], each log clamped at −100 as in
/// PyTorch (so x = 0 or 1 gives a finite loss). `input` must lie in [0, 1]
/// and `target` must have its shape; `weight` broadcasts to it. Prefer
/// `binaryCrossEntropyWithLogits` on logits: it is numerically stabler.
///
/// ```swift
/// let loss = binaryCrossEntropy(sigmoid(logits), labels)
/// ```
public func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                               reduction: Reduction = .mean) -> Tensor {
    let op = "binary_cross_entropy"
    let outShape = reduction == .none ? input.shape : []
    guard check(target.shape == input.shape, op,
                "Using a target size (\(target.shape)) that is different to the input size (\(input.shape)) is deprecated. Please ensure they have the same size.")
    else { return .meta(outShape) }
    if !input.isMeta {
        guard check(input.toArray().allSatisfy { $0 >= 0 && $0 <= 1 }, op,
                    "all elements of input should be between 0 and 1") else { return .meta(outShape) }
    }
    var loss = -(target * input.log().clamp(min: -100) + (1 - target) * (1 - input).log().clamp(min: -100))
    if let w = weight { loss = loss * w.expand(input.shape) }
    return reduction.apply(loss)
}

/// How `klDiv` combines per-element terms; `batchmean` (sum / batch size) is
/// the one that gives the true KL divergence, as PyTorch's docs recommend.
public enum KLDivReduction: String, Sendable, CaseIterable {
    case none, batchmean, sum, mean
}

/// Kullback–Leibler divergence, like `F.kl_div(input, target, reduction, log_target)`.
///
/// `input` holds log-probabilities; `target` probabilities (or
/// log-probabilities with `logTarget`). Elementwise
/// `target·(log target − input)` (0 where target = 0), or
/// `exp(target)·(target − input)` with `logTarget`. Shapes broadcast.
///
/// ```swift
/// let kl = klDiv(student.logSoftmax(dim: 1), teacher.softmax(dim: 1), reduction: .batchmean)
/// ```
public func klDiv(_ input: Tensor, _ target: Tensor, reduction: KLDivReduction = .mean, logTarget: Bool = false) -> Tensor {
    let loss: Tensor
    if logTarget {
        loss = target.exp() * (target - input)
    } else {
        // xlogy(t, t) − t·x: the log of a masked copy keeps 0·log 0 = 0 and its gradient finite.
        let positive = target.gt(0)
        let tlogt = Tensor.where(positive, target * Tensor.where(positive, target, 1).log(), 0)
        loss = tlogt - target * input
    }
    switch reduction {
    case .none: return loss
    case .sum: return loss.sum()
    case .mean: return loss.mean()
    case .batchmean: return input.rank == 0 ? loss.sum() : loss.sum() / Float(input.shape[0])
    }
}

/// Poisson negative log-likelihood, like `F.poisson_nll_loss`.
///
/// With `logInput` (the default) the input is log λ: loss = exp(x) − y·x;
/// otherwise it is λ: loss = x − y·log(x + eps). `full` adds Stirling's
/// approximation y·log y − y + 0.5·log(2πy) where y > 1.
public func poissonNLLLoss(_ input: Tensor, _ target: Tensor, logInput: Bool = true, full: Bool = false,
                           eps: Float = 1e-8, reduction: Reduction = .mean) -> Tensor {
    var loss = logInput ? input.exp() - target * input : input - target * (input + eps).log()
    if full {
        let big = target.gt(1)
        let safe = Tensor.where(big, target, 2)
        let stirling = safe * safe.log() - safe + 0.5 * (safe * (2 * Float.pi)).log()
        loss = loss + Tensor.where(big, stirling, 0)
    }
    return reduction.apply(loss)
}

/// Gaussian negative log-likelihood, like `F.gaussian_nll_loss`.
///
/// loss = 0.5·(log var + (input − target)²/var) (+ 0.5·log 2π with `full`),
/// var clamped to at least `eps` for stability; the clamp passes the gradient
/// through unchanged, as PyTorch's (done under no_grad) does. `variance` has
/// the input's shape, or it with the last dimension dropped or of size 1
/// (one variance per sample, heteroscedastic); its entries must not be negative.
///
/// ```swift
/// let (mean, variance) = head(x)
/// let loss = gaussianNLLLoss(mean, y, variance)
/// ```
public func gaussianNLLLoss(_ input: Tensor, _ target: Tensor, _ variance: Tensor, full: Bool = false,
                            eps: Float = 1e-6, reduction: Reduction = .mean) -> Tensor {
    let op = "gaussian_nll_loss"
    var v = variance
    if variance.shape != input.shape {
        if input.rank >= 1 && Array(input.shape.dropLast()) == variance.shape {
            v = variance.unsqueeze(-1)
        } else if input.rank >= 1 && variance.rank == input.rank && variance.shape.last == 1
                    && input.shape.dropLast() == variance.shape.dropLast() {
            // one variance per sample, broadcast along the last dimension
        } else {
            _ = check(false, op, "var is of incorrect size")
            return .meta(reduction == .none ? input.shape : [])
        }
    }
    if !variance.isMeta {
        guard check(!variance.toArray().contains { $0 < 0 }, op, "var has negative entry/entries")
        else { return .meta(reduction == .none ? input.shape : []) }
    }
    // var.clamp(min: eps) in value, identity in gradient.
    let clamped = v + (v.clamp(min: eps) - v).detach()
    let d = input - target
    var loss = 0.5 * (clamped.log() + d * d / clamped)
    if full { loss = loss + 0.5 * Foundation.log(2 * Float.pi) }
    return reduction.apply(loss)
}

/// Binary cross-entropy on probabilities, like `nn.BCELoss`.
public final class BCELoss: PairLoss {
    /// Per-element rescaling weight, broadcast to the input, or nil.
    @Buffer public var weight: Tensor?

    /// A loss with an optional element weight.
    public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        super.init(reduction: reduction)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        binaryCrossEntropy(input, target, weight: weight, reduction: reduction)
    }
}

/// Kullback–Leibler divergence on log-probabilities, like `nn.KLDivLoss`.
///
/// ```swift
/// let criterion = KLDivLoss(reduction: .batchmean, logTarget: true)
/// let loss = criterion(logq, logp)
/// ```
public final class KLDivLoss: PairLoss {
    /// The reduction, with `batchmean` (sum divided by the batch size).
    public let klReduction: KLDivReduction
    /// Whether the target holds log-probabilities.
    public let logTarget: Bool

    /// A KL divergence loss (PyTorch's default reduction `mean` averages over all elements).
    public init(reduction: KLDivReduction = .mean, logTarget: Bool = false) {
        klReduction = reduction
        self.logTarget = logTarget
        super.init(reduction: Reduction(rawValue: reduction.rawValue) ?? .sum)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        klDiv(input, target, reduction: klReduction, logTarget: logTarget)
    }
}

/// Poisson negative log-likelihood, like `nn.PoissonNLLLoss`.
public final class PoissonNLLLoss: PairLoss {
    /// Whether the input is log λ (else λ).
    public let logInput: Bool
    /// Whether to add the Stirling term.
    public let full: Bool
    /// Added to λ before the log when `logInput` is false.
    public let eps: Float

    /// A Poisson NLL loss with PyTorch's defaults.
    public init(logInput: Bool = true, full: Bool = false, eps: Float = 1e-8, reduction: Reduction = .mean) {
        self.logInput = logInput
        self.full = full
        self.eps = eps
        super.init(reduction: reduction)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        poissonNLLLoss(input, target, logInput: logInput, full: full, eps: eps, reduction: reduction)
    }
}

/// Gaussian negative log-likelihood, like `nn.GaussianNLLLoss`; called as
/// `criterion(input, target, variance)` (the erased call takes the three tensors).
public final class GaussianNLLLoss: Loss {
    /// Whether to add the constant 0.5·log 2π.
    public let full: Bool
    /// Lower clamp of the variance.
    public let eps: Float

    /// A Gaussian NLL loss with PyTorch's defaults.
    public init(full: Bool = false, eps: Float = 1e-6, reduction: Reduction = .mean) {
        self.full = full
        self.eps = eps
        super.init(reduction: reduction)
    }

    /// The loss of predicted means `input` with `variance` against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, _ variance: Tensor) -> Tensor {
        callLoss([input, target, variance]) {
            gaussianNLLLoss(input, target, variance, full: full, eps: eps, reduction: reduction)
        }
    }

    public override var tensorArity: Int { 3 }
    public override func loss(tensors inputs: [Tensor]) -> Tensor {
        gaussianNLLLoss(inputs[0], inputs[1], inputs[2], full: full, eps: eps, reduction: reduction)
    }
}
