/// An integer tensor for labels and indices, like PyTorch's int64 tensors.
///
/// Values live in a Swift array (value semantics). Used for class targets,
/// `argmax` results, `gather`/`indexSelect` indices and the indices returned
/// by `max(dim:)`.
public struct IntTensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var values: [Int]

    public init(_ values: [Int], shape: [Int]) {
        precondition(shapeCount(shape) == values.count, "IntTensor: \(values.count) values cannot fill shape \(shape)")
        self.values = values
        self.shape = shape
    }

    public init(_ values: [Int]) { self.init(values, shape: [values.count]) }
    public init(scalar: Int) { self.init([scalar], shape: []) }

    public var count: Int { values.count }
    public var rank: Int { shape.count }

    public subscript(i: Int) -> Int { values[i] }

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

    public var description: String { formatIntTensor(self) }
}

func formatIntTensor(_ t: IntTensor) -> String {
    func rec(_ dim: Int, _ base: Int, _ indent: Int) -> String {
        if t.shape.isEmpty { return "\(t.values[0])" }
        let n = t.shape[dim]
        let stride = t.shape[(dim + 1)...].reduce(1, *)
        if dim == t.shape.count - 1 {
            return "[" + (0..<n).map { "\(t.values[base + $0])" }.joined(separator: ", ") + "]"
        }
        let sep = ",\n" + String(repeating: "\n", count: t.shape.count - dim - 2) + String(repeating: " ", count: indent + 1)
        return "[" + (0..<n).map { rec(dim + 1, base + $0 * stride, indent + 1) }.joined(separator: sep) + "]"
    }
    return "tensor(" + rec(0, 0, 7) + ")"
}
