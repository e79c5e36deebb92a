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
    /// Steps the scheduler whatever its kind, for loops that hold `any
    /// LearningRateScheduler`: `ReduceLROnPlateau` records `metric` (and does
    /// nothing without one); the others ignore it and call `step()`.
    func step(metric: Double?)
}

/// Python's `%`: the result has the sign of the divisor.
@inline(__always)
func pyMod(_ a: Int, _ b: Int) -> Int { let r = a % b; return r != 0 && (r < 0) != (b < 0) ? r + b : r }

/// Python's `//` (floor division).
@inline(__always)
func pyFloorDiv(_ a: Int, _ b: Int) -> Int { let q = a / b; return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q }

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

    /// `step()`; epoch schedulers take no metric.
    public func step(metric: Double?) { step() }

    /// Advances one epoch and sets the groups' learning rates.
    open func step() {
        stepCount += 1
        lastEpoch += 1
        apply(computeLR())
    }

    /// Jumps to `epoch` using the closed form where there is one (deprecated in PyTorch, kept for resuming).
    public func step(epoch: Int) {
        stepCount += 1
        updateLR(epoch: epoch)
    }

    /// Sets `lastEpoch` and the learning rates for it without counting a step
    /// (PyTorch's `_update_lr(epoch)`, used by `SequentialLR` at milestones).
    func updateLR(epoch: Int) {
        lastEpoch = epoch
        apply(closedFormLR() ?? computeLR())
    }

    /// Resets the step count and takes the initial step again (PyTorch's `_initial_step`).
    func initialStep() {
        stepCount = 0
        isInitial = true
        step()
        isInitial = false
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
