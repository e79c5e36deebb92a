import Foundation

/// Adadelta, like `torch.optim.Adadelta`.
///
/// For each parameter with gradient `g` (negated when `maximize`):
/// ```
/// g = g + weight_decay * p
/// v = rho * v + (1 - rho) * g * g                        (square_avg)
/// delta = sqrt(u + eps) / sqrt(v + eps) * g
/// u = rho * u + (1 - rho) * delta * delta                 (acc_delta)
/// p = p - lr * delta
/// ```
/// Defaults match PyTorch: `lr = 1`, `rho = 0.9`, `eps = 1e-6`,
/// `weightDecay = 0`, `maximize = false`.
///
/// ```swift
/// let opt = try Adadelta(model.parameters())
/// ```
public final class Adadelta: Optimizer {
    /// Adadelta over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1, rho: Double = 0.9, eps: Double = 1e-6,
                            weightDecay: Double = 0, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, rho: rho, eps: eps,
                      weightDecay: weightDecay, maximize: maximize)
    }

    /// Adadelta over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1, rho: Double = 0.9, eps: Double = 1e-6,
                weightDecay: Double = 0, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "rho": .number(rho), "eps": .number(eps),
            "weight_decay": .number(weightDecay), "maximize": .flag(maximize),
        ])
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        let rho = options["rho"]?.number ?? 0.9
        if !(rho >= 0 && rho <= 1) { throw OptimizerError("Invalid rho value: \(pythonFloat(rho))") }
        try requireNonNegative(options, "eps", "epsilon value")
        try requireNonNegative(options, "weight_decay", "weight_decay value")
    }

    public override func update(group: ParamGroup) {
        let negLR = Float(-group.lr)
        let rho = Float(group.number("rho") ?? 0.9), c = Float(1 - (group.number("rho") ?? 0.9))
        let wd = Float(group.weightDecay ?? 0)
        let eps = Float(group.eps ?? 1e-6)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["square_avg"] = Tensor.zeros(param.shape)
                st.buffers["acc_delta"] = Tensor.zeros(param.shape)
            }
            guard let vT = st.buffers["square_avg"], let uT = st.buffers["acc_delta"] else { continue }
            st.step += 1
            let p = b.p, g = b.g, v = vT.dataPointer, u = uT.dataPointer
            OptimKernels.specialize(wd != 0) { decay in
                Parallel.forRange(b.count) { lo, hi in
                    for i in lo..<hi {
                        var d = sign * g[i]
                        if decay { d += wd * p[i] }
                        let vi = v[i] * rho + c * d * d
                        v[i] = vi
                        let delta = OptimKernels.sqrt(u[i] + eps) / OptimKernels.sqrt(vi + eps) * d
                        u[i] = u[i] * rho + c * delta * delta
                        p[i] += negLR * delta
                    }
                }
            }
            b.finish()
        }
    }
}
