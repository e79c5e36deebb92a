/// Stochastic gradient descent with optional momentum, dampening, Nesterov
/// momentum and weight decay, like `torch.optim.SGD`.
///
/// For each parameter with gradient `g` (negated when `maximize`):
/// ```
/// g = g + weight_decay * p
/// b = g                                   (first step)
/// b = momentum * b + (1 - dampening) * g  (later steps)
/// g = nesterov ? g + momentum * b : b     (when momentum != 0)
/// p = p - lr * g
/// ```
/// Defaults match PyTorch: `lr = 1e-3`, `momentum = 0`, `dampening = 0`,
/// `weightDecay = 0`, `nesterov = false`, `maximize = false`.
///
/// ```swift
/// let opt = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// ```
public final class SGD: Optimizer {
    /// SGD over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, momentum: momentum,
                      dampening: dampening, weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
    }

    /// SGD over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "momentum": .number(momentum), "dampening": .number(dampening),
            "weight_decay": .number(weightDecay), "nesterov": .flag(nesterov), "maximize": .flag(maximize),
        ])
    }

    public override var tracksStepCount: Bool { false }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        let momentum = options["momentum"]?.number ?? 0
        let dampening = options["dampening"]?.number ?? 0
        let weightDecay = options["weight_decay"]?.number ?? 0
        if !(momentum >= 0) { throw OptimizerError("Invalid momentum value: \(pythonFloat(momentum))") }
        if !(weightDecay >= 0) { throw OptimizerError("Invalid weight_decay value: \(pythonFloat(weightDecay))") }
        if options["nesterov"]?.flag == true && (momentum <= 0 || dampening != 0) {
            throw OptimizerError("Nesterov momentum requires a momentum and zero dampening")
        }
    }

    public override func update(group: ParamGroup) {
        let negLR = Float(-group.lr)
        let momentum = group.momentum ?? 0
        let mom = Float(momentum)
        let damp = Float(1 - (group.dampening ?? 0))
        let wd = Float(group.weightDecay ?? 0)
        let nesterov = group.nesterov ?? false
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        let decay = wd != 0

        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: "SGD") else { continue }
            let p = b.p, g = b.g
            if momentum == 0 {
                OptimKernels.specialize(decay) { decay in
                    Parallel.forRange(b.count) { s, e in
                        for i in s..<e {
                            var d = sign * g[i]
                            if decay { d += wd * p[i] }
                            p[i] += negLR * d
                        }
                    }
                }
                b.finish()
                continue
            }
            let st = paramState(param)
            let existing = st.buffers["momentum_buffer"]
            let buf = existing ?? Tensor(uninitialized: param.shape)
            let m = buf.dataPointer
            // On the first step the buffer starts as the gradient itself (no dampening).
            OptimKernels.specialize(existing == nil, nesterov, decay, false) { first, nesterov, decay, _ in
                Parallel.forRange(b.count) { s, e in
                    for i in s..<e {
                        var d = sign * g[i]
                        if decay { d += wd * p[i] }
                        let v = first ? d : m[i] * mom + damp * d
                        m[i] = v
                        p[i] += negLR * (nesterov ? d + mom * v : v)
                    }
                }
            }
            if existing == nil { st.buffers["momentum_buffer"] = buf }
            b.finish()
        }
    }
}
