/// y = x·Wᵀ + b, like `nn.Linear`.
///
/// Weight [out, in] and bias [out] start as PyTorch's: kaiming-uniform with
/// a = √5 (i.e. U(±1/√in)) and U(±1/√in).
///
/// ```swift
/// let fc = Linear(400, 120)     // Linear(in_features=400, out_features=120, bias=True)
/// ```
public final class Linear: Module, UnaryLayer {
    /// Size of each input sample.
    public let inFeatures: Int
    /// Size of each output sample.
    public let outFeatures: Int
    /// Weight [out, in].
    @Parameter public var weight: Tensor
    /// Bias [out], or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A linear layer with PyTorch's default initialisation, drawn from `generator`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) {
        precondition(inFeatures >= 0 && outFeatures >= 0,
                     "Linear: in_features and out_features must be non-negative, got \(inFeatures) and \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Init.empty([outFeatures, inFeatures])
        self.bias = bias ? Init.empty([outFeatures]) : nil
        super.init()
        resetParameters(generator: generator)
    }

    /// Re-draws the parameters with PyTorch's default init, like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        Init.kaimingUniform(weight, a: Float(5).squareRoot(), generator: generator)
        if let b = bias {
            let bound = inFeatures > 0 ? 1 / Float(inFeatures).squareRoot() : 0
            Init.uniform(b, low: -bound, high: bound, generator: generator)
        }
    }

    public func forward(_ input: Tensor) -> Tensor { linear(input, weight: weight, bias: bias) }

    public override func extraRepr() -> String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(pythonBool(bias != nil))"
    }
}

/// Returns its input, like `nn.Identity` (placeholder layer).
public final class Identity: Module, UnaryLayer {
    public override init() { super.init() }
    public func forward(_ input: Tensor) -> Tensor { input }
}

