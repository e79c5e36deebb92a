import Foundation

/// The learning-rate schedulers a run can choose by name, built from text
/// arguments: one list for the CLI (`--scheduler steplr --scheduler-args
/// "step_size=5 gamma=0.5"`), configs, checkpoints and the TUI's editor.
///
/// `rawValue` is the command-line spelling (`steplr`), `displayName`
/// PyTorch's class name (`StepLR`), `parameters` the arguments with their
/// PyTorch names and defaults (for help text and editors). Argument values
/// are numbers, `true`/`false`, words (`mode=triangular2`) or comma-separated
/// lists (`milestones=30,60`, `max_lr=0.1,0.05` for one value per group).
/// Schedulers that take functions or other schedulers (`LambdaLR`,
/// `MultiplicativeLR`, `SequentialLR`, `ChainedScheduler`) are built in code.
///
/// ```swift
/// let kind = try SchedulerKind(name: "StepLR")
/// let scheduler = try kind.make(optimizer, arguments: SchedulerKind.parseArguments("step_size=5 gamma=0.5"))
/// // per epoch: (scheduler as? LRScheduler)?.step(), or (scheduler as? ReduceLROnPlateau)?.step(valLoss)
/// ```
public enum SchedulerKind: String, CaseIterable, Codable, Sendable {
    case steplr, multisteplr, exponentiallr, cosineannealinglr, linearlr, onecyclelr, reducelronplateau
    case constantlr, polynomiallr, cycliclr, cosineannealingwarmrestarts

    /// One argument: PyTorch's name, its default (nil: required) and what it does.
    public struct Parameter: Equatable, Sendable {
        /// PyTorch's keyword (`step_size`).
        public var name: String
        /// The default as typed on the command line, or nil when the argument is required.
        public var defaultValue: String?
        /// A one-line description.
        public var help: String
    }

    /// PyTorch's class name, as printed and shown in the editor.
    public var displayName: String {
        switch self {
        case .steplr: return "StepLR"
        case .multisteplr: return "MultiStepLR"
        case .exponentiallr: return "ExponentialLR"
        case .cosineannealinglr: return "CosineAnnealingLR"
        case .linearlr: return "LinearLR"
        case .onecyclelr: return "OneCycleLR"
        case .reducelronplateau: return "ReduceLROnPlateau"
        case .constantlr: return "ConstantLR"
        case .polynomiallr: return "PolynomialLR"
        case .cycliclr: return "CyclicLR"
        case .cosineannealingwarmrestarts: return "CosineAnnealingWarmRestarts"
        }
    }

    /// Whether it steps once per batch (`OneCycleLR`, `CyclicLR`) rather than once per epoch.
    public var stepsPerBatch: Bool { self == .onecyclelr || self == .cycliclr }

    /// Whether `step` takes a metric (`ReduceLROnPlateau`).
    public var needsMetric: Bool { self == .reducelronplateau }

