import Foundation

/// The optimizers the editor offers.
public enum OptimizerKind: String, Sendable, CaseIterable {
    case sgd = "SGD"
    case adam = "Adam"
    case adamW = "AdamW"
    case rmsprop = "RMSprop"
}

/// Training settings edited in the hyperparameter pane. The defaults are `workbench
/// train`'s (the reference run: SGD lr 0.001 momentum 0.9, batch 16, 10 epochs,
/// augmentation, a fifth of the training set for validation).
public struct Hyperparameters: Equatable, Sendable {
    public var learningRate: Double = 0.001
    public var momentum: Double = 0.9
    public var weightDecay: Double = 0
    public var optimizer: OptimizerKind = .sgd
    public var batchSize: Int = 16
    public var epochs: Int = 10
    /// Fraction of the training split held out for validation.
    public var validationSplit: Double = 0.2
    public var augmentation: Bool = true
    public var seed: UInt64 = 0

    public init() {}
}

/// One editable field of `Hyperparameters`.
public enum HyperparameterField: String, CaseIterable, Sendable {
    case learningRate = "learning rate"
    case momentum
    case weightDecay = "weight decay"
    case optimizer
    case batchSize = "batch size"
    case epochs
    case validationSplit = "validation split"
    case augmentation
    case seed

    /// Whether a change reaches a running training at its next step (else: the next run).
    public var appliesLive: Bool {
        switch self {
        case .learningRate, .momentum, .weightDecay: return true
        default: return false
        }
    }

    /// Fields with a fixed set of values cycle with ←/→ instead of a text prompt.
    public var isChoice: Bool { self == .optimizer || self == .augmentation }

    /// The value as the editor shows it.
    public func format(_ h: Hyperparameters) -> String {
        switch self {
        case .learningRate: return Self.formatNumber(h.learningRate)
        case .momentum: return Self.formatNumber(h.momentum)
        case .weightDecay: return Self.formatNumber(h.weightDecay)
        case .optimizer: return h.optimizer.rawValue
        case .batchSize: return String(h.batchSize)
        case .epochs: return String(h.epochs)
        case .validationSplit: return Self.formatNumber(h.validationSplit)
        case .augmentation: return h.augmentation ? "on" : "off"
        case .seed: return String(h.seed)
        }
    }

    static func formatNumber(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) < 1e-3 || abs(v) >= 1e6 { return String(format: "%g", v) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// Parses and validates `text` for this field, returning the updated settings or a
    /// message naming the field and the allowed values.
    public func parse(_ text: String, into h: Hyperparameters) -> Result<Hyperparameters, HyperparameterError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        var out = h
        func fail(_ m: String) -> Result<Hyperparameters, HyperparameterError> { .failure(HyperparameterError(field: self, message: m)) }
        func number() -> Double? {
            guard let v = Double(t), v.isFinite else { return nil }
            return v
        }
        switch self {
        case .learningRate:
            guard let v = number() else { return fail("learning rate must be a number, got \"\(t)\"") }
            guard v > 0 && v <= 10 else { return fail("learning rate must be > 0 and ≤ 10, got \(t)") }
            out.learningRate = v
        case .momentum:
            guard let v = number() else { return fail("momentum must be a number, got \"\(t)\"") }
            guard v >= 0 && v < 1 else { return fail("momentum must be in [0, 1), got \(t)") }
            out.momentum = v
        case .weightDecay:
            guard let v = number() else { return fail("weight decay must be a number, got \"\(t)\"") }
            guard v >= 0 && v <= 1 else { return fail("weight decay must be in [0, 1], got \(t)") }
            out.weightDecay = v
        case .optimizer:
            guard let k = OptimizerKind.allCases.first(where: { $0.rawValue.lowercased() == t.lowercased() }) else {
                return fail("optimizer must be one of \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(t)\"")
            }
            out.optimizer = k
        case .batchSize:
            guard let v = Int(t) else { return fail("batch size must be a whole number, got \"\(t)\"") }
            guard v >= 1 && v <= 65536 else { return fail("batch size must be between 1 and 65536, got \(v)") }
            out.batchSize = v
        case .epochs:
            guard let v = Int(t) else { return fail("epochs must be a whole number, got \"\(t)\"") }
            guard v >= 1 && v <= 100_000 else { return fail("epochs must be between 1 and 100000, got \(v)") }
            out.epochs = v
        case .validationSplit:
            guard let v = number() else { return fail("validation split must be a number, got \"\(t)\"") }
            guard v >= 0 && v < 1 else { return fail("validation split must be in [0, 1), got \(t)") }
            out.validationSplit = v
        case .augmentation:
            switch t.lowercased() {
            case "on", "true", "yes", "1": out.augmentation = true
            case "off", "false", "no", "0": out.augmentation = false
            default: return fail("augmentation must be on or off, got \"\(t)\"")
            }
        case .seed:
            guard let v = UInt64(t) else { return fail("seed must be a whole number ≥ 0, got \"\(t)\"") }
            out.seed = v
        }
        return .success(out)
    }
}

/// A rejected hyperparameter edit.
public struct HyperparameterError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: HyperparameterField
    public var message: String
    public var description: String { message }
}
