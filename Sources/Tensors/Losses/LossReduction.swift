/// How a loss combines per-element values, like `reduction='mean' | 'sum' | 'none'`.
public enum Reduction: String, Sendable, CaseIterable {
    /// Per-element losses, shaped like the target.
    case none
    /// The mean (weighted by class weights where the loss has them).
    case mean
    /// The sum.
    case sum

    /// Applies the reduction to per-element losses (no class weights).
    func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .none: return x
        case .mean: return x.mean()
        case .sum: return x.sum()
        }
    }
}
