import Foundation
import Tensors

extension TrainingConfig {
    /// The TUI's starting settings: `workbench train`'s defaults (the reference run:
    /// SGD lr 0.001 momentum 0.9, batch 16, 10 epochs, augmentation) with a fifth
    /// of the training split held out for validation.
    public static var editorDefaults: TrainingConfig {
        var c = TrainingConfig()
        c.valFraction = 0.2
        return c
    }
}

/// One field of `TrainingConfig` that the hyperparameter pane edits.
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
    case scheduler
    case schedulerArguments = "scheduler args"
    /// Processes of a data-parallel run (`mpirun -np`); 1 trains in this process.
    case processes = "processes (-np)"

    /// Whether a change reaches a running training at its next step (else: the next run).
    public var appliesLive: Bool {
        switch self {
        case .learningRate, .momentum, .weightDecay: return true
        default: return false
        }
    }

    /// Fields with a fixed set of values cycle with ←/→ instead of a text prompt.
    public var isChoice: Bool { self == .optimizer || self == .scheduler || self == .augmentation }

    /// The value as the editor shows it.
    public func format(_ h: TrainingConfig) -> String {
        switch self {
        case .learningRate: return Self.formatNumber(h.lr)
        case .momentum: return Self.formatNumber(h.momentum)
        case .weightDecay: return Self.formatNumber(h.weightDecay)
        case .optimizer: return h.optimizer.displayName
        case .scheduler: return h.scheduler?.kind.displayName ?? "none"
        case .schedulerArguments:
            guard let s = h.scheduler else { return "-" }
            return s.arguments.isEmpty ? "(defaults)" : s.argumentText
        case .batchSize: return String(h.batchSize)
        case .epochs: return String(h.epochs)
        case .validationSplit: return Self.formatNumber(h.valFraction ?? 0)
        case .augmentation: return h.augment ? "on" : "off"
        case .seed: return String(h.seed)
        case .processes: return String(h.processes ?? 1)
        }
    }

    static func formatNumber(_ v: Double) -> String { formatHyperparameter(v) }

    /// Parses and validates `text` for this field, returning the updated settings or a
    /// message naming the field and the allowed values.
    public func parse(_ text: String, into h: TrainingConfig) -> Result<TrainingConfig, HyperparameterError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        var out = h
        func fail(_ m: String) -> Result<TrainingConfig, HyperparameterError> { .failure(HyperparameterError(field: self, message: m)) }
        func number() -> Double? {
            guard let v = Double(t), v.isFinite else { return nil }
            return v
        }
        switch self {
        case .learningRate:
            guard let v = number() else { return fail("learning rate must be a number, got \"\(t)\"") }
            guard v > 0 && v <= 10 else { return fail("learning rate must be > 0 and ≤ 10, got \(t)") }
            out.lr = v
        case .momentum:
            guard let v = number() else { return fail("momentum must be a number, got \"\(t)\"") }
            guard v >= 0 && v < 1 else { return fail("momentum must be in [0, 1), got \(t)") }
            out.momentum = v
        case .weightDecay:
            guard let v = number() else { return fail("weight decay must be a number, got \"\(t)\"") }
            guard v >= 0 && v <= 1 else { return fail("weight decay must be in [0, 1], got \(t)") }
            out.weightDecay = v
        case .optimizer:
            guard let k = try? OptimizerKind(name: t) else {
                return fail("optimizer must be one of \(OptimizerKind.allCases.map(\.displayName).joined(separator: ", ")), got \"\(t)\"")
            }
            out.optimizer = k
        case .scheduler:
            if t.isEmpty || t.lowercased() == "none" {
                out.scheduler = nil
                break
            }
            guard let k = try? SchedulerKind(name: t) else {
                return fail("scheduler must be none or one of \(SchedulerKind.allCases.map(\.displayName).joined(separator: ", ")), got \"\(t)\"")
            }
            // A new kind starts from example values of its required arguments, sized to the run.
            if h.scheduler?.kind != k {
                out.scheduler = SchedulerChoice(kind: k, arguments: k.exampleArguments(epochs: h.epochs, lr: h.lr))
            }
        case .schedulerArguments:
            guard let current = h.scheduler else { return fail("choose a scheduler first (the field above)") }
            let text = t == "(defaults)" ? "" : t
            do {
                let choice = try SchedulerChoice(name: current.kind.rawValue, arguments: text)
                out.scheduler = choice
            } catch {
                return fail("scheduler args: \(error)")
            }
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
            out.valFraction = v
            out.valSize = nil
        case .augmentation:
            switch t.lowercased() {
            case "on", "true", "yes", "1": out.augment = true
            case "off", "false", "no", "0": out.augment = false
            default: return fail("augmentation must be on or off, got \"\(t)\"")
            }
        case .seed:
            guard let v = UInt64(t) else { return fail("seed must be a whole number ≥ 0, got \"\(t)\"") }
            out.seed = v
        case .processes:
            guard let v = Int(t) else { return fail("processes must be a whole number, got \"\(t)\"") }
            guard v >= 1 && v <= 64 else { return fail("processes must be between 1 and 64, got \(v)") }
            if v > 1 && DistributedRun.mpirun == nil {
                return fail("processes \(v) runs under mpirun, which is not on PATH (install openmpi-bin)")
            }
            out.processes = v == 1 ? nil : v
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

extension HyperparameterField {
    /// The editor field a live change belongs to.
    public init(_ live: LiveHyperparameter) {
        switch live {
        case .learningRate: self = .learningRate
        case .momentum: self = .momentum
        case .weightDecay: self = .weightDecay
        }
    }
}
