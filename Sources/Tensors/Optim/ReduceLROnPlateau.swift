import Foundation

// MARK: - ReduceLROnPlateau

/// Reduces the learning rate when a metric stops improving, like `ReduceLROnPlateau`.
///
/// After more than `patience` epochs without improvement (by `threshold`,
/// relative or absolute), each group's learning rate becomes
/// `max(lr * factor, minLR)`; then `cooldown` epochs pass before counting again.
///
/// ```swift
/// let plateau = try ReduceLROnPlateau(optimizer, mode: .min, patience: 3)
/// plateau.step(valLoss)
/// ```
public final class ReduceLROnPlateau: LearningRateScheduler {
    /// Whether lower (`min`, a loss) or higher (`max`, an accuracy) is better.
    public enum Mode: String, Sendable, CaseIterable { case min, max }
    /// Whether `threshold` is relative to the best value or absolute.
    public enum ThresholdMode: String, Sendable, CaseIterable { case rel, abs }

    /// The optimizer whose learning rates this sets.
    public let optimizer: Optimizer
    /// Whether lower or higher metric values are better.
    public let mode: Mode
    /// Multiplier applied to the learning rate on a plateau (< 1).
    public let factor: Double
    /// Epochs without improvement tolerated before reducing.
    public let patience: Int
    /// Minimum change that counts as an improvement.
    public let threshold: Double
    /// Whether `threshold` is relative or absolute.
    public let thresholdMode: ThresholdMode
    /// Epochs to wait after a reduction before counting again.
    public let cooldown: Int
    /// Each group's lower bound on the learning rate.
    public private(set) var minLRs: [Double]
    /// Smallest change of learning rate that is applied.
    public let eps: Double
    let defaultMinLR: Double?

    /// The best metric seen so far.
    public private(set) var best: Double
    /// Epochs since the last improvement.
    public private(set) var numBadEpochs = 0
    /// Epochs of cooldown left.
    public private(set) var cooldownCounter = 0
    /// Number of `step(_:)` calls.
    public private(set) var lastEpoch = 0
    /// Each group's learning rate after the last step.
    public private(set) var lastLR: [Double]

    /// One minimum learning rate for all groups (`minLR`), or one per group (`minLRs`).
    public init(_ optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
                minLR: Double = 0, minLRs: [Double]? = nil, eps: Double = 1e-8) throws {
        if factor >= 1.0 { throw OptimizerError("Factor should be < 1.0.") }
        let groups = optimizer.paramGroups.count
        if let minLRs {
            guard minLRs.count == groups else { throw OptimizerError("expected \(groups) min_lrs, got \(minLRs.count)") }
            self.minLRs = minLRs
            defaultMinLR = nil
        } else {
            self.minLRs = Array(repeating: minLR, count: groups)
            defaultMinLR = minLR
        }
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.eps = eps
        best = mode == .min ? .infinity : -.infinity
        lastLR = optimizer.paramGroups.map { $0.lr }
    }

    /// True while cooling down after a reduction.
    public var inCooldown: Bool { cooldownCounter > 0 }

    func isBetter(_ a: Double, than best: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): return a < best * (1.0 - threshold)
        case (.min, .abs): return a < best - threshold
        case (.max, .rel): return a > best * (threshold + 1.0)
        case (.max, .abs): return a > best + threshold
        }
    }

    /// `step(metric)`; without a metric nothing happens.
    public func step(metric: Double?) { if let metric { step(metric) } }

    /// Records this epoch's metric and reduces the learning rates if it has plateaued.
    public func step(_ metric: Double) {
        lastEpoch += 1
        if isBetter(metric, than: best) {
            best = metric
            numBadEpochs = 0
        } else {
            numBadEpochs += 1
        }
        if inCooldown {
            cooldownCounter -= 1
            numBadEpochs = 0
        }
        if numBadEpochs > patience {
            reduceLR()
            cooldownCounter = cooldown
            numBadEpochs = 0
        }
        lastLR = optimizer.paramGroups.map { $0.lr }
    }

    func reduceLR() {
        if minLRs.count != optimizer.paramGroups.count {
            // A group was added since creation: a single minimum extends to it.
            minLRs = Array(repeating: defaultMinLR ?? minLRs.last ?? 0, count: optimizer.paramGroups.count)
        }
        for i in optimizer.paramGroups.indices {
            let old = optimizer.paramGroups[i].lr
            let new = Swift.max(old * factor, minLRs[i])
            if old - new > eps { optimizer.paramGroups[i].lr = new }
        }
    }

    /// The counters needed to resume, like `state_dict()`.
    public func stateDict() -> SchedulerState {
        SchedulerState(scheduler: "ReduceLROnPlateau",
                       values: ["best": best, "num_bad_epochs": Double(numBadEpochs),
                                "cooldown_counter": Double(cooldownCounter), "last_epoch": Double(lastEpoch)],
                       lists: ["min_lrs": minLRs, "_last_lr": lastLR])
    }

    /// Restores a saved state; throws when it is for another kind of scheduler.
    public func loadStateDict(_ state: SchedulerState) throws {
        guard state.scheduler == "ReduceLROnPlateau" else {
            throw OptimizerError("loaded scheduler state is for \(state.scheduler) but this scheduler is ReduceLROnPlateau")
        }
        guard let b = state.values["best"], let n = state.values["num_bad_epochs"],
              let c = state.values["cooldown_counter"], let e = state.values["last_epoch"] else {
            throw OptimizerError("loaded ReduceLROnPlateau state is missing best, num_bad_epochs, cooldown_counter or last_epoch")
        }
        best = b
        numBadEpochs = Int(n)
        cooldownCounter = Int(c)
        lastEpoch = Int(e)
        if let m = state.lists["min_lrs"] { minLRs = m }
        if let l = state.lists["_last_lr"] { lastLR = l }
    }
}
