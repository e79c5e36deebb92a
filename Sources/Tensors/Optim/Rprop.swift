import Foundation

/// Resilient backpropagation, like `torch.optim.Rprop`: each weight has its own
/// step size, grown while the gradient keeps its sign and shrunk when it flips.
///
/// For each parameter with gradient `g` (negated when `maximize`):
/// ```
/// s = sign(g * prev)  ->  etaplus (> 0), etaminus (< 0), 1 (0)
/// step_size = clamp(step_size * s, step_sizes.0, step_sizes.1)
/// g = 0 where the sign flipped (s = etaminus)
/// p = p - sign(g) * step_size;  prev = g
/// ```
/// State: `step`, `prev`, `step_size` (starting at `lr`). Defaults match
/// PyTorch: `lr = 1e-2`, `etas = (0.5, 1.2)`, `stepSizes = (1e-6, 50)`, `maximize = false`.
///
/// ```swift
/// let opt = try Rprop(model.parameters(), lr: 0.01)
/// ```
public final class Rprop: Optimizer {
    /// Rprop over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, etas: (Double, Double) = (0.5, 1.2),
                            stepSizes: (Double, Double) = (1e-6, 50), maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, etas: etas, stepSizes: stepSizes,
                      maximize: maximize)
    }

    /// Rprop over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-2, etas: (Double, Double) = (0.5, 1.2),
                stepSizes: (Double, Double) = (1e-6, 50), maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "etas": .pair(etas.0, etas.1), "step_sizes": .pair(stepSizes.0, stepSizes.1),
            "maximize": .flag(maximize),
        ])
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        if let (minus, plus) = options["etas"]?.pair, !(0 < minus && minus < 1 && 1 < plus) {
            throw OptimizerError("Invalid eta values: \(pythonFloat(minus)), \(pythonFloat(plus))")
        }
    }

    public override func update(group: ParamGroup) {
        let (etaMinus, etaPlus) = group["etas"]?.pair ?? (0.5, 1.2)
        let (lo, hi) = group["step_sizes"]?.pair ?? (1e-6, 50)
        let minus = Float(etaMinus), plus = Float(etaPlus), sMin = Float(lo), sMax = Float(hi)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
        for param in group.params {
            guard let b = ParamBuffers(param, optimizer: name) else { continue }
            let st = paramState(param)
            if st.buffers.isEmpty {
                st.buffers["prev"] = Tensor.zeros(param.shape)
                st.buffers["step_size"] = Tensor.full(param.shape, Float(group.lr))
            }
            guard let prevT = st.buffers["prev"], let sizeT = st.buffers["step_size"] else { continue }
            st.step += 1
            let p = b.p, g = b.g, prev = prevT.dataPointer, size = sizeT.dataPointer
            Parallel.forRange(b.count) { s, e in
                for i in s..<e {
                    var d = sign * g[i]
                    let prod = d * prev[i]
                    let factor: Float = prod > 0 ? plus : (prod < 0 ? minus : 1)
                    size[i] = Swift.min(Swift.max(size[i] * factor, sMin), sMax)
                    if factor == minus { d = 0 }
                    let dir: Float = d > 0 ? 1 : (d < 0 ? -1 : 0)
                    p[i] -= dir * size[i]
                    prev[i] = d
                }
            }
            b.finish()
        }
    }
}