    /// The arguments `make` accepts, with PyTorch's defaults.
    public var parameters: [Parameter] {
        func p(_ n: String, _ d: String?, _ h: String) -> Parameter { Parameter(name: n, defaultValue: d, help: h) }
        switch self {
        case .steplr:
            return [p("step_size", nil, "epochs between decays"), p("gamma", "0.1", "decay factor")]
        case .multisteplr:
            return [p("milestones", nil, "epochs at which to decay, comma-separated"), p("gamma", "0.1", "decay factor")]
        case .exponentiallr:
            return [p("gamma", nil, "decay factor per epoch")]
        case .cosineannealinglr:
            return [p("T_max", nil, "epochs of the half period"), p("eta_min", "0", "minimum learning rate")]
        case .linearlr:
            return [p("start_factor", "0.3333333333333333", "first-epoch fraction of the lr"),
                    p("end_factor", "1.0", "final fraction of the lr"), p("total_iters", "5", "epochs of the ramp")]
        case .onecyclelr:
            return [p("max_lr", nil, "peak learning rate (one, or one per group)"),
                    p("total_steps", nil, "number of steps (or epochs and steps_per_epoch)"),
                    p("epochs", nil, "epochs, with steps_per_epoch"), p("steps_per_epoch", nil, "batches per epoch"),
                    p("pct_start", "0.3", "fraction of the cycle spent increasing"),
                    p("anneal_strategy", "cos", "cos or linear"), p("cycle_momentum", "true", "cycle momentum inversely"),
                    p("base_momentum", "0.85", "lowest momentum"), p("max_momentum", "0.95", "highest momentum"),
                    p("div_factor", "25.0", "initial lr = max_lr / div_factor"),
                    p("final_div_factor", "10000.0", "final lr = initial lr / final_div_factor"),
                    p("three_phase", "false", "annealing back down to the initial lr before the final phase")]
        case .reducelronplateau:
            return [p("mode", "min", "min (a loss) or max (an accuracy)"), p("factor", "0.1", "reduction factor"),
                    p("patience", "10", "epochs without improvement tolerated"),
                    p("threshold", "0.0001", "smallest change counted as an improvement"),
                    p("threshold_mode", "rel", "rel or abs"), p("cooldown", "0", "epochs to wait after a reduction"),
                    p("min_lr", "0", "lower bound (one, or one per group)"), p("eps", "1e-08", "smallest applied change")]
        case .constantlr:
            return [p("factor", "0.3333333333333333", "factor for the first epochs"),
                    p("total_iters", "5", "epochs with the reduced lr")]
        case .polynomiallr:
            return [p("total_iters", "5", "epochs of the decay"), p("power", "1.0", "power of the polynomial")]
        case .cycliclr:
            return [p("base_lr", nil, "lower learning rate (one, or one per group)"),
                    p("max_lr", nil, "upper learning rate (one, or one per group)"),
                    p("step_size_up", "2000", "steps increasing"), p("step_size_down", nil, "steps decreasing (default: step_size_up)"),
                    p("mode", "triangular", "triangular, triangular2 or exp_range"),
                    p("gamma", "1.0", "exp_range decay per step"), p("cycle_momentum", "true", "cycle momentum inversely"),
                    p("base_momentum", "0.8", "lowest momentum"), p("max_momentum", "0.9", "highest momentum")]
        case .cosineannealingwarmrestarts:
            return [p("T_0", nil, "epochs of the first period"), p("T_mult", "1", "period growth after each restart"),
                    p("eta_min", "0", "minimum learning rate")]
        }
    }

    /// Values for the required arguments (those without a default) that suit a
    /// run of `epochs` epochs from learning rate `lr` — what an editor fills in
    /// when the kind is chosen: `StepLR` decays at a third of the run,
    /// `CosineAnnealingLR` spans it, `OneCycleLR` and `CyclicLR` peak at 10 × `lr`.
    public func exampleArguments(epochs: Int, lr: Double) -> [String: String] {
        let e = Swift.max(1, epochs)
        switch self {
        case .steplr: return ["step_size": String(Swift.max(1, e / 3))]
        case .multisteplr: return ["milestones": "\(Swift.max(1, e / 2)),\(Swift.max(2, e * 3 / 4))"]
        case .exponentiallr: return ["gamma": "0.9"]
        case .cosineannealinglr: return ["T_max": String(e)]
        case .onecyclelr: return ["max_lr": formatHyperparameter(lr * 10)]
        case .cycliclr: return ["base_lr": formatHyperparameter(lr), "max_lr": formatHyperparameter(lr * 10)]
        case .cosineannealingwarmrestarts: return ["T_0": String(Swift.max(1, e / 3))]
        case .linearlr, .reducelronplateau, .constantlr, .polynomiallr: return [:]
        }
    }

