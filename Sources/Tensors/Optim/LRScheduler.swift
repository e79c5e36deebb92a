import Foundation

// MARK: - Common interface

/// The saved state of a learning-rate scheduler, for checkpoints.
///
/// `scheduler` names the kind (`StepLR` …); `values` and `lists` hold its
/// counters (`last_epoch`, `best` …) and per-group lists (`base_lrs`, `last_lr`).
public struct SchedulerState: Codable, Equatable, Sendable {
    /// The scheduler's kind (`StepLR` …); state loads only into the same kind.
    public var scheduler: String
    /// Counters by PyTorch name (`last_epoch`, `best` …).
    public var values: [String: Double]
    /// Per-group lists by PyTorch name (`base_lrs`, `_last_lr` …).
    public var lists: [String: [Double]]

    /// A state of the given kind.
    public init(scheduler: String, values: [String: Double] = [:], lists: [String: [Double]] = [:]) {
        self.scheduler = scheduler
        self.values = values
        self.lists = lists
    }
}

/// What every learning-rate scheduler offers, including `ReduceLROnPlateau`.
public protocol LearningRateScheduler: AnyObject {
    /// The optimizer whose learning rates this scheduler sets.
    var optimizer: Optimizer { get }
    /// The learning rate of each group after the last step, like `get_last_lr()`.
    var lastLR: [Double] { get }
    /// The scheduler's counters, like `state_dict()`.
    func stateDict() -> SchedulerState
    /// Restores counters saved by `stateDict()`, like `load_state_dict()`.
    func loadStateDict(_ state: SchedulerState) throws
}

/// Python's `%`: the result has the sign of the divisor.
@inline(__always)
fileprivate func pyMod(_ a: Int, _ b: Int) -> Int { let r = a % b; return r != 0 && (r < 0) != (b < 0) ? r + b : r }

/// Python's `//` (floor division).
@inline(__always)
fileprivate func pyFloorDiv(_ a: Int, _ b: Int) -> Int { let q = a / b; return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q }

// MARK: - Epoch-based base class

/// The base of the epoch-based schedulers, like `torch.optim.lr_scheduler.LRScheduler`.
///
/// On creation it records each group's `initial_lr` (the base learning rate)
/// and takes the initial step (`lastEpoch` becomes 0). Call `step()` after
/// `optimizer.step()`, once per epoch (or per batch for `OneCycleLR`).
/// Subclasses implement PyTorch's recursive ("chainable") formula in
/// `computeLR()`, and the closed form in `closedFormLR()` for `step(epoch:)`.
///
/// ```swift
/// let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 { train(); scheduler.step() }
/// ```
open class LRScheduler: LearningRateScheduler {
    /// The optimizer whose learning rates this sets.
    public let optimizer: Optimizer
    /// Each group's `initial_lr`.
    public internal(set) var baseLRs: [Double]
    /// The index of the last epoch (0 after creation).
    public internal(set) var lastEpoch: Int
    /// Each group's learning rate after the last `step()`, like `get_last_lr()`.
    public internal(set) var lastLR: [Double] = []
    /// Number of `step()` calls, counting the initial one.
    public internal(set) var stepCount = 0
    /// True during the step taken at creation.
    public internal(set) var isInitial = false

    /// The class name (`StepLR` …).
    open var name: String { String(describing: type(of: self)) }

    /// Sets up the base learning rates and takes the initial step.
    ///
    /// With `lastEpoch == -1` (a fresh run) each group's `initial_lr` is set to
    /// its `lr` unless already present; resuming (`lastEpoch >= 0`) requires
    /// `initial_lr` in every group (load the optimizer state first).
    public init(optimizer: Optimizer, lastEpoch: Int = -1) throws {
        self.optimizer = optimizer
        if lastEpoch == -1 {
            for i in optimizer.paramGroups.indices where optimizer.paramGroups[i]["initial_lr"] == nil {
                optimizer.paramGroups[i]["initial_lr"] = .number(optimizer.paramGroups[i].lr)
            }
        } else {
            for (i, g) in optimizer.paramGroups.enumerated() where g["initial_lr"]?.number == nil {
                throw OptimizerError("param 'initial_lr' is not specified in param_groups[\(i)] when resuming scheduler with last_epoch >= 0")
            }
        }
        baseLRs = optimizer.paramGroups.map { $0["initial_lr"]?.number ?? $0.lr }
        self.lastEpoch = lastEpoch
        isInitial = true
        step()
        isInitial = false
    }

