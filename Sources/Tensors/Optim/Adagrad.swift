import Foundation

/// Adagrad, like `torch.optim.Adagrad`.
///
/// For each parameter with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g = g + weight_decay * p
/// clr = lr / (1 + (t - 1) * lr_decay)
/// sum = sum + g * g
/// p = p - clr * g / (sqrt(sum) + eps)
/// ```
/// Defaults match PyTorch: `lr = 1e-2`, `lrDecay = 0`, `weightDecay = 0`,
/// `initialAccumulatorValue = 0`, `eps = 1e-10`, `maximize = false`. As in
/// PyTorch the state (`step`, `sum`) exists for every parameter from the start.
///
/// ```swift
/// let opt = try Adagrad(model.parameters(), lr: 0.05)
/// ```
public final class Adagrad: Optimizer {
    /// Adagrad over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                            initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, lrDecay: lrDecay,
                      weightDecay: weightDecay, initialAccumulatorValue: initialAccumulatorValue, eps: eps,
                      maximize: maximize)
    }

    /// Adagrad over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "lr_decay": .number(lrDecay), "weight_decay": .number(weightDecay),
            "initial_accumulator_value": .number(initialAccumulatorValue), "eps": .number(eps),
            "maximize": .flag(maximize),
        ])
        for g in paramGroups { for p in g.params { initState(p, g) } }
    }

    private func initState(_ p: Tensor, _ g: ParamGroup) {
        let st = paramState(p)
        if st.buffers["sum"] == nil {
            st.buffers["sum"] = Tensor.full(p.shape, Float(g.number("initial_accumulator_value") ?? 0))
        }
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        try requireNonNegative(options, "lr_decay", "lr_decay value")
        try requireNonNegative(options, "weight_decay", "weight_decay value")
        try requireNonNegative(options, "initial_accumulator_value", "initial_accumulator_value value")
        try requireNonNegative(options, "eps", "epsilon value")
    }

    public override func update(group: ParamGroup) {
        let lr = group.lr
        let lrDecay = group.number("lr_decay") ?? 0
        let wd = Float(group.weightDecay ?? 0)
        let eps = Float(group.eps ?? 1e-10)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            initState(param, group)
            let st = paramState(param)
            guard let sumT = st.buffers["sum"] else { continue }
            st.step += 1
            let negClr = Float(-(lr / (1 + Double(st.step - 1) * lrDecay)))
            let p = b.p, g = b.g, s = sumT.dataPointer
            OptimKernels.specialize(wd != 0) { decay in
                Parallel.forRange(b.count) { lo, hi in
                    for i in lo..<hi {
                        var d = sign * g[i]
                        if decay { d += wd * p[i] }
                        let si = s[i] + d * d
                        s[i] = si
                        p[i] += negClr * d / (OptimKernels.sqrt(si) + eps)
                    }
                }
            }
            b.finish()
        }
    }
}
