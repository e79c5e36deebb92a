import Foundation

// Schedulers made of other schedulers: SequentialLR (one after another at
// milestones) and ChainedScheduler (all of them every step).

/// Checks that `schedulers` is non-empty and all drive `optimizer`.
private func checkSchedulers(_ kind: String, _ schedulers: [LRScheduler], _ optimizer: Optimizer, chained: Bool) throws {
    if schedulers.isEmpty {
        throw OptimizerError(chained ? "\(kind) expects at least one scheduler to be chained, but got no scheduler."
                                     : "\(kind) expects at least one scheduler, but got no scheduler.")
    }
    for (i, s) in schedulers.enumerated() where s.optimizer !== optimizer {
        throw OptimizerError("\(kind) expects all schedulers to belong to the same optimizer, but got scheduler \(s.name) at index \(i) has a different optimizer.")
    }
}

/// Flattens the sub-schedulers' states into `_schedulers.<i>.<key>` entries.
private func nestedState(_ name: String, _ schedulers: [LRScheduler], values: [String: Double],
                         lists: [String: [Double]]) -> SchedulerState {
    var state = SchedulerState(scheduler: name, values: values, lists: lists)
    for (i, s) in schedulers.enumerated() {
        let sub = s.stateDict()
        for (k, v) in sub.values { state.values["_schedulers.\(i).\(k)"] = v }
        for (k, v) in sub.lists { state.lists["_schedulers.\(i).\(k)"] = v }
    }
    return state
}

/// Restores the sub-schedulers from `_schedulers.<i>.<key>` entries.
private func loadNested(_ state: SchedulerState, into schedulers: [LRScheduler]) throws {
    for (i, s) in schedulers.enumerated() {
        let prefix = "_schedulers.\(i)."
        var sub = SchedulerState(scheduler: s.name)
        for (k, v) in state.values where k.hasPrefix(prefix) { sub.values[String(k.dropFirst(prefix.count))] = v }
        for (k, v) in state.lists where k.hasPrefix(prefix) { sub.lists[String(k.dropFirst(prefix.count))] = v }
        try s.loadStateDict(sub)
    }
}

/// Runs `schedulers[i]` between `milestones[i-1]` and `milestones[i]`, like `SequentialLR`.
///
/// Each scheduler restarts from epoch 0 at its milestone (a warm-up, then a
/// decay). The sub-schedulers are ordinary epoch schedulers over the same
/// optimizer (nesting a `SequentialLR` or `ChainedScheduler` inside is not supported).
///
/// ```swift
/// let warmup = try LinearLR(opt, startFactor: 0.1, totalIters: 5)
/// let decay = try CosineAnnealingLR(opt, tMax: 95)
/// let schedule = try SequentialLR(opt, schedulers: [warmup, decay], milestones: [5])
/// ```
public final class SequentialLR: LearningRateScheduler {
    /// The optimizer all the schedulers drive.
    public let optimizer: Optimizer
    /// The schedulers, in order.
    public let schedulers: [LRScheduler]
    /// The epochs at which the next scheduler takes over.
    public let milestones: [Int]
    /// The index of the last epoch.
    public private(set) var lastEpoch: Int
    /// Each group's learning rate after the last step.
    public private(set) var lastLR: [Double]

    /// Resets the learning rates to `initial_lr` and restarts the first scheduler; throws PyTorch's messages.
    public init(_ optimizer: Optimizer, schedulers: [LRScheduler], milestones: [Int], lastEpoch: Int = -1) throws {
        try checkSchedulers("SequentialLR", schedulers, optimizer, chained: false)
        guard milestones.count == schedulers.count - 1 else {
            throw OptimizerError("Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers \(schedulers.count) and the number of milestones to be equal to \(milestones.count)")
        }
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        self.lastEpoch = lastEpoch + 1
        for i in optimizer.paramGroups.indices {
            if let initial = optimizer.paramGroups[i]["initial_lr"]?.number { optimizer.paramGroups[i].lr = initial }
        }
        for s in schedulers { s.lastEpoch -= 1 }
        let first = schedulers[Self.index(milestones, 0)]
        first.initialStep()
        lastLR = first.lastLR
    }

    /// Python's `bisect_right(milestones, epoch)`.
    static func index(_ milestones: [Int], _ epoch: Int) -> Int { milestones.filter { $0 <= epoch }.count }

    /// `step()`.
    public func step(metric: Double?) { step() }

    /// Advances one epoch in the scheduler whose turn it is.
    public func step() {
        lastEpoch += 1
        let i = Self.index(milestones, lastEpoch)
        let s = schedulers[i]
        if i > 0 && milestones[i - 1] == lastEpoch {
            s.updateLR(epoch: 0)
        } else {
            s.step()
        }
        lastLR = s.lastLR
    }

    /// `last_epoch`, `_milestones`, `_last_lr` and each scheduler's state.
    public func stateDict() -> SchedulerState {
        nestedState("SequentialLR", schedulers, values: ["last_epoch": Double(lastEpoch)],
                    lists: ["_milestones": milestones.map(Double.init), "_last_lr": lastLR])
    }

    /// Restores a state saved by `stateDict()`.
    public func loadStateDict(_ state: SchedulerState) throws {
        guard state.scheduler == "SequentialLR" else {
            throw OptimizerError("loaded scheduler state is for \(state.scheduler) but this scheduler is SequentialLR")
        }
        guard let e = state.values["last_epoch"] else { throw OptimizerError("loaded SequentialLR state is missing last_epoch") }
        try loadNested(state, into: schedulers)
        lastEpoch = Int(e)
        if let l = state.lists["_last_lr"] { lastLR = l }
    }
}

/// Steps several schedulers together every epoch (their factors multiply), like `ChainedScheduler`.
///
/// ```swift
/// let a = try ConstantLR(opt, factor: 0.1, totalIters: 2)
/// let b = try ExponentialLR(opt, gamma: 0.9)
/// let both = try ChainedScheduler([a, b])
/// ```
public final class ChainedScheduler: LearningRateScheduler {
    /// The optimizer all the schedulers drive.
    public let optimizer: Optimizer
    /// The schedulers, stepped in order.
    public let schedulers: [LRScheduler]
    /// Each group's learning rate after the last step.
    public private(set) var lastLR: [Double]

    /// Chains `schedulers` (all over `optimizer`, by default the first one's); throws PyTorch's messages.
    public init(_ schedulers: [LRScheduler], optimizer: Optimizer? = nil) throws {
        guard let opt = optimizer ?? schedulers.first?.optimizer else {
            throw OptimizerError("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        }
        try checkSchedulers("ChainedScheduler", schedulers, opt, chained: true)
        self.optimizer = opt
        self.schedulers = schedulers
        lastLR = opt.paramGroups.map { $0.lr }
    }

    /// `step()`.
    public func step(metric: Double?) { step() }

    /// Steps every scheduler once.
    public func step() {
        for s in schedulers { s.step() }
        lastLR = optimizer.paramGroups.map { $0.lr }
    }

    /// `_last_lr` and each scheduler's state.
    public func stateDict() -> SchedulerState {
        nestedState("ChainedScheduler", schedulers, values: [:], lists: ["_last_lr": lastLR])
    }

    /// Restores a state saved by `stateDict()`.
    public func loadStateDict(_ state: SchedulerState) throws {
        guard state.scheduler == "ChainedScheduler" else {
            throw OptimizerError("loaded scheduler state is for \(state.scheduler) but this scheduler is ChainedScheduler")
        }
        try loadNested(state, into: schedulers)
        if let l = state.lists["_last_lr"] { lastLR = l }
    }
}
