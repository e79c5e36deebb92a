import Foundation

// MARK: - Errors and option values

/// An invalid optimizer or scheduler argument, or a state dict that does not fit.
///
/// The message follows PyTorch's wording (`Invalid learning rate: -1.0`), so a
/// CLI or TUI can show it to the user as is.
public struct OptimizerError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// A hyperparameter value in a parameter group: a number, a flag or a pair (`betas`).
public enum OptimizerOption: Equatable, Sendable, CustomStringConvertible {
    case number(Double)
    case flag(Bool)
    case pair(Double, Double)

    /// The number, or nil for flags and pairs.
    public var number: Double? { if case .number(let v) = self { return v } else { return nil } }
    /// The flag, or nil for numbers and pairs.
    public var flag: Bool? { if case .flag(let v) = self { return v } else { return nil } }
    /// The pair, or nil for numbers and flags.
    public var pair: (Double, Double)? { if case .pair(let a, let b) = self { return (a, b) } else { return nil } }

    /// Python's spelling: `0.001`, `True`, `(0.9, 0.999)`.
    public var description: String {
        switch self {
        case .number(let v): return pythonFloat(v)
        case .flag(let b): return pythonBool(b)
        case .pair(let a, let b): return "(\(pythonFloat(a)), \(pythonFloat(b)))"
        }
    }
}


// MARK: - Parameter groups

/// A set of parameters optimised with the same hyperparameters, like one
/// entry of `optimizer.param_groups` in PyTorch.
///
/// Options are keyed by PyTorch's names (`lr`, `momentum`, `weight_decay`,
/// `betas` …) and also readable and writable through typed properties.
/// Options a group leaves out take the optimizer's defaults when the group is
/// added.
///
/// ```swift
/// let opt = try SGD(groups: [ParamGroup(backbone), ParamGroup(head, lr: 0.1)], lr: 0.01, momentum: 0.9)
/// opt.paramGroups[1].lr = 0.05
/// ```
public struct ParamGroup: CustomStringConvertible {
    /// The tensors this group updates.
    public var params: [Tensor]
    /// Hyperparameters by PyTorch name.
    public var options: [String: OptimizerOption]

    /// A group with explicit options (missing ones take the optimizer defaults).
    public init(_ params: [Tensor], options: [String: OptimizerOption]) {
        self.params = params
        self.options = options
    }

    /// A group overriding some of the optimizer's defaults.
    public init(_ params: [Tensor], lr: Double? = nil, momentum: Double? = nil, dampening: Double? = nil,
                weightDecay: Double? = nil, nesterov: Bool? = nil, betas: (Double, Double)? = nil,
                eps: Double? = nil, amsgrad: Bool? = nil, alpha: Double? = nil, centered: Bool? = nil,
                maximize: Bool? = nil) {
        self.params = params
        var o: [String: OptimizerOption] = [:]
        if let lr { o["lr"] = .number(lr) }
        if let momentum { o["momentum"] = .number(momentum) }
        if let dampening { o["dampening"] = .number(dampening) }
        if let weightDecay { o["weight_decay"] = .number(weightDecay) }
        if let nesterov { o["nesterov"] = .flag(nesterov) }
        if let betas { o["betas"] = .pair(betas.0, betas.1) }
        if let eps { o["eps"] = .number(eps) }
        if let amsgrad { o["amsgrad"] = .flag(amsgrad) }
        if let alpha { o["alpha"] = .number(alpha) }
        if let centered { o["centered"] = .flag(centered) }
        if let maximize { o["maximize"] = .flag(maximize) }
        options = o
    }

    /// The option named `key` (PyTorch spelling), like `group["lr"]`.
    public subscript(key: String) -> OptimizerOption? {
        get { options[key] }
        set { options[key] = newValue }
    }

    func number(_ key: String) -> Double? { options[key]?.number }
    func flag(_ key: String) -> Bool? { options[key]?.flag }

