/// A snapshot of an optimizer's state for exact resume, like `optimizer.state_dict()`.
///
/// Parameters are referred to by their index in the flattened list of all
/// groups' parameters (PyTorch's convention), so the state can be loaded into
/// a fresh optimizer built over the same parameters in the same order.
public struct OptimizerStateDict {
    /// Per-parameter state.
    public struct Entry {
        /// Number of steps taken for this parameter (nil for optimizers that keep none, like SGD).
        public var step: Int?
        /// Buffers by PyTorch name (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
        /// `square_avg`, `grad_avg`), each shaped like the parameter.
        public var buffers: [String: Tensor]
        /// State with the given step count and buffers.
        public init(step: Int? = nil, buffers: [String: Tensor] = [:]) {
            self.step = step
            self.buffers = buffers
        }
    }

    /// One parameter group: its options and the indices of its parameters.
    public struct Group {
        /// Hyperparameters by PyTorch name (`lr`, `momentum` …).
        public var options: [String: OptimizerOption]
        /// Flat indices of the group's parameters.
        public var params: [Int]
        /// A group with `options` over `params`.
        public init(options: [String: OptimizerOption], params: [Int]) {
            self.options = options
            self.params = params
        }
    }

    /// The optimizer's class name (`SGD`, `Adam` …): state is only loaded into the same kind.
    public var optimizer: String
    /// Per-parameter state by flat parameter index; parameters that never stepped have none.
    public var state: [Int: Entry]
    /// The parameter groups, in order.
    public var paramGroups: [Group]

    /// A state dict of the given parts.
    public init(optimizer: String, state: [Int: Entry], paramGroups: [Group]) {
        self.optimizer = optimizer
        self.state = state
        self.paramGroups = paramGroups
    }
}
