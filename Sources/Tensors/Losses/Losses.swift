/// Base of the loss modules, like PyTorch's `_Loss`: holds the reduction.
/// Losses print with empty parentheses (`CrossEntropyLoss()`), as in PyTorch.
open class Loss: Module {
    /// How per-element losses combine: `mean`, `sum` or `none`.
    public let reduction: Reduction

    /// A loss with the given reduction.
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
        super.init()
    }
}

/// Cross-entropy on logits with class-index targets, like `nn.CrossEntropyLoss`.
///
/// ```swift
/// let criterion = CrossEntropyLoss()
/// let loss = criterion(model(images), labels)   // labels: IntTensor [N]
/// ```
public final class CrossEntropyLoss: Loss {
    /// Per-class weights [C], or nil.
    @Buffer public var weight: Tensor?
    /// Targets with this class index contribute nothing (PyTorch's default -100).
    public let ignoreIndex: Int
    /// Amount of probability mass spread uniformly over the classes (0 = none).
    public let labelSmoothing: Float

    /// Validates `labelSmoothing` (0…1).
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.labelSmoothing = labelSmoothing
        super.init(reduction: reduction)
    }

    /// The loss of logits `input` [N, C] (or [N, C, …]) against class indices `target` [N] (or [N, …]).
    public func callAsFunction(_ input: Tensor, _ target: IntTensor) -> Tensor {
        crossEntropy(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction, labelSmoothing: labelSmoothing)
    }

    /// With class-probability targets shaped like the input.
    public func callAsFunction(_ input: Tensor, probabilities target: Tensor) -> Tensor {
        crossEntropy(input, probabilities: target, weight: weight, reduction: reduction, labelSmoothing: labelSmoothing)
    }
}

/// Negative log-likelihood of log-probabilities, like `nn.NLLLoss`.
public final class NLLLoss: Loss {
    /// Per-class weights [C], or nil.
    @Buffer public var weight: Tensor?
    /// Targets with this class index contribute nothing (PyTorch's default -100).
    public let ignoreIndex: Int

    /// A loss with optional class weights.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        super.init(reduction: reduction)
    }

    /// The loss of log-probabilities `input` [N, C] against class indices `target` [N].
    public func callAsFunction(_ input: Tensor, _ target: IntTensor) -> Tensor {
        nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    }
}

/// Mean squared error, like `nn.MSELoss`.
public final class MSELoss: Loss {
    /// A loss with the given reduction.
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    /// The loss of `input` against `target` of the same shape.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { mseLoss(input, target, reduction: reduction) }
}

/// Mean absolute error, like `nn.L1Loss`.
public final class L1Loss: Loss {
    /// A loss with the given reduction.
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    /// The loss of `input` against `target` of the same shape.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { l1Loss(input, target, reduction: reduction) }
}

/// Binary cross-entropy on logits, like `nn.BCEWithLogitsLoss`.
public final class BCEWithLogitsLoss: Loss {
    /// Per-element rescaling weight, broadcast to the input, or nil.
    @Buffer public var weight: Tensor?
    /// Weight of positive examples per class, broadcast to the input, or nil.
    @Buffer(name: "pos_weight") public var posWeight: Tensor? = nil

    /// A loss with optional element and positive-class weights.
    public init(weight: Tensor? = nil, reduction: Reduction = .mean, posWeight: Tensor? = nil) {
        self.weight = weight
        self.posWeight = posWeight
        super.init(reduction: reduction)
    }

    /// The loss of logits `input` against 0…1 targets of the same shape.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(input, target, weight: weight, posWeight: posWeight, reduction: reduction)
    }
}