    /// The learning rates of the groups now.
    public var currentLRs: [Double] { optimizer.paramGroups.map { $0.lr } }

    /// Next learning rates from the current ones (PyTorch's `get_lr`), after `lastEpoch` advanced.
    open func computeLR() -> [Double] { currentLRs }

    /// Learning rates at `lastEpoch` from the base ones (PyTorch's `_get_closed_form_lr`), if there is a closed form.
    open func closedFormLR() -> [Double]? { nil }

    /// Advances one epoch and sets the groups' learning rates.
    public func step() {
        stepCount += 1
        lastEpoch += 1
        apply(computeLR())
    }

    /// Jumps to `epoch` using the closed form where there is one (deprecated in PyTorch, kept for resuming).
    public func step(epoch: Int) {
        stepCount += 1
        lastEpoch = epoch
        apply(closedFormLR() ?? computeLR())
    }

    func apply(_ lrs: [Double]) {
        for (i, lr) in lrs.enumerated() where i < optimizer.paramGroups.count { optimizer.paramGroups[i].lr = lr }
        lastLR = currentLRs
    }

    /// Extra counters a subclass saves (merged into `stateDict().values`).
    open func extraState() -> [String: Double] { [:] }
    /// Restores counters saved by `extraState()`.
    open func loadExtraState(_ values: [String: Double]) throws {}

    /// The counters and lists needed to resume, like `state_dict()`.
    public func stateDict() -> SchedulerState {
        var values = extraState()
        values["last_epoch"] = Double(lastEpoch)
        values["_step_count"] = Double(stepCount)
        return SchedulerState(scheduler: name, values: values, lists: ["base_lrs": baseLRs, "_last_lr": lastLR])
    }

    /// Restores a saved state; throws when it is for another kind of scheduler.
    public func loadStateDict(_ state: SchedulerState) throws {
        guard state.scheduler == name else {
            throw OptimizerError("loaded scheduler state is for \(state.scheduler) but this scheduler is \(name)")
        }
        guard let e = state.values["last_epoch"], let c = state.values["_step_count"],
              let base = state.lists["base_lrs"], let last = state.lists["_last_lr"] else {
            throw OptimizerError("loaded \(name) state is missing last_epoch, _step_count, base_lrs or _last_lr")
        }
        guard base.count == optimizer.paramGroups.count else {
            throw OptimizerError("loaded \(name) state has \(base.count) base learning rates, but the optimizer has \(optimizer.paramGroups.count) parameter groups")
        }
        try loadExtraState(state.values)
        lastEpoch = Int(e)
        stepCount = Int(c)
        baseLRs = base
        lastLR = last
    }
}

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

// MARK: - CosineAnnealingLR

/// Cosine annealing from the base learning rate down to `etaMin` over `tMax`
/// epochs (and back up after, periodically), like `CosineAnnealingLR`.
///
/// `lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`,
/// computed recursively as PyTorch does, so changes to `lr` made between steps carry over.
public final class CosineAnnealingLR: LRScheduler {
    /// Epochs of one half cosine period.
    public let tMax: Int
    /// The minimum learning rate.
    public let etaMin: Double

