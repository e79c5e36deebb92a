/// Shared argument checks with PyTorch's messages (`Invalid epsilon value: -1.0`).

/// Throws `Invalid <label>: <value>` unless option `key` is ≥ 0 (or absent).
func requireNonNegative(_ options: [String: OptimizerOption], _ key: String, _ label: String) throws {
    if let v = options[key]?.number, !(v >= 0) { throw OptimizerError("Invalid \(label): \(pythonFloat(v))") }
}

/// Throws PyTorch's message unless both `betas` lie in [0, 1).
func requireBetas(_ options: [String: OptimizerOption]) throws {
    guard let (b1, b2) = options["betas"]?.pair else { return }
    if !(b1 >= 0 && b1 < 1) { throw OptimizerError("Invalid beta parameter at index 0: \(pythonFloat(b1))") }
    if !(b2 >= 0 && b2 < 1) { throw OptimizerError("Invalid beta parameter at index 1: \(pythonFloat(b2))") }
}
