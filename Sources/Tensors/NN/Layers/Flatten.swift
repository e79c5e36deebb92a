/// Flattens dims `startDim...endDim` (by default all but the batch dim), like `nn.Flatten`.
public final class Flatten: Module, UnaryLayer {
    /// First dim to flatten.
    public let startDim: Int
    /// Last dim to flatten (negative counts from the end).
    public let endDim: Int

    /// Flattens `startDim...endDim`.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }

    public override func extraRepr() -> String { "start_dim=\(startDim), end_dim=\(endDim)" }
}

/// Splits dim `dim` into `unflattenedSize` (one entry may be -1), like `nn.Unflatten`.
///
/// ```swift
/// Unflatten(dim: 1, unflattenedSize: [2, 3])(x)   // [N, 6] → [N, 2, 3]
/// ```
public final class Unflatten: Module, UnaryLayer {
    /// The dim to split (negative counts from the end).
    public let dim: Int
    /// The sizes it becomes.
    public let unflattenedSize: [Int]

    /// Splits `dim` into `unflattenedSize`; traps with PyTorch's message for an empty size.
    public init(dim: Int, unflattenedSize: [Int]) {
        precondition(!unflattenedSize.isEmpty, "unflatten: sizes must be non-empty")
        precondition(unflattenedSize.filter { $0 == -1 }.count <= 1, "unflatten: only one dimension can be inferred")
        self.dim = dim
        self.unflattenedSize = unflattenedSize
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        let d = normalizeDim(dim, input.rank, op: "unflatten")
        let known = unflattenedSize.filter { $0 != -1 }.reduce(1, *)
        let size = d < input.rank ? input.shape[d] : 0
        let fits = unflattenedSize.contains(-1) ? known > 0 && size % known == 0 : known == size
        guard check(fits, "unflatten", "Provided sizes \(unflattenedSize) don't multiply up to the size of dim \(dim) (\(size)) in the input tensor") else {
            return .meta(input.shape)
        }
        return input.reshape(Array(input.shape[..<d]) + unflattenedSize + Array(input.shape[(d + 1)...]))
    }

    public override func extraRepr() -> String {
        "dim=\(dim), unflattened_size=(" + unflattenedSize.map(String.init).joined(separator: ", ") + (unflattenedSize.count == 1 ? ",)" : ")")
    }
}