    /// A schedule over `optimizer`; throws when `tMax` is not positive.
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0, lastEpoch: Int = -1) throws {
        guard tMax > 0 else { throw OptimizerError("CosineAnnealingLR: T_max must be a positive integer, got \(tMax)") }
        self.tMax = tMax
        self.etaMin = etaMin
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        let e = Double(lastEpoch), t = Double(tMax)
        if isInitial { return currentLRs }
        if stepCount == 1 && lastEpoch > 0 {
            return baseLRs.map { etaMin + ($0 - etaMin) * (1 + Foundation.cos(e * Double.pi / t)) / 2 }
        }
        if pyMod(lastEpoch - 1 - tMax, 2 * tMax) == 0 {
            return zip(baseLRs, currentLRs).map { base, lr in
                lr + (base - etaMin) * (1 - Foundation.cos(Double.pi / t)) / 2
            }
        }
        let ratio = (1 + Foundation.cos(Double.pi * e / t)) / (1 + Foundation.cos(Double.pi * (e - 1) / t))
        return currentLRs.map { ratio * ($0 - etaMin) + etaMin }
    }

    public override func closedFormLR() -> [Double]? {
        let e = Double(lastEpoch), t = Double(tMax)
        return baseLRs.map { etaMin + ($0 - etaMin) * (1 + Foundation.cos(Double.pi * e / t)) / 2 }
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

// MARK: - OneCycleLR

/// The 1cycle policy, like `OneCycleLR`: the learning rate rises from
/// `maxLR / divFactor` to `maxLR`, then anneals to `initial / finalDivFactor`,
/// while momentum (or Adam's beta1) cycles inversely between `maxMomentum` and
/// `baseMomentum`. Step it after every batch.
///
/// Unlike PyTorch, stepping to `totalSteps` and beyond holds the final learning
/// rate (`min_lr`) instead of extrapolating and then raising (a run extended
/// from the UI must not crash).
public final class OneCycleLR: LRScheduler {
    /// How the learning rate moves within a phase.
    public enum AnnealStrategy: String, Sendable { case cos, linear }

    struct Phase {
        var endStep: Double
        var startLR: String, endLR: String
        var startMomentum: String, endMomentum: String
    }

    /// Steps in the whole cycle.
    public let totalSteps: Int
    /// Cosine or linear annealing.
    public let anneal: AnnealStrategy
    /// Whether momentum (or beta1) cycles inversely to the learning rate.
    public let cycleMomentum: Bool
    let useBeta1: Bool
    let phases: [Phase]

    /// A 1cycle schedule over `optimizer` (one `maxLR` per group); throws for inconsistent step counts or factors.
    public init(_ optimizer: Optimizer, maxLR: [Double], totalSteps: Int? = nil, epochs: Int? = nil,
                stepsPerEpoch: Int? = nil, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false,
                lastEpoch: Int = -1) throws {
        if let totalSteps {
            guard totalSteps > 0 else { throw OptimizerError("Expected positive integer total_steps, but got \(totalSteps)") }
            self.totalSteps = totalSteps
        } else if let epochs, let stepsPerEpoch {
            guard epochs > 0 else { throw OptimizerError("Expected positive integer epochs, but got \(epochs)") }
            guard stepsPerEpoch > 0 else {
                throw OptimizerError("Expected positive integer steps_per_epoch, but got \(stepsPerEpoch)")
            }
            self.totalSteps = epochs * stepsPerEpoch
        } else {
            throw OptimizerError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        }
        guard pctStart >= 0 && pctStart <= 1 else {
            throw OptimizerError("Expected float between 0 and 1 pct_start, but got \(pythonFloat(pctStart))")
        }
        let n = Double(self.totalSteps)
        if threePhase {
            phases = [
                Phase(endStep: pctStart * n - 1, startLR: "initial_lr", endLR: "max_lr",
                      startMomentum: "max_momentum", endMomentum: "base_momentum"),
                Phase(endStep: 2 * pctStart * n - 2, startLR: "max_lr", endLR: "initial_lr",
                      startMomentum: "base_momentum", endMomentum: "max_momentum"),
                Phase(endStep: n - 1, startLR: "initial_lr", endLR: "min_lr",
                      startMomentum: "max_momentum", endMomentum: "max_momentum"),
            ]
        } else {
            phases = [
                Phase(endStep: pctStart * n - 1, startLR: "initial_lr", endLR: "max_lr",
                      startMomentum: "max_momentum", endMomentum: "base_momentum"),
                Phase(endStep: n - 1, startLR: "max_lr", endLR: "min_lr",
                      startMomentum: "base_momentum", endMomentum: "max_momentum"),
            ]
        }
        anneal = annealStrategy
        let groups = optimizer.paramGroups.count
        let maxLRs = maxLR.count == 1 ? Array(repeating: maxLR[0], count: groups) : maxLR
        guard maxLRs.count == groups else { throw OptimizerError("expected \(groups) values for max_lr, got \(maxLR.count)") }
        if lastEpoch == -1 {
            for i in 0..<groups {
                let initial = maxLRs[i] / divFactor
                optimizer.paramGroups[i]["initial_lr"] = .number(initial)
                optimizer.paramGroups[i]["max_lr"] = .number(maxLRs[i])
                optimizer.paramGroups[i]["min_lr"] = .number(initial / finalDivFactor)
            }
        }
        self.cycleMomentum = cycleMomentum
        useBeta1 = optimizer.defaults["betas"] != nil
        if cycleMomentum {
            guard optimizer.defaults["momentum"] != nil || useBeta1 else {
                throw OptimizerError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            }
            if lastEpoch == -1 {
                for i in 0..<groups {
                    if useBeta1 {
                        let b = optimizer.paramGroups[i].betas ?? (0.9, 0.999)
                        optimizer.paramGroups[i].betas = (maxMomentum, b.1)
                    } else {
                        optimizer.paramGroups[i].momentum = maxMomentum
                    }
                    optimizer.paramGroups[i]["max_momentum"] = .number(maxMomentum)
                    optimizer.paramGroups[i]["base_momentum"] = .number(baseMomentum)
                }
            }
        }
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    /// One max learning rate for every group.
    public convenience init(_ optimizer: Optimizer, maxLR: Double, totalSteps: Int? = nil, epochs: Int? = nil,
                            stepsPerEpoch: Int? = nil, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos,
                            cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                            divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false,
                            lastEpoch: Int = -1) throws {
        try self.init(optimizer, maxLR: [maxLR], totalSteps: totalSteps, epochs: epochs, stepsPerEpoch: stepsPerEpoch,
                      pctStart: pctStart, annealStrategy: annealStrategy, cycleMomentum: cycleMomentum,
                      baseMomentum: baseMomentum, maxMomentum: maxMomentum, divFactor: divFactor,
                      finalDivFactor: finalDivFactor, threePhase: threePhase, lastEpoch: lastEpoch)
    }

    func annealed(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: return end + (start - end) / 2.0 * (Foundation.cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    public override func computeLR() -> [Double] {
        // PyTorch extrapolates one step past the last phase at totalSteps and raises after;
        // we hold the final learning rate (min_lr) from totalSteps on.
        let stepNum = Double(Swift.min(lastEpoch, totalSteps - 1))
        var lrs: [Double] = []
        for i in optimizer.paramGroups.indices {
            let g = optimizer.paramGroups[i]
            func value(_ key: String) -> Double { g[key]?.number ?? 0 }
            var start = 0.0
            for (k, phase) in phases.enumerated() {
                if stepNum <= phase.endStep || k == phases.count - 1 {
                    let pct = (stepNum - start) / (phase.endStep - start)
                    lrs.append(annealed(value(phase.startLR), value(phase.endLR), pct))
                    if cycleMomentum {
                        let m = annealed(value(phase.startMomentum), value(phase.endMomentum), pct)
                        if useBeta1 {
                            let b = g.betas ?? (0.9, 0.999)
                            optimizer.paramGroups[i].betas = (m, b.1)
                        } else {
                            optimizer.paramGroups[i].momentum = m
                        }
                    }
                    break
                }
                start = phase.endStep
            }
        }
        return lrs
    }
}

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
    public enum Mode: String, Sendable { case min, max }
    /// Whether `threshold` is relative to the best value or absolute.
    public enum ThresholdMode: String, Sendable { case rel, abs }

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
