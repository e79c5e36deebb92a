/// Where a run stands, as a checkpoint needs it to continue with the very
/// next batch: the epochs completed, the batches applied in the epoch in
/// progress, the state of the training source's generator when that epoch
/// started (replaying it redraws the same order and augmentation seeds), and
/// the epoch's metric sums so far.
///
/// Between epochs `batch` is 0, `epochStartRandomState` is the generator's
/// current state (the next epoch starts from it) and `meterState` is nil.
public struct TrainingPosition: Equatable, Sendable {
    /// Completed epochs (the 0-based index of the epoch in progress).
    public var epoch: Int
    /// Batches already applied in the epoch in progress.
    public var batch: Int
    /// `Generator.state` of the training source's generator at the start of the epoch in progress.
    public var epochStartRandomState: [UInt64]?
    /// The epoch's training metric sums so far (`MetricMeter.checkpointState()`).
    public var meterState: String?

    /// A position of the given parts.
    public init(epoch: Int, batch: Int = 0, epochStartRandomState: [UInt64]? = nil, meterState: String? = nil) {
        self.epoch = epoch
        self.batch = batch
        self.epochStartRandomState = epochStartRandomState
        self.meterState = meterState
    }
}
