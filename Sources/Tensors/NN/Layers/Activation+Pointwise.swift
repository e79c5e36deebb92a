// The rest of torch.nn's activation modules (torch/nn/modules/activation.py).
// Each is state + a call of its functional form. `inplace: true` writes the
// result into the input and returns it when the input does not require grad
// (inference on data, activations under `noGrad`); inside an autograd graph
// the result is a new tensor, because this library does
// not rewrite the graph for in-place ops, and a tensor that requires grad
// is never overwritten (see `Tensor.inplaceResult`).

/// The printed `, inplace=True` suffix (empty when false).
func inplaceSuffix(_ inplace: Bool, first: Bool = false) -> String {
    inplace ? (first ? "inplace=True" : ", inplace=True") : ""
}

/// x for x > 0, else α·(eˣ − 1), like `nn.ELU`.
///
/// ```swift
/// let act = ELU(alpha: 0.5)     // ELU(alpha=0.5)
/// ```
public final class ELU: Module, UnaryLayer {
    /// The value ELU approaches for large negative inputs (times −1).
    public let alpha: Double
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// An ELU layer.
    public init(alpha: Double = 1, inplace: Bool = false) {
        self.alpha = alpha
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(elu(input, alpha: Float(alpha)), inplace: inplace) }
    public override func extraRepr() -> String { "alpha=\(pythonFloat(alpha))" + inplaceSuffix(inplace) }
}

/// max(0, x) + min(0, α·(e^(x/α) − 1)), like `nn.CELU`.
public final class CELU: Module, UnaryLayer {
    /// The α of the formula; must not be 0.
    public let alpha: Double
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A CELU layer; `alpha` must not be 0.
    public init(alpha: Double = 1, inplace: Bool = false) {
        precondition(alpha != 0, "CELU: alpha cannot be 0")
        self.alpha = alpha
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(celu(input, alpha: Float(alpha)), inplace: inplace) }
    public override func extraRepr() -> String { "alpha=\(pythonFloat(alpha))" + inplaceSuffix(inplace) }
}

/// Scaled ELU with fixed α ≈ 1.6733 and scale ≈ 1.0507, like `nn.SELU`.
public final class SELU: Module, UnaryLayer {
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A SELU layer.
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(selu(input), inplace: inplace) }
    public override func extraRepr() -> String { inplaceSuffix(inplace, first: true) }
}

/// x where |x| > λ, else 0, like `nn.Hardshrink`.
public final class Hardshrink: Module, UnaryLayer {
    /// The λ threshold.
    public let lambd: Double
    /// A hard-shrink layer.
    public init(lambd: Double = 0.5) {
        self.lambd = lambd
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { hardshrink(input, lambd: Float(lambd)) }
    public override func extraRepr() -> String { pythonFloat(lambd) }
}

/// x − λ above λ, x + λ below −λ, else 0, like `nn.Softshrink`.
public final class Softshrink: Module, UnaryLayer {
    /// The λ threshold (≥ 0).
    public let lambd: Double
    /// A soft-shrink layer; `lambd` must be ≥ 0.
    public init(lambd: Double = 0.5) {
        precondition(lambd >= 0, "Softshrink: lambda must be greater or equal to 0, but found to be \(pythonFloat(lambd)).")
        self.lambd = lambd
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { softshrink(input, lambd: Float(lambd)) }
    public override func extraRepr() -> String { pythonFloat(lambd) }
}

/// relu6(x + 3) / 6, like `nn.Hardsigmoid` (prints without `inplace`, as PyTorch).
public final class Hardsigmoid: Module, UnaryLayer {
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A hard-sigmoid layer.
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(hardsigmoid(input), inplace: inplace) }
}

/// x · relu6(x + 3) / 6, like `nn.Hardswish` (prints without `inplace`, as PyTorch).
public final class Hardswish: Module, UnaryLayer {
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A hard-swish layer.
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(hardswish(input), inplace: inplace) }
}

/// x clamped to [minVal, maxVal], like `nn.Hardtanh`.
open class Hardtanh: Module, UnaryLayer {
    /// Lower end of the linear region.
    public let minVal: Double
    /// Upper end of the linear region (> minVal).
    public let maxVal: Double
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A hard-tanh layer; `maxVal` must exceed `minVal`.
    public init(minVal: Double = -1, maxVal: Double = 1, inplace: Bool = false) {
        precondition(maxVal > minVal, "Hardtanh: max_val must be larger than min_val, got min_val=\(pythonFloat(minVal)), max_val=\(pythonFloat(maxVal))")
        self.minVal = minVal
        self.maxVal = maxVal
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        input.inplaceResult(hardtanh(input, minVal: Float(minVal), maxVal: Float(maxVal)), inplace: inplace)
    }
    open override func extraRepr() -> String {
        "min_val=\(pythonFloat(minVal)), max_val=\(pythonFloat(maxVal))" + inplaceSuffix(inplace)
    }
}

/// min(max(x, 0), 6), like `nn.ReLU6` (a `Hardtanh(0, 6)`).
public final class ReLU6: Hardtanh {
    /// A ReLU6 layer.
    public init(inplace: Bool = false) { super.init(minVal: 0, maxVal: 6, inplace: inplace) }
    public override func extraRepr() -> String { inplaceSuffix(inplace, first: true) }
}

/// log σ(x), like `nn.LogSigmoid`.
public final class LogSigmoid: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor { logSigmoid(input) }
}

