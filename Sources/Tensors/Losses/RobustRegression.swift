import Foundation

/// Smooth L1 loss, like `F.smooth_l1_loss`: quadratic below `beta`, linear above.
///
/// For d = input − target: 0.5·d²/β where |d| < β, else |d| − 0.5·β. With
/// β = 0 it is the L1 loss. Shapes broadcast as in PyTorch.
///
/// ```swift
/// let loss = smoothL1Loss(prediction, target, beta: 0.5)
/// ```
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, beta: Float = 1) -> Tensor {
    guard check(beta >= 0, "smooth_l1_loss", "smooth_l1_loss does not support negative values for beta.")
    else { return .meta(reduction == .none ? input.shape : []) }
    if beta == 0 { return l1Loss(input, target, reduction: reduction) }
    let d = input - target
    let a = d.abs()
    return reduction.apply(Tensor.where(a.lt(beta), d * d * (0.5 / beta), a - 0.5 * beta))
}

/// Huber loss, like `F.huber_loss`: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ).
///
/// Equals `smoothL1Loss` times δ (for δ = β). Shapes broadcast as in PyTorch.
public func huberLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, delta: Float = 1) -> Tensor {
    guard check(delta > 0, "huber_loss", "huber_loss does not support non-positive values for delta.")
    else { return .meta(reduction == .none ? input.shape : []) }
    let d = input - target
    let a = d.abs()
    return reduction.apply(Tensor.where(a.lt(delta), d * d * 0.5, (a - 0.5 * delta) * delta))
}

/// Smooth L1 loss, like `nn.SmoothL1Loss(reduction='mean', beta=1.0)`.
///
/// ```swift
/// let criterion = SmoothL1Loss(beta: 0.5)
/// let loss = criterion(boxes, targets)
/// ```
public final class SmoothL1Loss: PairLoss {
    /// The threshold between the quadratic and the linear part (≥ 0).
    public let beta: Float

    /// Traps with PyTorch's message for a negative `beta`.
    public init(reduction: Reduction = .mean, beta: Float = 1) {
        precondition(beta >= 0, "SmoothL1Loss: smooth_l1_loss does not support negative values for beta.")
        self.beta = beta
        super.init(reduction: reduction)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        smoothL1Loss(input, target, reduction: reduction, beta: beta)
    }
}

/// Huber loss, like `nn.HuberLoss(reduction='mean', delta=1.0)`.
public final class HuberLoss: PairLoss {
    /// The threshold between the quadratic and the linear part (> 0).
    public let delta: Float

    /// Traps with PyTorch's message for a non-positive `delta`.
    public init(reduction: Reduction = .mean, delta: Float = 1) {
        precondition(delta > 0, "HuberLoss: huber_loss does not support non-positive values for delta.")
        self.delta = delta
        super.init(reduction: reduction)
    }

    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        huberLoss(input, target, reduction: reduction, delta: delta)
    }
}
