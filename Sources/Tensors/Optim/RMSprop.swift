/// RMSprop, like `torch.optim.RMSprop`.
///
/// For each parameter with gradient `g` (negated when `maximize`):
/// ```
/// g = g + weight_decay * p
/// v = alpha * v + (1 - alpha) * g * g
/// avg = sqrt(v) + eps                               (or sqrt(v - ga^2) + eps when centered,
///                                                    ga = ga + (1 - alpha) * (g - ga))
/// b = momentum * b + g / avg;  p = p - lr * b        (momentum > 0)
/// p = p - lr * g / avg                               (otherwise)
/// ```
/// Defaults match PyTorch: `lr = 1e-2`, `alpha = 0.99`, `eps = 1e-8`,
/// `weightDecay = 0`, `momentum = 0`, `centered = false`, `maximize = false`.
///
/// ```swift
/// let opt = try RMSprop(model.parameters(), lr: 1e-3, momentum: 0.9)
/// ```
public final class RMSprop: Optimizer {
    /// RMSprop over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false,
                            maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, alpha: alpha, eps: eps,
                      weightDecay: weightDecay, momentum: momentum, centered: centered, maximize: maximize)
    }

    /// RMSprop over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false,
                maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "alpha": .number(alpha), "eps": .number(eps),
            "weight_decay": .number(weightDecay), "momentum": .number(momentum),
            "centered": .flag(centered), "maximize": .flag(maximize),
        ])
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        let eps = options["eps"]?.number ?? 0
        let momentum = options["momentum"]?.number ?? 0
        let weightDecay = options["weight_decay"]?.number ?? 0
        let alpha = options["alpha"]?.number ?? 0
        if !(eps >= 0) { throw OptimizerError("Invalid epsilon value: \(pythonFloat(eps))") }
        if !(momentum >= 0) { throw OptimizerError("Invalid momentum value: \(pythonFloat(momentum))") }
        if !(weightDecay >= 0) {
            throw OptimizerError("Invalid weight_decay value: \(pythonFloat(weightDecay))")
        }
        if !(alpha >= 0) { throw OptimizerError("Invalid alpha value: \(pythonFloat(alpha))") }
    }

    public override func update(group: ParamGroup) {
        let negLR = Float(-group.lr)
        let alpha = group.alpha ?? 0.99
        let a = Float(alpha), c = Float(1 - alpha), w = Float(1 - alpha)
        let eps = Float(group.eps ?? 1e-8)
        let wd = Float(group.weightDecay ?? 0)
        let momentum = group.momentum ?? 0
        let mom = Float(momentum)
        let centered = group.centered ?? false
        let sign: Float = (group.maximize ?? false) ? -1 : 1

        let lowWeight = Swift.abs(w) < 0.5

        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: "RMSprop") else { continue }
            let st = paramState(param)
            if st.buffers["square_avg"] == nil { st.buffers["square_avg"] = Tensor.zeros(param.shape) }
            if momentum > 0 && st.buffers["momentum_buffer"] == nil {
                st.buffers["momentum_buffer"] = Tensor.zeros(param.shape)
            }
            if centered && st.buffers["grad_avg"] == nil { st.buffers["grad_avg"] = Tensor.zeros(param.shape) }
            guard let sqT = st.buffers["square_avg"] else { continue }
            st.step += 1
            let p = b.p, g = b.g, sq = sqT.dataPointer
            // Unused (never read) unless centered / momentum > 0.
            let ga = centered ? (st.buffers["grad_avg"]?.dataPointer ?? sq) : sq
            let buf = momentum > 0 ? (st.buffers["momentum_buffer"]?.dataPointer ?? sq) : sq
            OptimKernels.specialize(wd != 0, centered, momentum > 0, lowWeight) { decay, centered, withMomentum, lowWeight in
                Parallel.forRange(b.count) { s, e in
                    for i in s..<e {
                        var d = sign * g[i]
                        if decay { d += wd * p[i] }
                        let v = sq[i] * a + c * d * d
                        sq[i] = v
                        var avg: Float
                        if centered {
                            let gi = OptimKernels.lerp(ga[i], d, w, lowWeight: lowWeight)
                            ga[i] = gi
                            avg = OptimKernels.sqrt(v - gi * gi)
                        } else {
                            avg = OptimKernels.sqrt(v)
                        }
                        avg += eps
                        if withMomentum {
                            let bi = buf[i] * mom + d / avg
                            buf[i] = bi
                            p[i] += negLR * bi
                        } else {
                            p[i] += negLR * d / avg
                        }
                    }
                }
            }
            b.finish()
        }
    }
}
