/// A hyperparameter value in a parameter group: a number, a flag or a pair (`betas`).
public enum OptimizerOption: Equatable, Sendable, CustomStringConvertible {
    case number(Double)
    case flag(Bool)
    case pair(Double, Double)

    /// The number, or nil for flags and pairs.
    public var number: Double? { if case .number(let v) = self { return v } else { return nil } }
    /// The flag, or nil for numbers and pairs.
    public var flag: Bool? { if case .flag(let v) = self { return v } else { return nil } }
    /// The pair, or nil for numbers and flags.
    public var pair: (Double, Double)? { if case .pair(let a, let b) = self { return (a, b) } else { return nil } }

    /// Python's spelling: `0.001`, `True`, `(0.9, 0.999)`.
    public var description: String {
        switch self {
        case .number(let v): return pythonFloat(v)
        case .flag(let b): return pythonBool(b)
        case .pair(let a, let b): return "(\(pythonFloat(a)), \(pythonFloat(b)))"
        }
    }
}

// MARK: - Codable (for checkpoints)

extension OptimizerOption: Codable {
    /// Numbers encode as JSON numbers, flags as booleans, pairs as two-element arrays.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v): try c.encode(v)
        case .flag(let b): try c.encode(b)
        case .pair(let a, let b): try c.encode([a, b])
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .flag(b)
        } else if let v = try? c.decode(Double.self) {
            self = .number(v)
        } else {
            let p = try c.decode([Double].self)
            guard p.count == 2 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "an option pair needs 2 numbers, got \(p.count)")
            }
            self = .pair(p[0], p[1])
        }
    }
}
