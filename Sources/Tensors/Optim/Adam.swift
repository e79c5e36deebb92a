import Foundation

/// Adam, like `torch.optim.Adam`, with the AMSGrad variant and optional
/// decoupled weight decay (which makes it AdamW).
///
/// For each parameter with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g = g + weight_decay * p            (L2 penalty; or p *= 1 - lr * weight_decay when decoupled)
/// m = m + (1 - beta1) * (g - m)
/// v = beta2 * v + (1 - beta2) * g * g
/// vmax = max(vmax, v)                 (amsgrad)
/// p = p - lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
/// ```
/// Defaults match PyTorch: `lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`,
/// `weightDecay = 0`, `amsgrad = false`, `maximize = false`.
///
/// ```swift
/// let opt = try Adam(model.parameters(), lr: 3e-4)
/// ```
public class Adam: Optimizer {
    /// Adam over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false,
                            maximize: Bool = false, decoupledWeightDecay: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, betas: betas, eps: eps,
                      weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize,
                      decoupledWeightDecay: decoupledWeightDecay)
    }

    /// Adam over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false,
                maximize: Bool = false, decoupledWeightDecay: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps),
            "weight_decay": .number(weightDecay), "amsgrad": .flag(amsgrad), "maximize": .flag(maximize),
            "decoupled_weight_decay": .flag(decoupledWeightDecay),
        ])
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        let eps = options["eps"]?.number ?? 0
        let betas = options["betas"]?.pair ?? (0.9, 0.999)
        let weightDecay = options["weight_decay"]?.number ?? 0
        if !(eps >= 0) { throw OptimizerError("Invalid epsilon value: \(pythonFloat(eps))") }
        if !(betas.0 >= 0 && betas.0 < 1) {
            throw OptimizerError("Invalid beta parameter at index 0: \(pythonFloat(betas.0))")
        }
        if !(betas.1 >= 0 && betas.1 < 1) {
            throw OptimizerError("Invalid beta parameter at index 1: \(pythonFloat(betas.1))")
        }
        if !(weightDecay >= 0) {
            throw OptimizerError("Invalid weight_decay value: \(pythonFloat(weightDecay))")
        }
    }

    public override func update(group: ParamGroup) {
        let lr = group.lr
        let (beta1, beta2) = group.betas ?? (0.9, 0.999)
        let eps = Float(group.eps ?? 1e-8)
        let weightDecay = group.weightDecay ?? 0
        let decoupled = group["decoupled_weight_decay"]?.flag ?? false
        let amsgrad = group.amsgrad ?? false
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        // Scalars are computed in Double like PyTorch's Python code, then used as Float.
        let w1 = Float(1 - beta1), b2 = Float(beta2), c2 = Float(1 - beta2)
        let l2: Float = decoupled ? 0 : Float(weightDecay)
        let shrink: Float = decoupled && weightDecay != 0 ? Float(1 - lr * weightDecay) : 1

        let lowWeight = Swift.abs(w1) < 0.5

        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["exp_avg"] = Tensor.zeros(param.shape)
                st.buffers["exp_avg_sq"] = Tensor.zeros(param.shape)
            }
            if amsgrad && st.buffers["max_exp_avg_sq"] == nil {
                st.buffers["max_exp_avg_sq"] = Tensor.zeros(param.shape)
            }
            guard let mT = st.buffers["exp_avg"], let vT = st.buffers["exp_avg_sq"] else { continue }
            st.step += 1
            let t = Double(st.step)
            let bc1 = 1 - Foundation.pow(beta1, t)
            let bc2 = 1 - Foundation.pow(beta2, t)
            let negStep = Float(-(lr / bc1))
            let bc2Sqrt = Float(bc2.squareRoot())
            let p = b.p, g = b.g, m = mT.dataPointer, v = vT.dataPointer
            // Unused (never read) unless amsgrad.
            let vmax = amsgrad ? (st.buffers["max_exp_avg_sq"]?.dataPointer ?? v) : v
            OptimKernels.specialize(amsgrad, l2 != 0, shrink != 1, lowWeight) { amsgrad, decay, shrinking, lowWeight in
                Parallel.forRange(b.count) { s, e in
                    for i in s..<e {
                        var d = sign * g[i]
                        if shrinking { p[i] *= shrink }
                        if decay { d += l2 * p[i] }
                        let mi = OptimKernels.lerp(m[i], d, w1, lowWeight: lowWeight)
                        m[i] = mi
                        let vi = v[i] * b2 + c2 * d * d
                        v[i] = vi
                        var second = vi
                        if amsgrad {
                            second = Swift.max(vmax[i], vi)
                            vmax[i] = second
                        }
                        let denom = OptimKernels.sqrt(second) / bc2Sqrt + eps
                        p[i] += negStep * mi / denom
                    }
                }
            }
            b.finish()
        }
    }
}
