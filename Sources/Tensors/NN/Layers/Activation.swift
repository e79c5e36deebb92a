/// max(x, 0), like `nn.ReLU`. `inplace: true` writes into the input where
/// autograd allows it (see `Activation+Pointwise.swift`).
public final class ReLU: Module, UnaryLayer {
    /// Whether the result is written into the input where autograd allows it.
    public let inplace: Bool
    /// A ReLU layer.
    public init(inplace: Bool = false) {
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        // In place without a temporary when autograd allows (the hot path of VGG/ResNet inference).
        if inplace, !input.isMeta, !input.requiresGrad {
            input.checkInPlace("relu_")
            input.updateKernel(Kernels.Relu())
            return input
        }
        // The functional op fuses with a convolution before it (`ConvPeephole`).
        return Tensors.relu(input)
    }
    public override func extraRepr() -> String { inplace ? "inplace=True" : "" }
}

/// x for x > 0, else negativeSlope·x, like `nn.LeakyReLU`.
public final class LeakyReLU: Module, UnaryLayer {
    /// Slope for negative inputs.
    public let negativeSlope: Double
    /// Whether the result is written into the input where autograd allows it.
    public let inplace: Bool
    /// A leaky ReLU with the given negative slope.
    public init(negativeSlope: Double = 0.01, inplace: Bool = false) {
        self.negativeSlope = negativeSlope
        self.inplace = inplace
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor {
        input.inplaceResult(leakyRelu(input, negativeSlope: Float(negativeSlope)), inplace: inplace)
    }
    public override func extraRepr() -> String {
        "negative_slope=\(pythonFloat(negativeSlope))" + (inplace ? ", inplace=True" : "")
    }
}

/// Logistic sigmoid, like `nn.Sigmoid`.
public final class Sigmoid: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// Hyperbolic tangent, like `nn.Tanh`.
public final class Tanh: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Gaussian error linear unit, like `nn.GELU`.
public final class GELU: Module, UnaryLayer {
    /// Exact (`none`) or the `tanh` approximation.
    public let approximate: GELUApproximation
    /// A GELU layer.
    public init(approximate: GELUApproximation = .none) {
        self.approximate = approximate
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { gelu(input, approximate: approximate) }
    public override func extraRepr() -> String { "approximate='\(approximate.rawValue)'" }
}

/// PyTorch's implicit softmax dim when none is given (0 for 0-, 1- and 3-D input, else 1).
func legacySoftmaxDim(_ rank: Int) -> Int { (rank == 0 || rank == 1 || rank == 3) ? 0 : 1 }

/// Softmax along `dim`, like `nn.Softmax`.
public final class Softmax: Module, UnaryLayer {
    /// The dim to normalise over (nil: PyTorch's legacy implicit choice).
    public let dim: Int?
    /// A softmax over `dim`.
    public init(dim: Int? = nil) {
        self.dim = dim
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.softmax(dim: dim ?? legacySoftmaxDim(input.rank)) }
    public override func extraRepr() -> String { "dim=\(dim.map(String.init) ?? "None")" }
}

/// Log-softmax along `dim`, like `nn.LogSoftmax`.
public final class LogSoftmax: Module, UnaryLayer {
    /// The dim to normalise over (nil: PyTorch's legacy implicit choice).
    public let dim: Int?
    /// A log-softmax over `dim`.
    public init(dim: Int? = nil) {
        self.dim = dim
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { input.logSoftmax(dim: dim ?? legacySoftmaxDim(input.rank)) }
    public override func extraRepr() -> String { "dim=\(dim.map(String.init) ?? "None")" }
}
