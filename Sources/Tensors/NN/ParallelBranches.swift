/// Runs every branch on the same input and joins their outputs: summed
/// (`.add`, like a residual block with a projection shortcut) or
/// concatenated along `dim` (`.concat`, like an Inception block).
///
/// Branch `i` is child `i` (keys `0.0.weight`, `1.2.bias`), so the PyTorch
/// equivalent is an `nn.ModuleList` of `nn.Sequential`s with a `forward`
/// that sums or `torch.cat`s their outputs. Printed as `Add(…)` or `Concat(…)`.
///
/// ```swift
/// let block = ParallelBranches([Sequential(Conv2d(8, 16, kernelSize: 3, padding: 1)), Sequential(Conv2d(8, 16, kernelSize: 1))], join: .add)
/// ```
public final class ParallelBranches: Module, UnaryLayer {
    /// How branch outputs are joined.
    public enum Join: Equatable, Sendable {
        /// Elementwise sum (all branches give the same shape).
        case add
        /// Concatenation along a dimension (`dim` counts the batch, like `torch.cat`).
        case concat(dim: Int)
    }

    /// The branches, in order.
    public let branches: [any UnaryLayer]
    /// How their outputs are joined.
    public let join: Join

    /// Branches joined by `join`; at least one branch.
    public init(_ branches: [any UnaryLayer], join: Join) {
        precondition(!branches.isEmpty, "ParallelBranches: needs at least one branch")
        self.branches = branches
        self.join = join
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        let outputs = branches.map { $0(input) }
        switch join {
        case .add: return outputs.dropFirst().reduce(outputs[0]) { $0 + $1 }
        case .concat(let dim): return Tensor.cat(outputs, dim: dim)
        }
    }

    public override var typeName: String {
        if case .add = join { return "Add" }
        return "Concat"
    }

    public override func extraRepr() -> String {
        if case .concat(let dim) = join { return "dim=\(dim)" }
        return ""
    }

    public override func ownMembers() -> ModuleMembers {
        ModuleMembers(children: branches.enumerated().map { (String($0.offset), $0.element as Module) })
    }
}
