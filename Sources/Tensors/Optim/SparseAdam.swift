import Foundation

/// Adam for sparse gradients, like `torch.optim.SparseAdam`: only the
/// entries the gradient touches have their moments and values updated.
///
/// PyTorch's SparseAdam takes sparse COO gradients (from `Embedding(sparse=True)`)
/// and refuses dense ones. Until sparse tensors land, this one takes dense
/// gradients and treats them as the sparse gradient of their rows: a row of
/// the parameter (an index along dim 0, an embedding vector) is updated iff
/// its gradient row has a nonzero entry, which is what
/// `grad.to_sparse(sparse_dim=1)` gives PyTorch. Untouched rows keep their
/// value and moments (plain Adam would decay the moments of every row).
/// For touched rows, at step `t` (one count per parameter per step):
/// ```
/// m = m + (1 - beta1) * (g - m);  v = v + (1 - beta2) * (g * g - v)
/// p = p - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
/// ```
/// Defaults match PyTorch: `lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`, `maximize = false`.
///
/// ```swift
/// let opt = try SparseAdam(embedding.parameters(), lr: 1e-2)
/// ```
public final class SparseAdam: Optimizer {
    /// SparseAdam over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, betas: betas, eps: eps,
                      maximize: maximize)
    }

    /// SparseAdam over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, maximize: Bool = false) throws {
        try super.init(groups: groups, defaults: [
            "lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps), "maximize": .flag(maximize),
        ])
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        if let lr = options["lr"]?.number, !(lr > 0) { throw OptimizerError("Invalid learning rate: \(pythonFloat(lr))") }
        if let eps = options["eps"]?.number, !(eps > 0) { throw OptimizerError("Invalid epsilon value: \(pythonFloat(eps))") }
        try requireBetas(options)
    }

    public override func update(group: ParamGroup) {
        let lr = group.lr
        let (beta1, beta2) = group.betas ?? (0.9, 0.999)
        let c1 = Float(1 - beta1), c2 = Float(1 - beta2)
        let eps = Float(group.eps ?? 1e-8)
        let sign: Float = (group.maximize ?? false) ? -1 : 1
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
            let negStep = Float(-(lr * (1 - Foundation.pow(beta2, t)).squareRoot() / (1 - Foundation.pow(beta1, t))))
            let rows = param.rank == 0 ? 1 : param.shape[0]
            let width = rows == 0 ? 0 : b.count / rows
            let p = b.p, g = b.g, m = mT.dataPointer, v = vT.dataPointer
            for r in 0..<rows {
                let base = r * width
                var touched = false
                for j in 0..<width where g[base + j] != 0 { touched = true; break }
                if !touched { continue }
                for i in base..<(base + width) {
                    let d = sign * g[i]
                    let mi = (d - m[i]) * c1 + m[i]
                    let vi = (d * d - v[i]) * c2 + v[i]
                    m[i] = mi
                    v[i] = vi
                    p[i] += negStep * (mi / (OptimKernels.sqrt(vi) + eps))
                }
            }
            b.finish()
        }
    }
}
