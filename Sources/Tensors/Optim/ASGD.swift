import Foundation

/// Averaged stochastic gradient descent, like `torch.optim.ASGD`.
///
/// For each parameter with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g = g + weight_decay * p
/// p = p * (1 - lambd * eta) - eta * g
/// ax = p                          (while mu = 1)
/// ax = ax + mu * (p - ax)         (after t0 steps)
/// eta = lr / (1 + lambd * lr * t)^alpha;  mu = 1 / max(1, t - t0)
/// ```
/// `ax` is the running average of the parameters; evaluate with it for the
/// averaged model. `eta`, `mu` are per-parameter scalars (shape `[]`) in the
/// state dict, as in PyTorch. Defaults match PyTorch: `lr = 1e-2`,
/// `lambd = 1e-4`, `alpha = 0.75`, `t0 = 1e6`, `weightDecay = 0`, `maximize = false`.
///
/// ```swift
/// let opt = try ASGD(model.parameters(), lr: 0.05, t0: 100)
/// ```
public final class ASGD: Optimizer {
    /// ASGD over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, lambd: Double = 1e-4, alpha: Double = 0.75,
                            t0: Double = 1e6, weightDecay: Double = 0, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, lambd: lambd, alpha: alpha,
                      t0: t0, weightDecay: weightDecay, maximize: maximize)
    }

    /// ASGD over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-2, lambd: Double = 1e-4, alpha: Double = 0.75,
                t0: Double = 1e6, weightDecay: Double = 0, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "lambd": .number(lambd), "alpha": .number(alpha), "t0": .number(t0),
            "weight_decay": .number(weightDecay), "maximize": .flag(maximize),
        ])
    }

    public override var scalarStateKeys: Set<String> { ["eta", "mu"] }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        try requireNonNegative(options, "lambd", "lambd value")
        try requireNonNegative(options, "alpha", "alpha value")
        try requireNonNegative(options, "weight_decay", "weight_decay value")
    }

    public override func update(group: ParamGroup) {
        let lr = group.lr
        let lambd = group.number("lambd") ?? 1e-4
        let alpha = group.number("alpha") ?? 0.75
        let t0 = group.number("t0") ?? 1e6
        let wd = Float(group.weightDecay ?? 0)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["eta"] = Tensor(Float(lr))
                st.buffers["mu"] = Tensor(Float(1))
                st.buffers["ax"] = Tensor.zeros(param.shape)
            }
            guard let etaT = st.buffers["eta"], let muT = st.buffers["mu"], let axT = st.buffers["ax"] else { continue }
            st.step += 1
            let eta = Double(etaT.dataPointer[0]), mu = muT.dataPointer[0]
            let shrink = Float(1 - lambd * eta), negEta = Float(-eta)
            let p = b.p, g = b.g, ax = axT.dataPointer
            let copyAverage = mu == 1
            OptimKernels.specialize(wd != 0, copyAverage) { decay, copyAverage in
                Parallel.forRange(b.count) { lo, hi in
                    for i in lo..<hi {
                        var d = sign * g[i]
                        if decay { d += wd * p[i] }
                        let pi = p[i] * shrink + negEta * d
                        p[i] = pi
                        ax[i] = copyAverage ? pi : ax[i] + (pi - ax[i]) * mu
                    }
                }
            }
            let t = Double(st.step)
            etaT.dataPointer[0] = Float(lr / Foundation.pow(1 + lambd * lr * t, alpha))
            muT.dataPointer[0] = Float(1 / Swift.max(1, t - t0))
            b.finish()
        }
    }
}
