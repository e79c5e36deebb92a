/// The optimizers a run can choose by name: one list shared by the CLI
/// (`--optimizer`), `TrainingConfig`, checkpoints and the TUI's editor.
///
/// `rawValue` is the command-line and config spelling (`adamw`);
/// `displayName` is PyTorch's class name (`AdamW`). Adding an optimizer to
/// the workbench is a case here plus its line in `make`.
///
/// ```swift
/// let opt = try OptimizerKind(name: "Adam").make(model.parameters(), lr: 1e-3)
/// ```
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    case sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, asgd, nadam, radam, rprop, sparseadam, lbfgs

    /// PyTorch's class name, as printed and shown in the editor.
    public var displayName: String {
        switch self {
        case .sgd: return "SGD"
        case .adam: return "Adam"
        case .adamw: return "AdamW"
        case .rmsprop: return "RMSprop"
        case .adagrad: return "Adagrad"
        case .adadelta: return "Adadelta"
        case .adamax: return "Adamax"
        case .asgd: return "ASGD"
        case .nadam: return "NAdam"
        case .radam: return "RAdam"
        case .rprop: return "Rprop"
        case .sparseadam: return "SparseAdam"
        case .lbfgs: return "LBFGS"
        }
    }

    /// The kind named `name` (either spelling, any case); throws naming the choices.
    public init(name: String) throws {
        let n = name.lowercased()
        guard let k = OptimizerKind.allCases.first(where: { $0.rawValue == n || $0.displayName.lowercased() == n }) else {
            throw OptimizerError("unknown optimizer '\(name)'; expected one of: "
                                 + OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = k
    }

    /// Whether the optimizer should be stepped with a closure that
    /// re-evaluates the loss (`step { … }`): LBFGS. A plain `step()` after
    /// `backward()` still works (one fixed-size L-BFGS iteration), but a
    /// training loop should pass a closure for PyTorch's algorithm.
    public var requiresClosure: Bool { self == .lbfgs }

    /// This optimizer over `params` with the run's common settings; `momentum`
    /// is SGD's and RMSprop's momentum (Adam-family betas keep their defaults).
    /// Optimizers without weight decay (Rprop, SparseAdam, LBFGS) throw for a
    /// nonzero `weightDecay` rather than ignore it.
    public func make(_ params: [Tensor], lr: Double, momentum: Double = 0, weightDecay: Double = 0) throws -> Optimizer {
        if weightDecay != 0 && [.rprop, .sparseadam, .lbfgs].contains(self) {
            throw OptimizerError("\(displayName) has no weight_decay option (got \(pythonFloat(weightDecay)))")
        }
        switch self {
        case .sgd: return try SGD(params, lr: lr, momentum: momentum, weightDecay: weightDecay)
        case .adam: return try Adam(params, lr: lr, weightDecay: weightDecay)
        case .adamw: return try AdamW(params, lr: lr, weightDecay: weightDecay)
        case .rmsprop: return try RMSprop(params, lr: lr, weightDecay: weightDecay, momentum: momentum)
        case .adagrad: return try Adagrad(params, lr: lr, weightDecay: weightDecay)
        case .adadelta: return try Adadelta(params, lr: lr, weightDecay: weightDecay)
        case .adamax: return try Adamax(params, lr: lr, weightDecay: weightDecay)
        case .asgd: return try ASGD(params, lr: lr, weightDecay: weightDecay)
        case .nadam: return try NAdam(params, lr: lr, weightDecay: weightDecay)
        case .radam: return try RAdam(params, lr: lr, weightDecay: weightDecay)
        case .rprop: return try Rprop(params, lr: lr)
        case .sparseadam: return try SparseAdam(params, lr: lr)
        case .lbfgs: return try LBFGS(params, lr: lr)
        }
    }
}
