import Foundation

/// NAdam (Adam with Nesterov momentum), like `torch.optim.NAdam`.
///
/// For each parameter with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g = g + weight_decay * p         (or p *= 1 - lr * weight_decay when decoupled)
/// mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)),  mu_product *= mu_t
/// m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g * g
/// denom = sqrt(v / (1 - beta2^t)) + eps
/// p = p - lr * (1 - mu_t) / (1 - mu_product) * g / denom
///       - lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / denom
/// ```
/// `mu_product` is a per-parameter scalar (shape `[]`) in the state dict.
/// Defaults match PyTorch: `lr = 2e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`,
/// `weightDecay = 0`, `momentumDecay = 4e-3`, `decoupledWeightDecay = false`.
///
/// ```swift
/// let opt = try NAdam(model.parameters(), lr: 1e-3)
/// ```
public final class NAdam: Optimizer {
    /// NAdam over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, momentumDecay: Double = 4e-3,
                            decoupledWeightDecay: Bool = false, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, betas: betas, eps: eps,
                      weightDecay: weightDecay, momentumDecay: momentumDecay,
                      decoupledWeightDecay: decoupledWeightDecay, maximize: maximize)
    }

    /// NAdam over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, momentumDecay: Double = 4e-3,
                decoupledWeightDecay: Bool = false, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps),
            "weight_decay": .number(weightDecay), "momentum_decay": .number(momentumDecay),
            "decoupled_weight_decay": .flag(decoupledWeightDecay), "maximize": .flag(maximize),
        ])
    }

    public override var scalarStateKeys: Set<String> { ["mu_product"] }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        try requireNonNegative(options, "eps", "epsilon value")
        try requireBetas(options)
        try requireNonNegative(options, "weight_decay", "weight_decay value")
        try requireNonNegative(options, "momentum_decay", "momentum_decay value")
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
        let momentumDecay = group.number("momentum_decay") ?? 4e-3
        let eps = Float(group.eps ?? 1e-8)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["mu_product"] = Tensor(Float(1))
                st.buffers["exp_avg"] = Tensor.zeros(param.shape)
                st.buffers["exp_avg_sq"] = Tensor.zeros(param.shape)
            }
            guard let muT = st.buffers["mu_product"], let mT = st.buffers["exp_avg"], let vT = st.buffers["exp_avg_sq"]
            else { continue }
            st.step += 1
            let t = Double(st.step)
            let bc2 = Float(1 - Foundation.pow(beta2, t))
            let mu = beta1 * (1 - 0.5 * Foundation.pow(0.96, t * momentumDecay))
            let muNext = beta1 * (1 - 0.5 * Foundation.pow(0.96, (t + 1) * momentumDecay))
            // mu_product is a float32 tensor in PyTorch: multiplied in Float, read back as Double.
            let muProduct = muT.dataPointer[0] * Float(mu)
            muT.dataPointer[0] = muProduct
            let muProductNext = Double(muProduct) * muNext
            let gradScale = Float(-lr * (1 - mu) / (1 - Double(muProduct)))
            let avgScale = Float(-lr * muNext / (1 - muProductNext))
            let p = b.p, g = b.g, m = mT.dataPointer, v = vT.dataPointer
            OptimKernels.specialize(l2 != 0, shrink != 1, lowWeight, false) { decay, shrinking, lowWeight, _ in
                Parallel.forRange(b.count) { lo, hi in
                    for i in lo..<hi {
                        var d = sign * g[i]
                        if shrinking { p[i] *= shrink }
                        if decay { d += l2 * p[i] }
                        let mi = OptimKernels.lerp(m[i], d, w1, lowWeight: lowWeight)
                        m[i] = mi
                        let vi = v[i] * b2 + c2 * d * d
                        v[i] = vi
                        let denom = OptimKernels.sqrt(vi / bc2) + eps
                        p[i] += gradScale * d / denom
                        p[i] += avgScale * mi / denom
                    }
                }
            }
            b.finish()
        }
    }
}
