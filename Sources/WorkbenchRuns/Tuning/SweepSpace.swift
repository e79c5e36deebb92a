import Foundation
import Tensors

/// The settings a sweep varies: a grid (`lr=1e-3,3e-3 batch=16,64`, every combination)
/// or random search over ranges (`lr=1e-4:1e-1` log-uniform, `batch=16,32,64` a choice).
public struct SweepSpace: Equatable, Sendable {
    /// One varied setting.
    public enum Values: Equatable, Sendable {
        case list([String])
        /// Log-uniform between the bounds (both positive).
        case logRange(Double, Double)
    }

    /// Settings a sweep can vary, with the `TrainingConfig` field each sets.
    public static let names = ["lr", "batch", "momentum", "weight-decay", "epochs", "optimizer", "model", "seed"]

    /// The varied settings in the order given.
    public var parameters: [(name: String, values: Values)]

    public static func == (a: SweepSpace, b: SweepSpace) -> Bool {
        a.parameters.map(\.name) == b.parameters.map(\.name) && a.parameters.map(\.values) == b.parameters.map(\.values)
    }

    /// Parses `name=v1,v2` or `name=lo:hi` terms; the error names the term and what was expected.
    public init(_ terms: [String]) throws {
        var params: [(String, Values)] = []
        for t in terms {
            let parts = t.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw TrainingSetupError("sweep term '\(t)': expected NAME=V1,V2 or NAME=LOW:HIGH, e.g. lr=1e-3,3e-3")
            }
            var name = parts[0].lowercased()
            if name == "wd" || name == "weight_decay" { name = "weight-decay" }
            if name == "batch-size" || name == "batch_size" { name = "batch" }
            guard Self.names.contains(name) else {
                throw TrainingSetupError("sweep term '\(t)': unknown setting '\(parts[0])'; expected one of \(Self.names.joined(separator: ", "))")
            }
            guard !params.contains(where: { $0.0 == name }) else { throw TrainingSetupError("sweep setting '\(name)' is given twice") }
            let range = parts[1].split(separator: ":").map(String.init)
            if range.count == 2 {
                guard let lo = Double(range[0]), let hi = Double(range[1]), lo > 0, hi > lo else {
                    throw TrainingSetupError("sweep term '\(t)': a range needs two positive numbers LOW:HIGH with LOW < HIGH")
                }
                params.append((name, .logRange(lo, hi)))
            } else {
                let values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !values.isEmpty else { throw TrainingSetupError("sweep term '\(t)': no values") }
                var probe = TrainingConfig()
                for v in values { try Self.apply(name, v, to: &probe) }
                params.append((name, .list(values)))
            }
        }
        guard !params.isEmpty else { throw TrainingSetupError("a sweep needs at least one NAME=VALUES term, e.g. --grid lr=1e-3,3e-3") }
        parameters = params
    }

    /// Every combination of the listed values (the first setting varies slowest).
    public func grid() throws -> [[(String, String)]] {
        var out: [[(String, String)]] = [[]]
        for (name, values) in parameters {
            guard case .list(let vs) = values else {
                throw TrainingSetupError("sweep setting '\(name)' is a range; a grid needs listed values (use --random N for ranges)")
            }
            out = out.flatMap { prefix in vs.map { prefix + [(name, $0)] } }
        }
        return out
    }

    /// `count` random draws (seeded): ranges log-uniform, lists a uniform choice.
    public func random(_ count: Int, seed: UInt64) -> [[(String, String)]] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            // splitmix64
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
        return (0..<count).map { _ in
            parameters.map { name, values in
                switch values {
                case .list(let vs): return (name, vs[min(vs.count - 1, Int(next() * Double(vs.count)))])
                case .logRange(let lo, let hi):
                    let v = exp(log(lo) + next() * (log(hi) - log(lo)))
                    return (name, name == "batch" || name == "epochs" || name == "seed" ? String(Int(v.rounded())) : String(format: "%.3g", v))
                }
            }
        }
    }

    /// Sets `name` to `value` in `config`; the error names the setting.
    public static func apply(_ name: String, _ value: String, to c: inout TrainingConfig) throws {
        func number() throws -> Double {
            guard let d = Double(value) else { throw TrainingSetupError("sweep \(name)=\(value): expected a number") }
            return d
        }
        func integer() throws -> Int {
            guard let i = Int(value) else { throw TrainingSetupError("sweep \(name)=\(value): expected a whole number") }
            return i
        }
        switch name {
        case "lr": c.lr = try number()
        case "batch": c.batchSize = try integer()
        case "momentum": c.momentum = try number()
        case "weight-decay": c.weightDecay = try number()
        case "epochs": c.epochs = try integer()
        case "optimizer": c.optimizer = try OptimizerKind(name: value)
        case "model": c.model = value.lowercased()
        case "seed":
            guard let s = UInt64(value) else { throw TrainingSetupError("sweep seed=\(value): expected a whole number >= 0") }
            c.seed = s
        default: throw TrainingSetupError("unknown sweep setting '\(name)'")
        }
    }
}
