/// Base of the loss modules, like PyTorch's `_Loss`: holds the reduction.
/// Losses print with empty parentheses (`CrossEntropyLoss()`), as in PyTorch.
open class Loss: Module {
    public let reduction: Reduction

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
    public let ignoreIndex: Int
    public let labelSmoothing: Float

    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.labelSmoothing = labelSmoothing
        super.init(reduction: reduction)
    }

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
    @Buffer public var weight: Tensor?
    public let ignoreIndex: Int

    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        super.init(reduction: reduction)
    }

    public func callAsFunction(_ input: Tensor, _ target: IntTensor) -> Tensor {
        nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    }
}

/// Mean squared error, like `nn.MSELoss`.
public final class MSELoss: Loss {
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { mseLoss(input, target, reduction: reduction) }
}

/// Mean absolute error, like `nn.L1Loss`.
public final class L1Loss: Loss {
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { l1Loss(input, target, reduction: reduction) }
}

/// Binary cross-entropy on logits, like `nn.BCEWithLogitsLoss`.
public final class BCEWithLogitsLoss: Loss {
    @Buffer public var weight: Tensor?
    @Buffer(name: "pos_weight") public var posWeight: Tensor? = nil

    public init(weight: Tensor? = nil, reduction: Reduction = .mean, posWeight: Tensor? = nil) {
        self.weight = weight
        self.posWeight = posWeight
        super.init(reduction: reduction)
    }

    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(input, target, weight: weight, posWeight: posWeight, reduction: reduction)
    }
}
