import Foundation

/// A run's learning-rate scheduler: its kind and its text arguments (PyTorch
/// names), as `workbench train --scheduler steplr --scheduler-args
/// step_size=5,gamma=0.5`, the TUI's editor, configs and checkpoints give it.
///
/// `make(_:epochs:stepsPerEpoch:)` builds it over a run's optimizer; for
/// `OneCycleLR` without `total_steps` or `epochs` the run's plan supplies them
/// (`epochs`, `steps_per_epoch`), so `--scheduler onecyclelr
/// --scheduler-args max_lr=0.1` is enough. `learningRates` is the curve a
/// run will follow, one value per optimisation step, for previews.
///
/// ```swift
/// let choice = try SchedulerChoice(name: "StepLR", arguments: "step_size=2,gamma=0.5")
/// choice.description                                   // "StepLR(step_size=2, gamma=0.5)"
/// let curve = try choice.learningRates(lr: 0.1, epochs: 6, stepsPerEpoch: 10)   // 60 values
/// ```
public struct SchedulerChoice: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Which scheduler.
    public var kind: SchedulerKind
    /// Its arguments by PyTorch name; missing ones take `kind.parameters`' defaults.
    public var arguments: [String: String]

    /// A choice of `kind` with `arguments`.
    public init(kind: SchedulerKind, arguments: [String: String] = [:]) {
        self.kind = kind
        self.arguments = arguments
    }

    /// The scheduler named `name` (either spelling) with arguments parsed from
    /// `text` (`SchedulerKind.parseArguments`); throws naming a bad name or argument.
    /// The arguments are checked by building the scheduler once.
    public init(name: String, arguments text: String = "") throws {
        kind = try SchedulerKind(name: name)
        arguments = try SchedulerKind.parseArguments(text)
        _ = try learningRates(lr: 0.1, epochs: 1, stepsPerEpoch: 1)
    }

    /// The arguments as typed (`gamma=0.5 step_size=2`), sorted by name.
    public var argumentText: String {
        arguments.keys.sorted().map { "\($0)=\(arguments[$0] ?? "")" }.joined(separator: " ")
    }

    /// PyTorch-like: `StepLR(step_size=2, gamma=0.5)`, arguments in `kind.parameters`' order.
    public var description: String {
        let order = kind.parameters.map(\.name)
        let names = arguments.keys.sorted { (order.firstIndex(of: $0) ?? .max, $0) < (order.firstIndex(of: $1) ?? .max, $1) }
        return kind.displayName + "(" + names.map { "\($0)=\(arguments[$0] ?? "")" }.joined(separator: ", ") + ")"
    }

    /// The arguments with the run's plan filled in where the kind needs it
    /// and none was given (`OneCycleLR`'s `epochs` and `steps_per_epoch`).
    public func resolvedArguments(epochs: Int, stepsPerEpoch: Int) -> [String: String] {
        var a = arguments
        if kind == .onecyclelr && a["total_steps"] == nil && a["epochs"] == nil && a["steps_per_epoch"] == nil {
            a["epochs"] = String(Swift.max(1, epochs))
            a["steps_per_epoch"] = String(Swift.max(1, stepsPerEpoch))
        }
        return a
    }

    /// This scheduler over `optimizer` for a run of `epochs` × `stepsPerEpoch` steps.
    public func make(_ optimizer: Optimizer, epochs: Int, stepsPerEpoch: Int) throws -> any LearningRateScheduler {
        try kind.make(optimizer, arguments: resolvedArguments(epochs: epochs, stepsPerEpoch: stepsPerEpoch))
    }

    /// The learning rate of each optimisation step of a run from base `lr`
    /// (`epochs × stepsPerEpoch` values): per-batch schedulers step after each
    /// batch, the others after each epoch. `ReduceLROnPlateau` stays flat (it
    /// follows the validation loss).
    public func learningRates(lr: Double, epochs: Int, stepsPerEpoch: Int) throws -> [Double] {
        let opt = try SGD([Tensor.zeros([1]).requiringGrad()], lr: lr, momentum: 0.9)
        let s = try make(opt, epochs: epochs, stepsPerEpoch: stepsPerEpoch)
        var out: [Double] = []
        out.reserveCapacity(Swift.max(0, epochs * stepsPerEpoch))
        for _ in 0..<Swift.max(0, epochs) {
            for _ in 0..<Swift.max(0, stepsPerEpoch) {
                out.append(opt.paramGroups[0].lr)
                if kind.stepsPerBatch { s.step(metric: nil) }
            }
            if !kind.stepsPerBatch { s.step(metric: nil) }
        }
        return out
    }
}
