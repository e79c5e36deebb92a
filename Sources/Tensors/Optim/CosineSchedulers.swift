import Foundation

// MARK: - CosineAnnealingLR

/// Cosine annealing from the base learning rate down to `etaMin` over `tMax`
/// epochs (and back up after, periodically), like `CosineAnnealingLR`.
///
/// `lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`,
/// computed recursively as PyTorch does, so changes to `lr` made between steps carry over.
public final class CosineAnnealingLR: LRScheduler {
    /// Epochs of one half cosine period.
    public let tMax: Int
    /// The minimum learning rate.
    public let etaMin: Double

    /// A schedule over `optimizer`; throws when `tMax` is not positive.
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0, lastEpoch: Int = -1) throws {
        guard tMax > 0 else { throw OptimizerError("CosineAnnealingLR: T_max must be a positive integer, got \(tMax)") }
        self.tMax = tMax
        self.etaMin = etaMin
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        let e = Double(lastEpoch), t = Double(tMax)
        if isInitial { return currentLRs }
        if stepCount == 1 && lastEpoch > 0 {
            return baseLRs.map { etaMin + ($0 - etaMin) * (1 + Foundation.cos(e * Double.pi / t)) / 2 }
        }
        if pyMod(lastEpoch - 1 - tMax, 2 * tMax) == 0 {
            return zip(baseLRs, currentLRs).map { base, lr in
                lr + (base - etaMin) * (1 - Foundation.cos(Double.pi / t)) / 2
            }
        }
        let ratio = (1 + Foundation.cos(Double.pi * e / t)) / (1 + Foundation.cos(Double.pi * (e - 1) / t))
        return currentLRs.map { ratio * ($0 - etaMin) + etaMin }
    }

    public override func closedFormLR() -> [Double]? {
        let e = Double(lastEpoch), t = Double(tMax)
        return baseLRs.map { etaMin + ($0 - etaMin) * (1 + Foundation.cos(Double.pi * e / t)) / 2 }
    }
}

// MARK: - CosineAnnealingWarmRestarts

/// Cosine annealing with warm restarts (SGDR), like `CosineAnnealingWarmRestarts`:
/// `lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2`,
/// restarting at the base learning rate every `T_i` epochs, with the first
/// period `T_0` and each next one `T_mult` times longer.
///
/// ```swift
/// let sgdr = try CosineAnnealingWarmRestarts(optimizer, t0: 10, tMult: 2)
/// for epoch in 0..<70 { train(); sgdr.step() }
/// // or per batch: sgdr.step(epoch: Double(epoch) + Double(i) / Double(batches))
/// ```
public final class CosineAnnealingWarmRestarts: LRScheduler {
    /// Epochs of the first period.
    public let t0: Int
    /// Growth factor of the period after each restart (≥ 1).
    public let tMult: Int
    /// The minimum learning rate.
    public let etaMin: Double
    /// The current period's length.
    public private(set) var tI: Double
    /// Epochs since the last restart (fractional when stepped with a fractional epoch).
    public private(set) var tCur: Double

    /// Throws PyTorch's messages for `t0` < 1 or `tMult` < 1.
    public init(_ optimizer: Optimizer, t0: Int, tMult: Int = 1, etaMin: Double = 0, lastEpoch: Int = -1) throws {
        guard t0 > 0 else { throw OptimizerError("Expected positive integer T_0, but got \(t0)") }
        guard tMult >= 1 else { throw OptimizerError("Expected integer T_mult >= 1, but got \(tMult)") }
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
        tI = Double(t0)
        tCur = Double(lastEpoch)
        try super.init(optimizer: optimizer, lastEpoch: lastEpoch)
    }

    public override func computeLR() -> [Double] {
        baseLRs.map { etaMin + ($0 - etaMin) * (1 + Foundation.cos(Double.pi * tCur / tI)) / 2 }
    }

    /// Advances one epoch (restarting when the period is over).
    public override func step() {
        if lastEpoch < 0 {
            step(epoch: 0.0)
            return
        }
        stepCount += 1
        tCur += 1
        if tCur >= tI {
            tCur = tCur.truncatingRemainder(dividingBy: tI)
            tI *= Double(tMult)
        }
        lastEpoch += 1
        apply(computeLR())
    }

    /// Jumps to a (possibly fractional) `epoch`, like `step(epoch)`; negative epochs trap.
    public func step(epoch: Double) {
        precondition(epoch >= 0, "Expected non-negative epoch, but got \(epoch)")
        stepCount += 1
        let t0 = Double(self.t0), m = Double(tMult)
        if epoch >= t0 {
            if tMult == 1 {
                tCur = epoch.truncatingRemainder(dividingBy: t0)
            } else {
                let n = Int(Foundation.log(epoch / t0 * (m - 1) + 1) / Foundation.log(m))
                tCur = epoch - t0 * (Foundation.pow(m, Double(n)) - 1) / (m - 1)
                tI = t0 * Foundation.pow(m, Double(n))
            }
        } else {
            tI = t0
            tCur = epoch
        }
        lastEpoch = Int(epoch.rounded(.down))
        apply(computeLR())
    }

    public override func extraState() -> [String: Double] { ["T_i": tI, "T_cur": tCur] }
    public override func loadExtraState(_ values: [String: Double]) throws {
        guard let i = values["T_i"], let c = values["T_cur"] else {
            throw OptimizerError("loaded CosineAnnealingWarmRestarts state is missing T_i or T_cur")
        }
        tI = i
        tCur = c
    }
}
