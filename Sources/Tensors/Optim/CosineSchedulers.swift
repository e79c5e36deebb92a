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
