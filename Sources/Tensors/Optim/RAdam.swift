import Foundation

/// Rectified Adam, like `torch.optim.RAdam`.
///
/// For each parameter with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g = g + weight_decay * p         (or p *= 1 - lr * weight_decay when decoupled)
/// m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g * g
/// rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
/// p = p - lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r_t   (rho_t > 5)
/// p = p - lr * m / (1 - beta1^t)                                               (otherwise)
/// r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
/// ```
/// Defaults match PyTorch: `lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`,
/// `weightDecay = 0`, `decoupledWeightDecay = false`, `maximize = false`.
///
/// ```swift
/// let opt = try RAdam(model.parameters(), lr: 1e-3)
/// ```
public final class RAdam: Optimizer {
    /// RAdam over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false,
                            maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, betas: betas, eps: eps,
                      weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay, maximize: maximize)
    }

    /// RAdam over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false,
                maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps),
            "weight_decay": .number(weightDecay), "decoupled_weight_decay": .flag(decoupledWeightDecay),
            "maximize": .flag(maximize),
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
        let w1 = Float(1 - beta1), b2 = Float(beta2), c2 = Float(1 - beta2)
        let lowWeight = Swift.abs(w1) < 0.5
        let weightDecay = group.weightDecay ?? 0
        let decoupled = group.flag("decoupled_weight_decay") ?? false
        let l2: Float = decoupled ? 0 : Float(weightDecay)
        let shrink: Float = decoupled && weightDecay != 0 ? Float(1 - lr * weightDecay) : 1
        let eps = Float(group.eps ?? 1e-8)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        let rhoInf = 2 / (1 - beta2) - 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["exp_avg"] = Tensor.zeros(param.shape)
                st.buffers["exp_avg_sq"] = Tensor.zeros(param.shape)
            }
            guard let mT = st.buffers["exp_avg"], let vT = st.buffers["exp_avg_sq"] else { continue }
            st.step += 1
            let t = Double(st.step)
            let bc1 = Float(1 - Foundation.pow(beta1, t))
            let bc2 = 1 - Foundation.pow(beta2, t)
            let rhoT = rhoInf - 2 * t * Foundation.pow(beta2, t) / bc2
            let rectified = rhoT > 5
            let rect = rectified
                ? Float(((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot()) : 1
            let bc2Sqrt = Float(bc2.squareRoot()), flr = Float(lr)
            let p = b.p, g = b.g, m = mT.dataPointer, v = vT.dataPointer
            OptimKernels.specialize(l2 != 0, shrink != 1, lowWeight, rectified) { decay, shrinking, lowWeight, rectified in
                Parallel.forRange(b.count) { lo, hi in
                    for i in lo..<hi {
                        var d = sign * g[i]
                        if shrinking { p[i] *= shrink }
                        if decay { d += l2 * p[i] }
                        let mi = OptimKernels.lerp(m[i], d, w1, lowWeight: lowWeight)
                        m[i] = mi
                        let vi = v[i] * b2 + c2 * d * d
                        v[i] = vi
                        // Same operation order as PyTorch's tensor expression.
                        let corrected = mi / bc1 * flr
                        if rectified {
                            p[i] -= corrected * (bc2Sqrt / (OptimKernels.sqrt(vi) + eps)) * rect
                        } else {
                            p[i] -= corrected
                        }
                    }
                }
            }
            b.finish()
        }
    }
}
