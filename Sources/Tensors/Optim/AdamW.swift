/// AdamW: Adam with decoupled weight decay, like `torch.optim.AdamW`.
///
/// Each step first shrinks the parameters, `p *= 1 - lr * weight_decay`, then
/// applies the Adam update to the raw gradient (the decay never enters the
/// moment estimates). Defaults match PyTorch: `lr = 1e-3`,
/// `betas = (0.9, 0.999)`, `eps = 1e-8`, `weightDecay = 1e-2`, `amsgrad = false`.
///
/// ```swift
/// let opt = try AdamW(model.parameters(), lr: 1e-3, weightDecay: 0.05)
/// ```
public final class AdamW: Adam {
    /// AdamW over one group of parameters.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false,
                            maximize: Bool = false) throws {
        try self.init(groups: params.isEmpty ? [] : [ParamGroup(params)], lr: lr, betas: betas, eps: eps,
                      weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }

    /// AdamW over several parameter groups; options a group leaves out take these defaults.
    public init(groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false,
                maximize: Bool = false) throws {
        try super.init(groups: groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                       amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: true)
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        if options["decoupled_weight_decay"]?.flag == false {
            throw OptimizerError("AdamW always uses decoupled weight decay (decoupled_weight_decay must be True)")
        }
    }
}
