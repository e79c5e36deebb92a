/// Batch normalisation over channel dim 1, the shared base of `BatchNorm1d`
/// and `BatchNorm2d` (PyTorch's `_BatchNorm`).
///
/// Parameters `weight` (γ, ones) and `bias` (β, zeros) when `affine` (no β
/// with `bias: false`: PyTorch 2.15's keyword-only `bias`, printed as
/// `bias=…` like its repr); buffers
/// `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked`
/// when `trackRunningStats` (a 0-dim count, saved as int64 like PyTorch's).
/// `momentum: nil` uses a cumulative average (factor 1/num_batches_tracked).
open class BatchNorm: Module, UnaryLayer {
    /// Channels (dim 1 of the input).
    public let numFeatures: Int
    /// Added to the variance for numerical stability.
    public let eps: Double
    /// Weight of the new batch in the running statistics; nil: cumulative average.
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
    /// Number of training batches seen (0-dim; int64 in safetensors files).
    @Buffer(name: "num_batches_tracked") public var numBatchesTracked: Tensor? = nil
    /// The processes whose batch statistics are combined in training
    /// (`SyncBatchNorm.processGroup`, or `Module.convertSyncBatchNorm(group:)`);
    /// nil or a world of one: this process's batch only.
    var statisticsGroup: (any ProcessGroup)?

    /// Batch norm over `numFeatures` channels; `numFeatures` must be positive.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, bias: Bool = true) {
        precondition(numFeatures > 0, "BatchNorm: num_features must be positive, got \(numFeatures)")
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

    /// Checks the input's rank; subclasses report PyTorch's message.
    open func checkInputDim(_ input: Tensor) -> Bool { true }

    open func forward(_ input: Tensor) -> Tensor {
        guard checkInputDim(input) else { return .meta(input.shape) }
        var factor = momentum ?? 0
        if isTraining && trackRunningStats && !input.isMeta, let nbt = numBatchesTracked, !nbt.isMeta {
            noGrad { nbt.addInPlace(1) }
            if momentum == nil { factor = 1 / Double(nbt.item()) }
        }
        let useBatch = isTraining || (runningMean == nil && runningVar == nil)
        let tracked = !isTraining || trackRunningStats
        if useBatch, let group = statisticsGroup, group.isDistributed, !input.isMeta {
            return syncBatchNorm(input, runningMean: tracked ? runningMean : nil, runningVar: tracked ? runningVar : nil,
                                 weight: weight, bias: bias, momentum: Float(factor), eps: Float(eps), group: group)
        }
        return batchNorm(input, runningMean: tracked ? runningMean : nil, runningVar: tracked ? runningVar : nil,
                         weight: weight, bias: bias, training: useBatch, momentum: Float(factor), eps: Float(eps))
    }

    open override func extraRepr() -> String {
        "\(numFeatures), eps=\(pythonFloat(eps)), momentum=\(momentum.map(pythonFloat) ?? "None"), "
            + "affine=\(pythonBool(affine)), bias=\(pythonBool(bias != nil)), track_running_stats=\(pythonBool(trackRunningStats))"
    }
}

/// Batch normalisation of [N, C] or [N, C, L] input, like `nn.BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    public override func checkInputDim(_ input: Tensor) -> Bool {
        check(input.rank == 2 || input.rank == 3, "BatchNorm1d", "expected 2D or 3D input (got \(input.rank)D input)")
    }
}

/// Batch normalisation of [N, C, H, W] input, like `nn.BatchNorm2d`.
public final class BatchNorm2d: BatchNorm {
    public override func checkInputDim(_ input: Tensor) -> Bool {
        check(input.rank == 4, "BatchNorm2d", "expected 4D input (got \(input.rank)D input)")
    }
}

/// Batch normalisation of [N, C, D, H, W] input, like `nn.BatchNorm3d`.
public final class BatchNorm3d: BatchNorm {
    public override func checkInputDim(_ input: Tensor) -> Bool {
        check(input.rank == 5, "BatchNorm3d", "expected 5D input (got \(input.rank)D input)")
    }
}

/// Batch normalisation whose statistics span every process of a distributed
/// run, like `nn.SyncBatchNorm`: in training, the mean and variance are
/// those of the union of every rank's batch (`syncBatchNorm`), and the
/// backward pass sums the statistics' gradients over the ranks. In one
/// process (no `processGroup`, or a world of size 1) it is exactly
/// `BatchNorm` on [N, C, *] input.
///
/// ```swift
/// let bn = SyncBatchNorm(64)   // SyncBatchNorm(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
/// ```
public final class SyncBatchNorm: BatchNorm {
    /// The processes whose statistics are combined (`process_group`); nil: this process only.
    public var processGroup: (any ProcessGroup)? {
        get { statisticsGroup }
        set { statisticsGroup = newValue }
    }

    public override func checkInputDim(_ input: Tensor) -> Bool {
        check(input.rank >= 2, "SyncBatchNorm", "expected at least 2D input (got \(input.rank)D input)")
    }
}
