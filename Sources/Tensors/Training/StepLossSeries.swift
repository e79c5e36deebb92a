/// Training loss per step, downsampled for long runs: point `i` is the mean loss of the
/// steps after `steps[i - 1]` up to and including `steps[i]` (global, 1-based), with the
/// learning rate in force at `steps[i]`. Kept in checkpoints so a resumed run can redraw
/// its loss curve.
public struct StepLossSeries: Codable, Equatable, Sendable {
    public var steps: [Int]
    public var losses: [Double]
    public var learningRates: [Double]
    /// Optimisation steps per epoch of the run that recorded the series (0 when unknown).
    public var stepsPerEpoch: Int

    public init(steps: [Int] = [], losses: [Double] = [], learningRates: [Double] = [], stepsPerEpoch: Int = 0) {
        self.steps = steps
        self.losses = losses
        self.learningRates = learningRates
        self.stepsPerEpoch = stepsPerEpoch
    }
}
