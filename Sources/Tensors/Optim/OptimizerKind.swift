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
    case sgd, adam, adamw, rmsprop

    /// PyTorch's class name, as printed and shown in the editor.
    public var displayName: String {
        switch self {
        case .sgd: return "SGD"
        case .adam: return "Adam"
        case .adamw: return "AdamW"
        case .rmsprop: return "RMSprop"
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

    /// This optimizer over `params` with the run's common settings; `momentum`
    /// is SGD's and RMSprop's momentum (Adam-family betas keep their defaults).
    public func make(_ params: [Tensor], lr: Double, momentum: Double = 0, weightDecay: Double = 0) throws -> Optimizer {
        switch self {
        case .sgd: return try SGD(params, lr: lr, momentum: momentum, weightDecay: weightDecay)
        case .adam: return try Adam(params, lr: lr, weightDecay: weightDecay)
        case .adamw: return try AdamW(params, lr: lr, weightDecay: weightDecay)
        case .rmsprop: return try RMSprop(params, lr: lr, weightDecay: weightDecay, momentum: momentum)
        }
    }
}
