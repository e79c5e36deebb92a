import Foundation

// Schedulers that multiply the learning rate by a factor per epoch.

// MARK: - StepLR

/// Multiplies the learning rate by `gamma` every `stepSize` epochs, like `StepLR`.
///
/// `lr = base_lr * gamma ^ (epoch // step_size)`.
public final class StepLR: LRScheduler {
    /// Epochs between decays.
    public let stepSize: Int
    /// Multiplicative factor of each decay.
    public let gamma: Double

    /// A schedule over `optimizer`; throws when `stepSize` is not positive.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1, lastEpoch: Int = -1) throws {
        guard stepSize > 0 else { throw OptimizerError("StepLR: step_size must be a positive integer, got \(stepSize)") }
        self.stepSize = stepSize
        self.gamma = gamma
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        if lastEpoch == 0 || pyMod(lastEpoch, stepSize) != 0 { return currentLRs }
        return currentLRs.map { $0 * gamma }
    }

    public override func closedFormLR() -> [Double]? {
        baseLRs.map { $0 * Foundation.pow(gamma, Double(pyFloorDiv(lastEpoch, stepSize))) }
    }
}

// MARK: - MultiStepLR

/// Multiplies the learning rate by `gamma` at each milestone epoch, like `MultiStepLR`.
/// A milestone listed twice multiplies by `gamma²`.
public final class MultiStepLR: LRScheduler {
    /// Epochs at which to decay, sorted.
    public let milestones: [Int]
    /// Multiplicative factor of each decay.
    public let gamma: Double
    let counts: [Int: Int]

    /// A schedule over `optimizer`.
    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1, lastEpoch: Int = -1) throws {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        counts = milestones.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        guard let n = counts[lastEpoch] else { return currentLRs }
        return currentLRs.map { $0 * Foundation.pow(gamma, Double(n)) }
    }

    public override func closedFormLR() -> [Double]? {
        let passed = milestones.filter { $0 <= lastEpoch }.count
        return baseLRs.map { $0 * Foundation.pow(gamma, Double(passed)) }
    }
}

// MARK: - ExponentialLR

/// Multiplies the learning rate by `gamma` every epoch, like `ExponentialLR`.
public final class ExponentialLR: LRScheduler {
    /// Multiplicative factor per epoch.
    public let gamma: Double

    /// A schedule over `optimizer`.
    public init(_ optimizer: Optimizer, gamma: Double, lastEpoch: Int = -1) throws {
        self.gamma = gamma
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        isInitial ? currentLRs : currentLRs.map { $0 * gamma }
    }

    public override func closedFormLR() -> [Double]? {
        baseLRs.map { $0 * Foundation.pow(gamma, Double(lastEpoch)) }
    }
}

// MARK: - LinearLR

/// Scales the learning rate linearly from `startFactor` to `endFactor` of the
/// base over `totalIters` epochs (a warm-up), like `LinearLR`.
public final class LinearLR: LRScheduler {
    /// Fraction of the base learning rate at the first epoch (0 < f ≤ 1).
    public let startFactor: Double
    /// Fraction of the base learning rate after `totalIters` epochs (0 ≤ f ≤ 1).
    public let endFactor: Double
    /// Epochs of the ramp.
    public let totalIters: Int

    /// A warm-up over `optimizer`; throws for factors or `totalIters` out of range.
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1.0,
                totalIters: Int = 5, lastEpoch: Int = -1) throws {
        if startFactor > 1 || startFactor <= 0 {
            throw OptimizerError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        }
        if endFactor > 1 || endFactor < 0 {
            throw OptimizerError("Ending multiplicative factor expected to be between 0 and 1.")
        }
        guard totalIters > 0 else { throw OptimizerError("LinearLR: total_iters must be a positive integer, got \(totalIters)") }
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        if lastEpoch == 0 { return currentLRs.map { $0 * startFactor } }
        if isInitial || lastEpoch > totalIters { return currentLRs }
        let d = endFactor - startFactor
        let f = 1.0 + d / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * d)
        return currentLRs.map { $0 * f }
    }

    public override func closedFormLR() -> [Double]? {
        let f = startFactor + (endFactor - startFactor) * Double(Swift.min(totalIters, lastEpoch)) / Double(totalIters)
        return baseLRs.map { $0 * f }
    }
}
