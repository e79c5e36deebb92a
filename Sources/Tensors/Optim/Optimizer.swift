import Foundation

/// The shared base of all optimizers, like `torch.optim.Optimizer`.
///
/// Holds the parameter groups and the per-parameter state; subclasses
/// implement `update(group:)` with tight loops over raw buffers. Options can be
/// read and changed between steps: `optimizer.lr = 0.01` sets every group,
/// `optimizer.paramGroups[i].lr` one group.
///
/// ```swift
/// let opt = try Adam(model.parameters(), lr: 1e-3)
/// for (x, y) in loader {
///     opt.zeroGrad()
///     let loss = crossEntropy(model(x), y)
///     loss.backward()
///     opt.step()
/// }
/// ```
open class Optimizer: CustomStringConvertible {
    /// The parameter groups with their options.
    public var paramGroups: [ParamGroup] = []
    /// Default options for groups that leave some out.
    public let defaults: [String: OptimizerOption]
    var state: [ObjectIdentifier: ParamState] = [:]

    /// The class name used in printing and state dicts (`SGD`, `Adam` …).
    open var name: String { String(describing: type(of: self)) }

    /// Builds an optimizer over `groups`, filling missing options from `defaults`.
    /// Validates the defaults and every group with `validate(_:)`.
    public init(groups: [ParamGroup], defaults: [String: OptimizerOption]) throws {
        self.defaults = defaults
        try validate(defaults)
        if groups.isEmpty { throw OptimizerError("optimizer got an empty parameter list") }
        for g in groups { try addParamGroup(g) }
    }

    /// Checks option values; subclasses throw `OptimizerError` with PyTorch's messages.
    open func validate(_ options: [String: OptimizerOption]) throws {
        if let lr = options["lr"]?.number, !(lr >= 0) {
            throw OptimizerError("Invalid learning rate: \(pythonFloat(lr))")
        }
    }

    /// Refuses a group this optimizer cannot take (LBFGS takes one group only).
    open func addGroupCheck(_ group: ParamGroup) throws {}

    /// Whether the optimizer needs a closure that re-evaluates the loss
    /// (LBFGS) for its full algorithm: step it with `step { … }`.
    open var requiresClosure: Bool { false }

    /// Adds a group (missing options from `defaults`), like `add_param_group`.
    public func addParamGroup(_ group: ParamGroup) throws {
        try addGroupCheck(group)
        var g = group
        for (k, v) in defaults where g.options[k] == nil { g.options[k] = v }
        try validate(g.options)
        for p in g.params where !p.isLeaf {
            throw OptimizerError("can't optimize a non-leaf Tensor")
        }
        var seen = Set<ObjectIdentifier>()
        for other in paramGroups { for p in other.params { seen.insert(ObjectIdentifier(p)) } }
        for p in g.params where seen.contains(ObjectIdentifier(p)) {
            throw OptimizerError("some parameters appear in more than one parameter group")
        }
        paramGroups.append(g)
    }

    /// The learning rate of the first group; setting it sets every group.
    public var lr: Double {
        get { paramGroups.first?.lr ?? 0 }
        set { for i in paramGroups.indices { paramGroups[i].lr = newValue } }
    }

    /// Sets option `key` in every group after validating it, for values a user typed.
    public func setOption(_ key: String, _ value: OptimizerOption) throws {
        for g in paramGroups {
            var o = g.options
            o[key] = value
            try validate(o)
        }
        for i in paramGroups.indices { paramGroups[i].options[key] = value }
    }

    /// All parameters of all groups, in order.
    public var parameters: [Tensor] { paramGroups.flatMap { $0.params } }

    /// Clears the gradients of all parameters, like `zero_grad()`.
    /// With `setToNone` (the default) `.grad` becomes nil; otherwise it is filled with zeros.
    public func zeroGrad(setToNone: Bool = true) {
        for g in paramGroups {
            for p in g.params {
                if setToNone {
                    p.grad = nil
                } else if let gr = p.grad {
                    noGrad { _ = gr.zero() }
                }
            }
        }
    }

    /// Performs one optimisation step on every parameter that has a gradient.
    open func step() {
        noGrad {
            for i in paramGroups.indices { update(group: paramGroups[i]) }
        }
    }

