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

// MARK: - LambdaLR

/// Sets each group's learning rate to its base times `lambda(epoch)`, like `LambdaLR`.
///
/// ```swift
/// let warmup = try LambdaLR(optimizer) { epoch in min(1, Double(epoch + 1) / 5) }
/// ```
public final class LambdaLR: LRScheduler {
    /// One factor function per group.
    public let lambdas: [(Int) -> Double]

    /// The same `lambda` for every group.
    public convenience init(_ optimizer: Optimizer, lastEpoch: Int = -1, _ lambda: @escaping (Int) -> Double) throws {
        try self.init(optimizer, lambdas: Array(repeating: lambda, count: optimizer.paramGroups.count), lastEpoch: lastEpoch)
    }

    /// One function per parameter group; throws when the count differs.
    public init(_ optimizer: Optimizer, lambdas: [(Int) -> Double], lastEpoch: Int = -1) throws {
        guard lambdas.count == optimizer.paramGroups.count else {
            throw OptimizerError("Expected \(optimizer.paramGroups.count) lr_lambdas, but got \(lambdas.count)")
        }
        self.lambdas = lambdas
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        zip(lambdas, baseLRs).map { f, base in base * f(lastEpoch) }
    }
}

// MARK: - MultiplicativeLR

/// Multiplies each group's learning rate by `lambda(epoch)` every epoch, like `MultiplicativeLR`.
///
/// ```swift
/// let decay = try MultiplicativeLR(optimizer) { _ in 0.95 }
/// ```
public final class MultiplicativeLR: LRScheduler {
    /// One factor function per group.
    public let lambdas: [(Int) -> Double]

    /// The same `lambda` for every group.
    public convenience init(_ optimizer: Optimizer, lastEpoch: Int = -1, _ lambda: @escaping (Int) -> Double) throws {
        try self.init(optimizer, lambdas: Array(repeating: lambda, count: optimizer.paramGroups.count), lastEpoch: lastEpoch)
    }

    /// One function per parameter group; throws when the count differs.
    public init(_ optimizer: Optimizer, lambdas: [(Int) -> Double], lastEpoch: Int = -1) throws {
        guard lambdas.count == optimizer.paramGroups.count else {
            throw OptimizerError("Expected \(optimizer.paramGroups.count) lr_lambdas, but got \(lambdas.count)")
        }
        self.lambdas = lambdas
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        if isInitial { return currentLRs }
        return zip(lambdas, currentLRs).map { f, lr in lr * f(lastEpoch) }
    }
}

// MARK: - ConstantLR

/// Multiplies the learning rate by `factor` until `totalIters` epochs have
/// passed, then restores it, like `ConstantLR`.
public final class ConstantLR: LRScheduler {
    /// The factor applied during the first `totalIters` epochs (0…1).
    public let factor: Double
    /// Epochs with the reduced learning rate.
    public let totalIters: Int

    /// Throws PyTorch's message for a factor outside 0…1.
    public init(_ optimizer: Optimizer, factor: Double = 1.0 / 3, totalIters: Int = 5, lastEpoch: Int = -1) throws {
        if factor > 1 || factor < 0 {
            throw OptimizerError("Constant multiplicative factor expected to be between 0 and 1.")
        }
        self.factor = factor
        self.totalIters = totalIters
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        if lastEpoch == 0 { return currentLRs.map { $0 * factor } }
        if lastEpoch != totalIters { return currentLRs }
        return currentLRs.map { $0 * (1.0 / factor) }
    }

    public override func closedFormLR() -> [Double]? {
        baseLRs.map { $0 * (factor + (lastEpoch >= totalIters ? 1 : 0) * (1 - factor)) }
    }
}

// MARK: - PolynomialLR

/// Decays the learning rate polynomially to 0 over `totalIters` epochs, like `PolynomialLR`:
/// `lr = base_lr * (1 - min(epoch, total_iters) / total_iters) ^ power`.
public final class PolynomialLR: LRScheduler {
    /// Epochs of the decay.
    public let totalIters: Int
    /// The polynomial's power.
    public let power: Double

    /// A polynomial decay over `optimizer`; throws when `totalIters` is not positive.
    public init(_ optimizer: Optimizer, totalIters: Int = 5, power: Double = 1, lastEpoch: Int = -1) throws {
        guard totalIters > 0 else { throw OptimizerError("PolynomialLR: total_iters must be a positive integer, got \(totalIters)") }
        self.totalIters = totalIters
        self.power = power
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        if isInitial || lastEpoch > totalIters { return currentLRs }
        let e = Double(lastEpoch), n = Double(totalIters)
        let f = Foundation.pow((1.0 - e / n) / (1.0 - (e - 1) / n), power)
        return currentLRs.map { $0 * f }
    }

    public override func closedFormLR() -> [Double]? {
        let f = Foundation.pow(1.0 - Double(Swift.min(totalIters, lastEpoch)) / Double(totalIters), power)
        return baseLRs.map { $0 * f }
    }
}
