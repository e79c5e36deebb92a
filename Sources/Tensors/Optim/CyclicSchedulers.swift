import Foundation

// MARK: - OneCycleLR

/// The 1cycle policy, like `OneCycleLR`: the learning rate rises from
/// `maxLR / divFactor` to `maxLR`, then anneals to `initial / finalDivFactor`,
/// while momentum (or Adam's beta1) cycles inversely between `maxMomentum` and
/// `baseMomentum`. Step it after every batch.
///
/// Unlike PyTorch, stepping to `totalSteps` and beyond holds the final learning
/// rate (`min_lr`) instead of extrapolating and then raising (a run extended
/// from the UI must not crash).
public final class OneCycleLR: LRScheduler {
    /// How the learning rate moves within a phase.
    public enum AnnealStrategy: String, Sendable, CaseIterable { case cos, linear }

    struct Phase {
        var endStep: Double
        var startLR: String, endLR: String
        var startMomentum: String, endMomentum: String
    }

    /// Steps in the whole cycle.
    public let totalSteps: Int
    /// Cosine or linear annealing.
    public let anneal: AnnealStrategy
    /// Whether momentum (or beta1) cycles inversely to the learning rate.
    public let cycleMomentum: Bool
    let useBeta1: Bool
    let phases: [Phase]