/// log(1 + e^(βx)) / β, linear above `threshold`, like `nn.Softplus`.
public final class Softplus: Module, UnaryLayer {
    /// The β of the formula.
    public let beta: Double
    /// Above βx > threshold the layer is the identity (for stability).
    public let threshold: Double
    /// A softplus layer.
    public init(beta: Double = 1, threshold: Double = 20) {
        self.beta = beta
        self.threshold = threshold
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { softplus(input, beta: Float(beta), threshold: Float(threshold)) }
    public override func extraRepr() -> String { "beta=\(pythonFloat(beta)), threshold=\(pythonFloat(threshold))" }
}

/// x / (1 + |x|), like `nn.Softsign`.
public final class Softsign: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor { softsign(input) }
}

/// x − tanh(x), like `nn.Tanhshrink`.
public final class Tanhshrink: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor { tanhshrink(input) }
}

/// x where x > threshold, else `value`, like `nn.Threshold`.
public final class Threshold: Module, UnaryLayer {
    /// Values at or below it are replaced.
    public let threshold: Double
    /// The replacement.
    public let value: Double
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A threshold layer (both arguments required, as in PyTorch).
    public init(_ threshold: Double, _ value: Double, inplace: Bool = false) {
        self.threshold = threshold
        self.value = value
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        input.inplaceResult(Tensors.threshold(input, threshold: Float(threshold), value: Float(value)), inplace: inplace)
    }
    public override func extraRepr() -> String {
        "threshold=\(pythonFloat(threshold)), value=\(pythonFloat(value))" + inplaceSuffix(inplace)
    }
}

/// x · σ(x), like `nn.SiLU` (swish).
public final class SiLU: Module, UnaryLayer {
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A SiLU layer.
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(silu(input), inplace: inplace) }
    public override func extraRepr() -> String { inplaceSuffix(inplace, first: true) }
}

/// x · tanh(softplus(x)), like `nn.Mish`.
public final class Mish: Module, UnaryLayer {
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// A Mish layer.
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(mish(input), inplace: inplace) }
    public override func extraRepr() -> String { inplaceSuffix(inplace, first: true) }
}

/// softmax(−x) along `dim`, like `nn.Softmin`.
public final class Softmin: Module, UnaryLayer {
    /// The dim to normalise over (nil: PyTorch's legacy implicit choice).
    public let dim: Int?
    /// A softmin over `dim`.
    public init(dim: Int? = nil) {
        self.dim = dim
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { softmin(input, dim: dim ?? legacySoftmaxDim(input.rank)) }
    public override func extraRepr() -> String { "dim=\(dim.map(String.init) ?? "None")" }
}

/// Softmax over the channels of [C, H, W] or [N, C, H, W] input, like `nn.Softmax2d`.
public final class Softmax2d: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor {
        guard check(input.rank == 3 || input.rank == 4, "Softmax2d",
                    "Softmax2d: expected input to be 3D or 4D, got \(input.rank)D instead") else { return .meta(input.shape) }
        return input.softmax(dim: -3)
    }
}

/// The gated linear unit a ⊙ σ(b) over the halves of `dim`, like `nn.GLU`.
public final class GLU: Module, UnaryLayer {
    /// The dim that is split in half.
    public let dim: Int
    /// A GLU layer.
    public init(dim: Int = -1) {
        self.dim = dim
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { glu(input, dim: dim) }
    public override func extraRepr() -> String { "dim=\(dim)" }
}

/// Leaky ReLU with a learnt slope per channel (or one shared), like `nn.PReLU`.
///
/// `weight` has `numParameters` entries, all `init` (0.25) at start; with
/// more than one, input dim 1 must have that many channels.
///
/// ```swift
/// let act = PReLU(numParameters: 16)   // PReLU(num_parameters=16)
/// ```
public final class PReLU: Module, UnaryLayer {
    /// Number of slopes: 1 or the channel count.
    public let numParameters: Int
    /// The initial slope.
    public let initValue: Double
    /// Slopes [numParameters].
    @Parameter public var weight: Tensor

    /// A PReLU layer; `numParameters` must be positive.
    public init(numParameters: Int = 1, init initValue: Double = 0.25) {
        precondition(numParameters > 0, "PReLU: num_parameters must be positive, got \(numParameters)")
        self.numParameters = numParameters
        self.initValue = initValue
        weight = Init.empty([numParameters])
        super.init()
        resetParameters()
    }

    /// Sets every slope to `init`, like `reset_parameters()`.
    public func resetParameters() { Init.constant(weight, Float(initValue)) }

    public func forward(_ input: Tensor) -> Tensor { prelu(input, weight: weight) }
    public override func extraRepr() -> String { "num_parameters=\(numParameters)" }
}

/// Randomized leaky ReLU, like `nn.RReLU`: in training, negative elements
/// get a slope drawn from U(lower, upper) (seeded by `generator`); in eval
/// the slope is (lower + upper) / 2.
public final class RReLU: Module, UnaryLayer {
    /// Lower bound of the random slope.
    public let lower: Double
    /// Upper bound of the random slope.
    public let upper: Double
    /// Whether the result is written into the input (see the file comment).
    public let inplace: Bool
    /// The source of the slopes (the global default when nil).
    public var generator: Generator?

    /// An RReLU layer; `lower` must not exceed `upper`.
    public init(lower: Double = 1.0 / 8, upper: Double = 1.0 / 3, inplace: Bool = false, generator: Generator? = nil) {
        precondition(lower <= upper, "RReLU: Lower bound should be less than or equal to the upper bound, got lower=\(lower), upper=\(upper)")
        self.lower = lower
        self.upper = upper
        self.inplace = inplace
        self.generator = generator
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        input.inplaceResult(rrelu(input, lower: Float(lower), upper: Float(upper), training: isTraining, generator: generator),
                            inplace: inplace)
    }
    public override func extraRepr() -> String {
        "lower=\(pythonFloat(lower)), upper=\(pythonFloat(upper))" + inplaceSuffix(inplace)
    }
}
