import Foundation

/// Adamax (Adam with the infinity norm), like `torch.optim.Adamax`.
///
/// For each parameter with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g = g + weight_decay * p
/// m = m + (1 - beta1) * (g - m)                  (exp_avg)
/// u = max(beta2 * u, |g| + eps)                  (exp_inf)
/// p = p - lr / (1 - beta1^t) * m / u
/// ```
/// Defaults match PyTorch: `lr = 2e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`,
/// `weightDecay = 0`, `maximize = false`.
///
/// ```swift
/// let opt = try Adamax(model.parameters())
/// ```
public final class Adamax: Optimizer {
    /// Adamax over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, betas: betas, eps: eps,
                      weightDecay: weightDecay, maximize: maximize)
    }

    /// Adamax over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps),
            "weight_decay": .number(weightDecay), "maximize": .flag(maximize),
        ])
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        try requireNonNegative(options, "eps", "epsilon value")
        try requireBetas(options)
        try requireNonNegative(options, "weight_decay", "weight_decay value")
    }

    public override func update(group: ParamGroup) {
        let lr = group.lr
        let (beta1, beta2) = group.betas ?? (0.9, 0.999)
        let w1 = Float(1 - beta1), b2 = Float(beta2)
        let lowWeight = Swift.abs(w1) < 0.5
        let wd = Float(group.weightDecay ?? 0)
        let eps = Float(group.eps ?? 1e-8)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["exp_avg"] = Tensor.zeros(param.shape)
                st.buffers["exp_inf"] = Tensor.zeros(param.shape)
            }
            guard let mT = st.buffers["exp_avg"], let uT = st.buffers["exp_inf"] else { continue }
            st.step += 1
            let negClr = Float(-(lr / (1 - Foundation.pow(beta1, Double(st.step)))))
            let p = b.p, g = b.g, m = mT.dataPointer, u = uT.dataPointer
            OptimKernels.specialize(wd != 0, lowWeight) { decay, lowWeight in
                Parallel.forRange(b.count) { lo, hi in
                    for i in lo..<hi {
                        var d = sign * g[i]
                        if decay { d += wd * p[i] }
                        let mi = OptimKernels.lerp(m[i], d, w1, lowWeight: lowWeight)
                        m[i] = mi
                        let ui = Swift.max(u[i] * b2, Swift.abs(d) + eps)
                        u[i] = ui
                        p[i] += negClr * mi / ui
                    }
                }
            }
            b.finish()
        }
    }
}
