// LayerNorm lives in LayerNorm.swift (with its fused primitive).

/// Normalisation over channel groups of each sample, like `nn.GroupNorm`.
///
/// ```swift
/// let norm = GroupNorm(numGroups: 8, numChannels: 64)   // GroupNorm(8, 64, eps=1e-05, affine=True, bias=True)
/// ```
public final class GroupNorm: Module, UnaryLayer {
    /// Number of groups the channels are split into.
    public let numGroups: Int
    /// Channels (dim 1 of the input).
    public let numChannels: Int
    /// Added to the variance for numerical stability.
    public let eps: Double
    /// Whether there are learnable per-channel `weight` and `bias`.
    public let affine: Bool
    /// γ [C], ones at start; nil without `affine`.
    @Parameter public var weight: Tensor?
    /// β [C], zeros at start; nil without `affine` or with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A group norm; `numChannels` must be divisible by `numGroups`.
    public init(numGroups: Int, numChannels: Int, eps: Double = 1e-5, affine: Bool = true, bias: Bool = true) {
        precondition(numGroups > 0 && numChannels % numGroups == 0, "GroupNorm: num_channels must be divisible by num_groups")
        self.numGroups = numGroups
        self.numChannels = numChannels
        self.eps = eps
        self.affine = affine
        weight = affine ? Init.empty([numChannels]) : nil
        self.bias = affine && bias ? Init.empty([numChannels]) : nil
        super.init()
        resetParameters()
    }

    /// Sets γ = 1, β = 0, like `reset_parameters()`.
    public func resetParameters() {
        if let w = weight { Init.ones(w) }
        if let b = bias { Init.zeros(b) }
    }

    public func forward(_ input: Tensor) -> Tensor {
        groupNorm(input, numGroups: numGroups, weight: weight, bias: bias, eps: Float(eps))
    }

    public override func extraRepr() -> String {
        "\(numGroups), \(numChannels), eps=\(pythonFloat(eps)), affine=\(pythonBool(affine)), bias=\(pythonBool(bias != nil))"
    }
}

/// Local response normalisation across neighbouring channels, like `nn.LocalResponseNorm`.
public final class LocalResponseNorm: Module, UnaryLayer {
    /// Number of neighbouring channels summed.
    public let size: Int
    /// Multiplicative factor.
    public let alpha: Double
    /// Exponent.
    public let beta: Double
    /// Additive factor.
    public let k: Double

    /// A local response norm over `size` channels.
    public init(size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1) {
        precondition(size > 0, "LocalResponseNorm: size must be positive, got \(size)")
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        localResponseNorm(input, size: size, alpha: Float(alpha), beta: Float(beta), k: Float(k))
    }

    public override func extraRepr() -> String {
        "\(size), alpha=\(pythonFloat(alpha)), beta=\(pythonFloat(beta)), k=\(pythonFloat(k))"
    }
}