    /// Learning rate (`lr`).
    public var lr: Double {
        get { number("lr") ?? 0 }
        set { options["lr"] = .number(newValue) }
    }
    /// Momentum factor (SGD, RMSprop).
    public var momentum: Double? {
        get { number("momentum") }
        set { options["momentum"] = newValue.map { .number($0) } }
    }
    /// Dampening for momentum (SGD).
    public var dampening: Double? {
        get { number("dampening") }
        set { options["dampening"] = newValue.map { .number($0) } }
    }
    /// Weight decay (`weight_decay`): L2 penalty, or decoupled decay for AdamW.
    public var weightDecay: Double? {
        get { number("weight_decay") }
        set { options["weight_decay"] = newValue.map { .number($0) } }
    }
    /// Nesterov momentum (SGD).
    public var nesterov: Bool? {
        get { flag("nesterov") }
        set { options["nesterov"] = newValue.map { .flag($0) } }
    }
    /// Coefficients for the running averages of the gradient and its square (Adam, AdamW).
    public var betas: (Double, Double)? {
        get { options["betas"]?.pair }
        set { options["betas"] = newValue.map { .pair($0.0, $0.1) } }
    }
    /// Term added to the denominator for numerical stability.
    public var eps: Double? {
        get { number("eps") }
        set { options["eps"] = newValue.map { .number($0) } }
    }
    /// AMSGrad variant (Adam, AdamW).
    public var amsgrad: Bool? {
        get { flag("amsgrad") }
        set { options["amsgrad"] = newValue.map { .flag($0) } }
    }
    /// Smoothing constant (RMSprop).
    public var alpha: Double? {
        get { number("alpha") }
        set { options["alpha"] = newValue.map { .number($0) } }
    }
    /// Centered RMSprop (normalise by the estimated variance of the gradient).
    public var centered: Bool? {
        get { flag("centered") }
        set { options["centered"] = newValue.map { .flag($0) } }
    }
    /// Maximise the objective instead of minimising it.
    public var maximize: Bool? {
        get { flag("maximize") }
        set { options["maximize"] = newValue.map { .flag($0) } }
    }

    /// The options in PyTorch's printed form (sorted keys, four-space indent).
    public var description: String {
        options.sorted { $0.key < $1.key }.map { "    \($0.key): \($0.value)" }.joined(separator: "\n")
    }
}

// MARK: - State dict

/// A snapshot of an optimizer's state for exact resume, like `optimizer.state_dict()`.
///
/// Parameters are referred to by their index in the flattened list of all
/// groups' parameters (PyTorch's convention), so the state can be loaded into
/// a fresh optimizer built over the same parameters in the same order.
public struct OptimizerStateDict {
    /// Per-parameter state.
    public struct Entry {
        /// Number of steps taken for this parameter (nil for optimizers that keep none, like SGD).
        public var step: Int?
        /// Buffers by PyTorch name (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
        /// `square_avg`, `grad_avg`), each shaped like the parameter.
        public var buffers: [String: Tensor]
        /// State with the given step count and buffers.
        public init(step: Int? = nil, buffers: [String: Tensor] = [:]) {
            self.step = step
            self.buffers = buffers
        }
    }

    /// One parameter group: its options and the indices of its parameters.
    public struct Group {
        /// Hyperparameters by PyTorch name (`lr`, `momentum` …).
        public var options: [String: OptimizerOption]
        /// Flat indices of the group's parameters.
        public var params: [Int]
        /// A group with `options` over `params`.
        public init(options: [String: OptimizerOption], params: [Int]) {
            self.options = options
            self.params = params
        }
    }

    /// The optimizer's class name (`SGD`, `Adam` …): state is only loaded into the same kind.
    public var optimizer: String
    /// Per-parameter state by flat parameter index; parameters that never stepped have none.
    public var state: [Int: Entry]
    /// The parameter groups, in order.
    public var paramGroups: [Group]

    /// A state dict of the given parts.
    public init(optimizer: String, state: [Int: Entry], paramGroups: [Group]) {
        self.optimizer = optimizer
        self.state = state
        self.paramGroups = paramGroups
    }
}

// MARK: - Optimizer base