    /// A 1cycle schedule over `optimizer` (one `maxLR` per group); throws for inconsistent step counts or factors.
    public init(_ optimizer: Optimizer, maxLR: [Double], totalSteps: Int? = nil, epochs: Int? = nil,
                stepsPerEpoch: Int? = nil, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false,
                lastEpoch: Int = -1) throws {
        if let totalSteps {
            guard totalSteps > 0 else { throw OptimizerError("Expected positive integer total_steps, but got \(totalSteps)") }
            self.totalSteps = totalSteps
        } else if let epochs, let stepsPerEpoch {
            guard epochs > 0 else { throw OptimizerError("Expected positive integer epochs, but got \(epochs)") }
            guard stepsPerEpoch > 0 else {
                throw OptimizerError("Expected positive integer steps_per_epoch, but got \(stepsPerEpoch)")
            }
            self.totalSteps = epochs * stepsPerEpoch
        } else {
            throw OptimizerError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        }
        guard pctStart >= 0 && pctStart <= 1 else {
            throw OptimizerError("Expected float between 0 and 1 pct_start, but got \(pythonFloat(pctStart))")
        }
        let n = Double(self.totalSteps)
        if threePhase {
            phases = [
                Phase(endStep: pctStart * n - 1, startLR: "initial_lr", endLR: "max_lr",
                      startMomentum: "max_momentum", endMomentum: "base_momentum"),
                Phase(endStep: 2 * pctStart * n - 2, startLR: "max_lr", endLR: "initial_lr",
                      startMomentum: "base_momentum", endMomentum: "max_momentum"),
                Phase(endStep: n - 1, startLR: "initial_lr", endLR: "min_lr",
                      startMomentum: "max_momentum", endMomentum: "max_momentum"),
            ]
        } else {
            phases = [
                Phase(endStep: pctStart * n - 1, startLR: "initial_lr", endLR: "max_lr",
                      startMomentum: "max_momentum", endMomentum: "base_momentum"),
                Phase(endStep: n - 1, startLR: "max_lr", endLR: "min_lr",
                      startMomentum: "base_momentum", endMomentum: "max_momentum"),
            ]
        }
        anneal = annealStrategy
        let groups = optimizer.paramGroups.count
        let maxLRs = maxLR.count == 1 ? Array(repeating: maxLR[0], count: groups) : maxLR
        guard maxLRs.count == groups else { throw OptimizerError("expected \(groups) values for max_lr, got \(maxLR.count)") }
        if lastEpoch == -1 {
            for i in 0..<groups {
                let initial = maxLRs[i] / divFactor
                optimizer.paramGroups[i]["initial_lr"] = .number(initial)
                optimizer.paramGroups[i]["max_lr"] = .number(maxLRs[i])
                optimizer.paramGroups[i]["min_lr"] = .number(initial / finalDivFactor)
            }
        }
        self.cycleMomentum = cycleMomentum
        useBeta1 = optimizer.defaults["betas"] != nil
        if cycleMomentum {
            guard optimizer.defaults["momentum"] != nil || useBeta1 else {
                throw OptimizerError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            }
            if lastEpoch == -1 {
                for i in 0..<groups {
                    if useBeta1 {
                        let b = optimizer.paramGroups[i].betas ?? (0.9, 0.999)
                        optimizer.paramGroups[i].betas = (maxMomentum, b.1)
                    } else {
                        optimizer.paramGroups[i].momentum = maxMomentum
                    }
                    optimizer.paramGroups[i]["max_momentum"] = .number(maxMomentum)
                    optimizer.paramGroups[i]["base_momentum"] = .number(baseMomentum)
                }
            }
        }
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    /// One max learning rate for every group.
    public convenience init(_ optimizer: Optimizer, maxLR: Double, totalSteps: Int? = nil, epochs: Int? = nil,
                            stepsPerEpoch: Int? = nil, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos,
                            cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                            divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false,
                            lastEpoch: Int = -1) throws {
        try self.init(optimizer, maxLR: [maxLR], totalSteps: totalSteps, epochs: epochs, stepsPerEpoch: stepsPerEpoch,
                      pctStart: pctStart, annealStrategy: annealStrategy, cycleMomentum: cycleMomentum,
                      baseMomentum: baseMomentum, maxMomentum: maxMomentum, divFactor: divFactor,
                      finalDivFactor: finalDivFactor, threePhase: threePhase, lastEpoch: lastEpoch)
    }

    func annealed(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: return end + (start - end) / 2.0 * (Foundation.cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    public override func computeLR() -> [Double] {
        // PyTorch extrapolates one step past the last phase at totalSteps and raises after;
        // we hold the final learning rate (min_lr) from totalSteps on.
        let stepNum = Double(Swift.min(lastEpoch, totalSteps - 1))
        var lrs: [Double] = []
        for i in optimizer.paramGroups.indices {
            let g = optimizer.paramGroups[i]
            func value(_ key: String) -> Double { g[key]?.number ?? 0 }
            var start = 0.0
            for (k, phase) in phases.enumerated() {
                if stepNum <= phase.endStep || k == phases.count - 1 {
                    let pct = (stepNum - start) / (phase.endStep - start)
                    lrs.append(annealed(value(phase.startLR), value(phase.endLR), pct))
                    if cycleMomentum {
                        let m = annealed(value(phase.startMomentum), value(phase.endMomentum), pct)
                        if useBeta1 {
                            let b = g.betas ?? (0.9, 0.999)
                            optimizer.paramGroups[i].betas = (m, b.1)
                        } else {
                            optimizer.paramGroups[i].momentum = m
                        }
                    }
                    break
                }
                start = phase.endStep
            }
        }
        return lrs
    }
}

// MARK: - CyclicLR

/// Cyclical learning rates, like `CyclicLR`: the learning rate moves between
/// `baseLR` and `maxLR` (up over `stepSizeUp` steps, down over `stepSizeDown`),
/// the amplitude scaled per cycle (`triangular`: 1, `triangular2`: halved each
/// cycle) or per iteration (`exp_range`: gamma^iteration); momentum (or
/// Adam's beta1) cycles inversely between `maxMomentum` and `baseMomentum`.
/// Step it after every batch.
///
/// ```swift
/// let clr = try CyclicLR(optimizer, baseLR: 1e-3, maxLR: 0.1, stepSizeUp: 500)
/// ```
public final class CyclicLR: LRScheduler {
    /// How the amplitude changes: PyTorch's `mode`.
    public enum Mode: String, Sendable, CaseIterable { case triangular, triangular2, expRange = "exp_range" }
    /// Whether a custom scale function is evaluated per cycle or per iteration.
    public enum ScaleMode: String, Sendable, CaseIterable { case cycle, iterations }

    /// Each group's upper learning rate.
    public let maxLRs: [Double]
    /// Steps per cycle (up + down).
    public let totalSize: Double
    /// Fraction of the cycle spent increasing.
    public let stepRatio: Double
    /// The amplitude policy.
    public let mode: Mode
    /// Base of `exp_range`'s decay.
    public let gamma: Double
    /// Whether the scale function takes the cycle number or the iteration.
    public let scaleMode: ScaleMode
    let customScale: ((Double) -> Double)?
    /// Whether momentum cycles too.
    public let cycleMomentum: Bool
    let useBeta1: Bool
    let baseMomentums: [Double], maxMomentums: [Double]

    /// One value per group for `baseLR`/`maxLR`/momenta (a single value is
    /// repeated); throws when the optimizer has no momentum or betas but
    /// `cycleMomentum` is on, or when a list has the wrong length.
    public init(_ optimizer: Optimizer, baseLR: [Double], maxLR: [Double], stepSizeUp: Int = 2000,
                stepSizeDown: Int? = nil, mode: Mode = .triangular, gamma: Double = 1,
                scaleFn: ((Double) -> Double)? = nil, scaleMode: ScaleMode = .cycle, cycleMomentum: Bool = true,
                baseMomentum: [Double] = [0.8], maxMomentum: [Double] = [0.9], lastEpoch: Int = -1) throws {
        let n = optimizer.paramGroups.count
        func perGroup(_ name: String, _ v: [Double]) throws -> [Double] {
            if v.count == 1 { return Array(repeating: v[0], count: n) }
            guard v.count == n else { throw OptimizerError("expected \(n) values for \(name), got \(v.count)") }
            return v
        }
        let bases = try perGroup("base_lr", baseLR)
        if lastEpoch == -1 { for i in 0..<n { optimizer.paramGroups[i].lr = bases[i] } }
        maxLRs = try perGroup("max_lr", maxLR)
        let up = Double(stepSizeUp), down = Double(stepSizeDown ?? stepSizeUp)
        totalSize = up + down
        stepRatio = up / totalSize
        self.mode = mode
        self.gamma = gamma
        customScale = scaleFn
        self.scaleMode = scaleFn != nil ? scaleMode : (mode == .expRange ? .iterations : .cycle)
        self.cycleMomentum = cycleMomentum
        if cycleMomentum {
            guard optimizer.defaults["momentum"] != nil || optimizer.defaults["betas"] != nil else {
                throw OptimizerError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            }
            useBeta1 = optimizer.defaults["betas"] != nil
            baseMomentums = try perGroup("base_momentum", baseMomentum)
            maxMomentums = try perGroup("max_momentum", maxMomentum)
            if lastEpoch == -1 {
                for i in 0..<n {
                    if useBeta1 {
                        optimizer.paramGroups[i].betas = (maxMomentums[i], optimizer.paramGroups[i].betas?.1 ?? 0.999)
                    } else {
                        optimizer.paramGroups[i].momentum = maxMomentums[i]
                    }
                    optimizer.paramGroups[i]["max_momentum"] = .number(maxMomentums[i])
                    optimizer.paramGroups[i]["base_momentum"] = .number(baseMomentums[i])
                }
            }
        } else {
            useBeta1 = false
            baseMomentums = []
            maxMomentums = []
        }
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
        baseLRs = bases
    }

    /// The same bounds for every group.
    public convenience init(_ optimizer: Optimizer, baseLR: Double, maxLR: Double, stepSizeUp: Int = 2000,
                            stepSizeDown: Int? = nil, mode: Mode = .triangular, gamma: Double = 1,
                            cycleMomentum: Bool = true, baseMomentum: Double = 0.8, maxMomentum: Double = 0.9,
                            lastEpoch: Int = -1) throws {
        try self.init(optimizer, baseLR: [baseLR], maxLR: [maxLR], stepSizeUp: stepSizeUp, stepSizeDown: stepSizeDown,
                      mode: mode, gamma: gamma, cycleMomentum: cycleMomentum, baseMomentum: [baseMomentum],
                      maxMomentum: [maxMomentum], lastEpoch: lastEpoch)
    }

    /// The amplitude factor at `x` (a cycle number or an iteration).
    public func scale(_ x: Double) -> Double {
        if let customScale { return customScale(x) }
        switch mode {
        case .triangular: return 1
        case .triangular2: return 1 / Foundation.pow(2.0, x - 1)
        case .expRange: return Foundation.pow(gamma, x)
        }
    }

    public override func computeLR() -> [Double] {
        let e = Double(lastEpoch)
        let cycle = (1 + e / totalSize).rounded(.down)
        let x = 1.0 + e / totalSize - cycle
        let factor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1)
        let s = scale(scaleMode == .cycle ? cycle : e)
        let lrs = zip(baseLRs, maxLRs).map { base, top in base + (top - base) * factor * s }
        if cycleMomentum {
            for i in optimizer.paramGroups.indices where i < maxMomentums.count {
                let m = maxMomentums[i] - (maxMomentums[i] - baseMomentums[i]) * factor * s
                if useBeta1 {
                    optimizer.paramGroups[i].betas = (m, optimizer.paramGroups[i].betas?.1 ?? 0.999)
                } else {
                    optimizer.paramGroups[i].momentum = m
                }
            }
        }
        return lrs
    }
}