    /// The kind named `name` (either spelling, any case); throws naming the choices.
    public init(name: String) throws {
        let n = name.lowercased()
        guard let k = SchedulerKind.allCases.first(where: { $0.rawValue == n || $0.displayName.lowercased() == n }) else {
            throw OptimizerError("unknown scheduler '\(name)'; expected one of: "
                                 + SchedulerKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = k
    }

    /// Splits `"step_size=5 gamma=0.5"` or `"step_size=5,gamma=0.5"` into a
    /// dictionary: pairs are separated by whitespace or commas, and a comma
    /// followed by an item without `=` continues a list value
    /// (`milestones=30,60,gamma=0.5`). Throws for a word without `=` or a repeated name.
    public static func parseArguments(_ text: String) throws -> [String: String] {
        var pairs: [(String, String)] = []
        for item in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            for piece in item.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                if !piece.contains("="), let last = pairs.last, !piece.isEmpty {
                    pairs[pairs.count - 1].1 = last.1 + "," + piece
                    continue
                }
                let parts = piece.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw OptimizerError("scheduler argument '\(piece.isEmpty ? String(item) : piece)' is not of the form name=value")
                }
                pairs.append((parts[0], parts[1]))
            }
        }
        var out: [String: String] = [:]
        for (name, value) in pairs {
            guard out[name] == nil else { throw OptimizerError("scheduler argument '\(name)' given twice") }
            out[name] = value
        }
        return out
    }

    /// This scheduler over `optimizer` from text `arguments` (PyTorch names);
    /// throws for unknown or missing arguments and bad values, naming them.
    public func make(_ optimizer: Optimizer, arguments: [String: String]) throws -> any LearningRateScheduler {
        let args = Arguments(kind: self, values: arguments)
        try args.checkNames()
        switch self {
        case .steplr:
            return try StepLR(optimizer, stepSize: args.int("step_size"), gamma: args.double("gamma"))
        case .multisteplr:
            return try MultiStepLR(optimizer, milestones: args.ints("milestones"), gamma: args.double("gamma"))
        case .exponentiallr:
            return try ExponentialLR(optimizer, gamma: args.double("gamma"))
        case .cosineannealinglr:
            return try CosineAnnealingLR(optimizer, tMax: args.int("T_max"), etaMin: args.double("eta_min"))
        case .linearlr:
            return try LinearLR(optimizer, startFactor: args.double("start_factor"), endFactor: args.double("end_factor"),
                                totalIters: args.int("total_iters"))
        case .onecyclelr:
            let strategy = try args.choice("anneal_strategy", OneCycleLR.AnnealStrategy.self)
            return try OneCycleLR(optimizer, maxLR: args.doubles("max_lr", groups: optimizer.paramGroups.count),
                                  totalSteps: args.optionalInt("total_steps"), epochs: args.optionalInt("epochs"),
                                  stepsPerEpoch: args.optionalInt("steps_per_epoch"), pctStart: args.double("pct_start"),
                                  annealStrategy: strategy, cycleMomentum: args.bool("cycle_momentum"),
                                  baseMomentum: args.double("base_momentum"), maxMomentum: args.double("max_momentum"),
                                  divFactor: args.double("div_factor"), finalDivFactor: args.double("final_div_factor"),
                                  threePhase: args.bool("three_phase"))
        case .reducelronplateau:
            let minLRs = try args.doubles("min_lr", groups: optimizer.paramGroups.count)
            return try ReduceLROnPlateau(optimizer, mode: args.choice("mode", ReduceLROnPlateau.Mode.self),
                                         factor: args.double("factor"), patience: args.int("patience"),
                                         threshold: args.double("threshold"),
                                         thresholdMode: args.choice("threshold_mode", ReduceLROnPlateau.ThresholdMode.self),
                                         cooldown: args.int("cooldown"), minLRs: minLRs, eps: args.double("eps"))
        case .constantlr:
            return try ConstantLR(optimizer, factor: args.double("factor"), totalIters: args.int("total_iters"))
        case .polynomiallr:
            return try PolynomialLR(optimizer, totalIters: args.int("total_iters"), power: args.double("power"))
        case .cycliclr:
            let n = optimizer.paramGroups.count
            return try CyclicLR(optimizer, baseLR: args.doubles("base_lr", groups: n), maxLR: args.doubles("max_lr", groups: n),
                                stepSizeUp: args.int("step_size_up"), stepSizeDown: args.optionalInt("step_size_down"),
                                mode: args.choice("mode", CyclicLR.Mode.self), gamma: args.double("gamma"),
                                cycleMomentum: args.bool("cycle_momentum"),
                                baseMomentum: args.doubles("base_momentum", groups: n),
                                maxMomentum: args.doubles("max_momentum", groups: n))
        case .cosineannealingwarmrestarts:
            return try CosineAnnealingWarmRestarts(optimizer, t0: args.int("T_0"), tMult: args.int("T_mult"),
                                                   etaMin: args.double("eta_min"))
        }
    }

    /// The learning rates this scheduler gives over `steps` steps from a base
    /// `lr` (one parameter group, SGD with momentum 0.9 so momentum-cycling
    /// schedulers work), starting with the initial one: the curve an editor
    /// draws before a run. `ReduceLROnPlateau` (it needs metrics) stays flat.
    public func learningRates(arguments: [String: String], lr: Double, steps: Int) throws -> [Double] {
        try SchedulerChoice(kind: self, arguments: arguments).learningRates(lr: lr, epochs: Swift.max(0, steps) + 1, stepsPerEpoch: 1)
    }

    /// Typed access to text arguments, falling back to the defaults in `parameters`.
    private struct Arguments {
        let kind: SchedulerKind
        let values: [String: String]

        func checkNames() throws {
            let known = Set(kind.parameters.map(\.name))
            for name in values.keys.sorted() where !known.contains(name) {
                throw OptimizerError("\(kind.displayName) has no argument '\(name)'; it takes: "
                                     + kind.parameters.map(\.name).joined(separator: ", "))
            }
        }

        func text(_ name: String) -> String? { values[name] ?? kind.parameters.first { $0.name == name }?.defaultValue }

        func required(_ name: String) throws -> String {
            guard let t = text(name) else { throw OptimizerError("\(kind.displayName) needs the argument \(name)") }
            return t
        }

        func bad(_ name: String, _ value: String, _ what: String) -> OptimizerError {
            OptimizerError("\(kind.displayName): \(name) must be \(what), got '\(value)'")
        }

        func double(_ name: String) throws -> Double {
            let t = try required(name)
            guard let v = Double(t), v.isFinite else { throw bad(name, t, "a number") }
            return v
        }

        func int(_ name: String) throws -> Int {
            let t = try required(name)
            guard let v = Int(t) else { throw bad(name, t, "an integer") }
            return v
        }

        func optionalInt(_ name: String) throws -> Int? { text(name) == nil ? nil : try int(name) }

        func bool(_ name: String) throws -> Bool {
            let t = try required(name)
            switch t.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw bad(name, t, "true or false")
            }
        }

        func ints(_ name: String) throws -> [Int] {
            let t = try required(name)
            let parts = t.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { throw bad(name, t, "comma-separated integers") }
            return parts.compactMap { $0 }
        }

        func doubles(_ name: String, groups: Int) throws -> [Double] {
            let t = try required(name)
            let parts = t.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { throw bad(name, t, "a number or comma-separated numbers") }
            let v = parts.compactMap { $0 }
            if v.count == 1 { return Array(repeating: v[0], count: groups) }
            guard v.count == groups else {
                throw OptimizerError(groups == 1
                    ? "\(kind.displayName): \(name) needs 1 value (the optimizer has 1 parameter group), got \(v.count)"
                    : "\(kind.displayName): \(name) needs 1 or \(groups) values (one per parameter group), got \(v.count)")
            }
            return v
        }

        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T where T.RawValue == String {
            let t = try required(name)
            guard let v = T(rawValue: t) else {
                throw bad(name, t, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return v
        }
    }
}
