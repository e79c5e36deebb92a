/// Layer normalisation over the trailing `normalizedShape` dimensions, like
/// `nn.LayerNorm`; `weight` starts at 1 and `bias` at 0.
///
/// (Added with the Transformer layers, which need it; the normalization
/// family's owner may fold it into `Normalization.swift`.)
///
/// ```swift
/// let norm = LayerNorm([512])    // LayerNorm((512,), eps=1e-05, elementwise_affine=True)
/// ```
public final class LayerNorm: Module, UnaryLayer {
    /// The trailing shape normalised over.
    public let normalizedShape: [Int]
    /// Added to the variance.
    public let eps: Double
    /// Whether there are a learnable weight and bias.
    public let elementwiseAffine: Bool
    /// The `bias` argument (printed as PyTorch does).
    public let hasBias: Bool
    /// Scale, `normalizedShape`, or nil without `elementwiseAffine`.
    @Parameter public var weight: Tensor?
    /// Shift, `normalizedShape`, or nil without `elementwiseAffine` or with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A layer norm with PyTorch's arguments and defaults.
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                     "LayerNorm: normalized_shape must be a non-empty list of positive sizes, got \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        hasBias = elementwiseAffine && bias
        weight = elementwiseAffine ? Init.empty(normalizedShape) : nil
        self.bias = elementwiseAffine && bias ? Init.empty(normalizedShape) : nil
        super.init()
        resetParameters()
    }

    /// A layer norm over the last dimension of size `size`.
    public convenience init(_ size: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([size], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    /// Weight 1, bias 0, like `reset_parameters()`.
    public func resetParameters() {
        if let w = weight { Init.ones(w) }
        if let b = bias { Init.zeros(b) }
    }

    public func forward(_ input: Tensor) -> Tensor {
        layerNorm(input, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }

    public override func extraRepr() -> String {
        "\(pythonTuple(normalizedShape)), eps=\(pythonFloat(eps)), elementwise_affine=\(pythonBool(elementwiseAffine)), bias=\(pythonBool(hasBias))"
    }
}