/// Per-parameter state kept between steps.
final class ParamState {
    var step = 0
    var buffers: [String: Tensor] = [:]
}

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

    /// Adds a group (missing options from `defaults`), like `add_param_group`.
    public func addParamGroup(_ group: ParamGroup) throws {
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
    public func step() {
        noGrad {
            for i in paramGroups.indices { update(group: paramGroups[i]) }
        }
    }

    /// Re-evaluates the loss with `closure` (grad enabled), then steps; returns the loss.
    @discardableResult
    public func step(_ closure: () throws -> Tensor) rethrows -> Tensor {
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
                    if t.shape != p.shape {
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

// MARK: - Kernel helpers

/// Raw pointers for one parameter update: the parameter (written in place) and its gradient.
///
/// A non-contiguous parameter is updated through a contiguous scratch copy
/// that `finish()` writes back.
struct ParamBuffers {
    let param: Tensor
    let scratch: Tensor?
    let p: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let gradHolder: Tensor
    let count: Int

    /// Nil when the parameter has no gradient (it is skipped, like PyTorch).
    init?(_ param: Tensor, optimizer: String) {
        guard let grad = param.grad, !param.isMeta else { return nil }
        precondition(grad.shape == param.shape,
                     "\(optimizer): gradient shape \(grad.shape) does not match parameter shape \(param.shape)")
        self.param = param
        count = param.count
        gradHolder = grad.isContiguous ? grad : OptimKernels.copy(grad)
        g = UnsafePointer(gradHolder.dataPointer)
        if param.isContiguous {
            scratch = nil
            p = param.dataPointer
        } else {
            let s = OptimKernels.copy(param)
            scratch = s
            p = s.dataPointer
        }
        param.storage.version += 1
    }

    func finish() {
        if let s = scratch { noGrad { _ = param.copy(from: s) } }
        withExtendedLifetime(gradHolder) {}
    }
}

/// Small helpers shared by the optimizers and schedulers.
enum OptimKernels {
    /// A contiguous copy with its own storage, outside autograd.
    static func copy(_ t: Tensor) -> Tensor {
        Tensor(shape: t.shape) { dst in
            t.withUnsafeBufferPointer { src in
                if let d = dst.baseAddress, let s = src.baseAddress, src.count > 0 { d.update(from: s, count: src.count) }
            }
        }
    }

    /// torch's `lerp` for floats: `a + w * (b - a)`, computed from the nearer end
    /// (`lowWeight` is `abs(w) < 0.5`, decided once per loop).
    @inline(__always)
    static func lerp(_ a: Float, _ b: Float, _ w: Float, lowWeight: Bool) -> Float {
        lowWeight ? a + w * (b - a) : b - (b - a) * (1 - w)
    }

    /// Square root that vectorises.
    ///
    /// `x.squareRoot()` compiles to `sqrtss` plus a call to libm's `sqrtf` (to
    /// set errno) for negative inputs, which keeps LLVM from vectorising the
    /// loop around it (5x slower Adam). The root of `abs(x)` cannot be
    /// negative-input, so it becomes a plain vector sqrt; the select restores
    /// NaN for negative `x`.
    @inline(__always)
    static func sqrt(_ x: Float) -> Float {
        let r = Swift.abs(x).squareRoot()
        return x < 0 ? .nan : r
    }

    // Loops with branches on loop-invariant flags do not vectorise (LLVM does not
    // unswitch them at -O), so each optimizer's kernel is written once with Bool
    // parameters and instantiated per flag combination through these helpers:
    // after inlining, each copy has constant flags and a branch-free loop.

    @inline(__always)
    static func specialize(_ a: Bool, _ body: (Bool) -> Void) {
        if a { body(true) } else { body(false) }
    }

    @inline(__always)
    static func specialize(_ a: Bool, _ b: Bool, _ body: (Bool, Bool) -> Void) {
        specialize(a) { a in specialize(b) { b in body(a, b) } }
    }

    @inline(__always)
    static func specialize(_ a: Bool, _ b: Bool, _ c: Bool, _ d: Bool, _ body: (Bool, Bool, Bool, Bool) -> Void) {
        specialize(a, b) { a, b in specialize(c, d) { c, d in body(a, b, c, d) } }
    }
}

// MARK: - Codable options (for checkpoints)

extension OptimizerOption: Codable {
    /// Numbers encode as JSON numbers, flags as booleans, pairs as two-element arrays.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v): try c.encode(v)
        case .flag(let b): try c.encode(b)
        case .pair(let a, let b): try c.encode([a, b])
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .flag(b)
        } else if let v = try? c.decode(Double.self) {
            self = .number(v)
        } else {
            let p = try c.decode([Double].self)
            guard p.count == 2 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "an option pair needs 2 numbers, got \(p.count)")
            }
            self = .pair(p[0], p[1])
        }
    }
}
