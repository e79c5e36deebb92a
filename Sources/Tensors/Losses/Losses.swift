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

    /// Runs `body` as a call of this loss on `inputs` (named in shape errors,
    /// recorded by `validate`), returning the loss tensor.
    public func callLoss(_ inputs: [Tensor], _ body: () -> Tensor) -> Tensor {
        call(inputs: inputs, outputs: { [$0] }, body)
    }

    /// The number of float tensors the erased call `forward(tensors:)` takes
    /// (`[input, target]`, or three for losses such as `MarginRankingLoss`);
    /// 0 for losses with integer targets, which have only their typed call.
    open var tensorArity: Int { 0 }

    /// The loss of `inputs` (exactly `tensorArity` float tensors), for tools
    /// that call modules without knowing their signature.
    open func loss(tensors inputs: [Tensor]) -> Tensor {
        fatalError("\(typeName) has no tensor-list call")
    }

    /// `[input, target]` (or the loss's `tensorArity` tensors) → `[loss]`.
    open override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard tensorArity > 0 else {
            throw ShapeError(op: typeName, "this loss takes integer targets; call it with its own signature")
        }
        guard inputs.count == tensorArity else {
            throw ShapeError(op: typeName, "expected \(tensorArity) input tensors, got \(inputs.count)")
        }
        return [callLoss(inputs) { loss(tensors: inputs) }]
    }
}

/// A loss of one input against one float target of the same shape; the
/// erased call takes `[input, target]`. Subclasses implement `loss(_:_:)`.
open class PairLoss: Loss {
    /// The loss of `input` against `target`, without module bookkeeping.
    open func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        fatalError("\(typeName).loss(_:_:) is not implemented")
    }

    /// The loss of `input` against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        callLoss([input, target]) { loss(input, target) }
    }

    public override var tensorArity: Int { 2 }
    public override func loss(tensors inputs: [Tensor]) -> Tensor { loss(inputs[0], inputs[1]) }
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
        callLoss([input]) {
            crossEntropy(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction, labelSmoothing: labelSmoothing)
        }
    }

    /// With class-probability targets shaped like the input.
    public func callAsFunction(_ input: Tensor, probabilities target: Tensor) -> Tensor {
        callLoss([input, target]) {
            crossEntropy(input, probabilities: target, weight: weight, reduction: reduction, labelSmoothing: labelSmoothing)
        }
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
        callLoss([input]) { nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction) }
    }
}

/// Mean squared error, like `nn.MSELoss`.
public final class MSELoss: PairLoss {
    /// A loss with the given reduction.
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { mseLoss(input, target, reduction: reduction) }
}

/// Mean absolute error, like `nn.L1Loss`.
public final class L1Loss: PairLoss {
    /// A loss with the given reduction.
    public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { l1Loss(input, target, reduction: reduction) }
}

/// Binary cross-entropy on logits, like `nn.BCEWithLogitsLoss`.
public final class BCEWithLogitsLoss: PairLoss {
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
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(input, target, weight: weight, posWeight: posWeight, reduction: reduction)
    }
}
