/// Instance normalisation over the spatial dims of each channel of each
/// sample, the shared base of `InstanceNorm1d/2d/3d` (PyTorch's `_InstanceNorm`).
///
/// Same state as `BatchNorm` (`weight`/`bias` with `affine`, off by default;
/// `running_mean`, `running_var`, `num_batches_tracked` with
/// `trackRunningStats`, off by default). Accepts batched input or, with one
/// dim less, a single sample.
open class InstanceNorm: Module, UnaryLayer {
    /// Channels (dim 1 of batched input).
    public let numFeatures: Int
    /// Added to the variance for numerical stability.
    public let eps: Double
    /// Weight of the new batch in the running statistics (nil counts as 0, as in PyTorch).
    public let momentum: Double?
    /// Whether there are learnable `weight` and `bias`.
    public let affine: Bool
    /// Whether running statistics are kept (and used in eval mode).
    public let trackRunningStats: Bool
    /// γ [C], ones at start; nil without `affine`.
    @Parameter public var weight: Tensor?
    /// β [C], zeros at start; nil without `affine` or with `bias: false`.
    @Parameter public var bias: Tensor?
    /// Running mean [C]; nil without `trackRunningStats`.
    @Buffer(name: "running_mean") public var runningMean: Tensor? = nil
    /// Running variance [C]; nil without `trackRunningStats`.
    @Buffer(name: "running_var") public var runningVar: Tensor? = nil
    /// Kept for state-dict compatibility with PyTorch (instance norm does not count batches).
    @Buffer(name: "num_batches_tracked") public var numBatchesTracked: Tensor? = nil

    /// The rank of a single (unbatched) sample: 2, 3 or 4.
    open var sampleRank: Int { 3 }

    /// Instance norm over `numFeatures` channels; `numFeatures` must be positive.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false, bias: Bool = true) {
        precondition(numFeatures > 0, "\(String(describing: Self.self)): num_features must be positive, got \(numFeatures)")
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        weight = affine ? Init.empty([numFeatures]) : nil
        self.bias = affine && bias ? Init.empty([numFeatures]) : nil
        runningMean = trackRunningStats ? Init.empty([numFeatures]) : nil
        runningVar = trackRunningStats ? Init.empty([numFeatures]) : nil
        let count: Tensor? = trackRunningStats ? Init.empty([]) : nil
        count?.storage.isIntegral = true
        numBatchesTracked = count
        super.init()
        resetParameters()
    }

    /// Zeroes the running statistics, like `reset_running_stats()`.
    public func resetRunningStats() {
        if let t = runningMean { Init.zeros(t) }
        if let t = runningVar { Init.ones(t) }
        if let t = numBatchesTracked { Init.zeros(t) }
    }

    /// Resets statistics and sets γ = 1, β = 0, like `reset_parameters()`.
    public func resetParameters() {
        resetRunningStats()
        if let w = weight { Init.ones(w) }
        if let b = bias { Init.zeros(b) }
    }

    public func forward(_ input: Tensor) -> Tensor {
        let r = sampleRank
        guard check(input.rank == r || input.rank == r + 1, typeName,
                    "expected \(r)D or \(r + 1)D input (got \(input.rank)D input)") else { return .meta(input.shape) }
        let featureDim = input.rank - r
        if affine {
            guard check(input.shape[featureDim] == numFeatures, typeName,
                        "expected input's size at dim=\(featureDim) to match num_features (\(numFeatures)), but got: \(input.shape[featureDim]).")
            else { return .meta(input.shape) }
        }
        let batched = input.rank == r + 1 ? input : input.unsqueeze(0)
        let y = instanceNorm(batched, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                             useInputStats: isTraining || !trackRunningStats, momentum: Float(momentum ?? 0), eps: Float(eps))
        return input.rank == r + 1 ? y : y.squeeze(0)
    }

    open override func extraRepr() -> String {
        "\(numFeatures), eps=\(pythonFloat(eps)), momentum=\(momentum.map(pythonFloat) ?? "None"), "
            + "affine=\(pythonBool(affine)), bias=\(pythonBool(bias != nil)), track_running_stats=\(pythonBool(trackRunningStats))"
    }
}

/// Instance normalisation of [N, C, L] or [C, L] input, like `nn.InstanceNorm1d`.
///
/// ```swift
/// let norm = InstanceNorm1d(16, affine: true)
/// ```
public final class InstanceNorm1d: InstanceNorm {
    public override var sampleRank: Int { 2 }
}

/// Instance normalisation of [N, C, H, W] or [C, H, W] input, like `nn.InstanceNorm2d`.
public final class InstanceNorm2d: InstanceNorm {
    public override var sampleRank: Int { 3 }
}

/// Instance normalisation of [N, C, D, H, W] or [C, D, H, W] input, like `nn.InstanceNorm3d`.
public final class InstanceNorm3d: InstanceNorm {
    public override var sampleRank: Int { 4 }
}