    /// Re-evaluates the loss with `closure` (grad enabled), then steps; returns the loss.
    @discardableResult
    open func step(_ closure: () throws -> Tensor) rethrows -> Tensor {
        let loss = try withGradMode(true) { try closure() }
        step()
        return loss
    }

    /// Updates the parameters of one group in place. Called with grad mode off.
    open func update(group: ParamGroup) {
        fatalError("\(name).update(group:) is not implemented")
    }

    /// The state of `param`, created on first use.
    @inline(__always)
    func paramState(_ param: Tensor) -> ParamState {
        let id = ObjectIdentifier(param)
        if let s = state[id] { return s }
        let s = ParamState()
        state[id] = s
        return s
    }

    /// Whether the per-parameter state includes a step count (false for SGD).
    open var tracksStepCount: Bool { true }

    /// Per-parameter state entries that are scalars (shape `[]`) rather than
    /// shaped like the parameter (ASGD's `eta`, `mu`; NAdam's `mu_product`).
    open var scalarStateKeys: Set<String> { [] }

    /// Whether a loaded state buffer fits `param`: its shape, or `[]` for `scalarStateKeys`.
    open func stateBufferShapeOK(_ key: String, _ t: Tensor, param: Tensor) -> Bool {
        t.shape == param.shape || (t.shape.isEmpty && scalarStateKeys.contains(key))
    }

    // MARK: State dict

    /// A copy of the optimizer state (buffers are cloned), like `state_dict()`.
    public func stateDict() -> OptimizerStateDict {
        var entries: [Int: OptimizerStateDict.Entry] = [:]
        var groups: [OptimizerStateDict.Group] = []
        var index = 0
        for g in paramGroups {
            var ids: [Int] = []
            for p in g.params {
                if let s = state[ObjectIdentifier(p)] {
                    var e = OptimizerStateDict.Entry(step: tracksStepCount ? s.step : nil)
                    for (k, t) in s.buffers { e.buffers[k] = OptimKernels.copy(t) }
                    entries[index] = e
                }
                ids.append(index)
                index += 1
            }
            groups.append(.init(options: g.options, params: ids))
        }
        return OptimizerStateDict(optimizer: name, state: entries, paramGroups: groups)
    }

    /// Restores state saved by `stateDict()`, like `load_state_dict()`.
    ///
    /// The optimizer must have the same kind, number of groups and group sizes;
    /// each buffer must have its parameter's shape. Group options are replaced by
    /// the saved ones. On error nothing changes.
    public func loadStateDict(_ dict: OptimizerStateDict) throws {
        if dict.optimizer != name {
            throw OptimizerError("loaded state dict is for \(dict.optimizer) but this optimizer is \(name)")
        }
        if dict.paramGroups.count != paramGroups.count {
            throw OptimizerError("loaded state dict has a different number of parameter groups (\(dict.paramGroups.count), expected \(paramGroups.count))")
        }
        for (saved, g) in zip(dict.paramGroups, paramGroups) where saved.params.count != g.params.count {
            throw OptimizerError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group (\(saved.params.count) parameters, expected \(g.params.count))")
        }
        var newGroups = paramGroups
        var newState: [ObjectIdentifier: ParamState] = [:]
        for (gi, saved) in dict.paramGroups.enumerated() {
            var options = saved.options
            for (k, v) in defaults where options[k] == nil { options[k] = v }
            try validate(options)
            newGroups[gi].options = options
            for (pi, index) in saved.params.enumerated() {
                let p = paramGroups[gi].params[pi]
                guard let e = dict.state[index] else { continue }
                let s = ParamState()
                s.step = e.step ?? 0
                for (k, t) in e.buffers {
                    if !stateBufferShapeOK(k, t, param: p) {
                        throw OptimizerError("loaded state '\(k)' of parameter \(index) has shape \(t.shape), but the parameter has shape \(p.shape)")
                    }
                    s.buffers[k] = OptimKernels.copy(t)
                }
                newState[ObjectIdentifier(p)] = s
            }
        }
        paramGroups = newGroups
        state = newState
    }

    /// PyTorch's printed form: the class name and each group's sorted options.
    public var description: String {
        var s = "\(name) ("
        for (i, g) in paramGroups.enumerated() {
            s += "\nParameter Group \(i)\n"
            let body = g.description
            if !body.isEmpty { s += body + "\n" }
        }
        return s + ")"
    }
}
