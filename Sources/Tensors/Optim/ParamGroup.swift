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
