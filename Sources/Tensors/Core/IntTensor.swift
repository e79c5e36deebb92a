/// An integer tensor for labels and indices, like PyTorch's int64 tensors.
///
/// Values live in a Swift array (value semantics). Used for class targets,
/// `argmax` results, `gather`/`indexSelect` indices and the indices returned
/// by `max(dim:)`.
public struct IntTensor: Equatable, Sendable, CustomStringConvertible {
    /// Size of each dimension.
    public var shape: [Int]
    /// The elements in row-major order.
    public var values: [Int]

    /// A tensor holding `values` (row-major) with the given shape.
    public init(_ values: [Int], shape: [Int]) {
        precondition(shapeCount(shape) == values.count, "IntTensor: \(values.count) values cannot fill shape \(shape)")
        self.values = values
        self.shape = shape
    }

    /// A 1-D integer tensor.
    public init(_ values: [Int]) { self.init(values, shape: [values.count]) }

    /// A 2-D integer tensor from rows; all rows must have the same length.
    public init(_ rows: [[Int]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "IntTensor: rows have different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, cols])
    }
    /// A 0-dim integer tensor.
    public init(scalar: Int) { self.init([scalar], shape: []) }

    /// Number of elements.
    public var count: Int { values.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The element at flat (row-major) position `i`.
    public subscript(i: Int) -> Int { values[i] }

    /// The value of a one-element tensor.
    public func item() -> Int {
        precondition(values.count == 1, "item: an IntTensor with \(values.count) elements cannot be converted to Scalar")
        return values[0]
    }

    /// Integers uniform in [low, high).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], generator: Generator? = nil) -> IntTensor {
        precondition(high > low, "randint: expected high > low, got low=\(low), high=\(high)")
        return Generator.with(generator) { g in
            IntTensor((0..<shapeCount(shape)).map { _ in g.nextInt(in: low..<high) }, shape: shape)
        }
    }

    /// Stacks equal-shape integer tensors along a new leading dimension.
    public static func stack(_ items: [IntTensor]) -> IntTensor {
        let inner = items.first?.shape ?? []
        precondition(items.allSatisfy { $0.shape == inner }, "stack: expects each IntTensor to be equal size")
        return IntTensor(items.flatMap { $0.values }, shape: [items.count] + inner)
    }

    /// The values as a float tensor.
    public func toFloat() -> Tensor { Tensor(values.map { Float($0) }, shape: shape) }

    /// PyTorch's repr of an int64 tensor: `tensor([ 1, 10])`.
    public var description: String { formatIntTensor(self) }
}
