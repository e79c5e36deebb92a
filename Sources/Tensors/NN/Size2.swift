/// A 2-D size argument (kernel size, stride, padding…) written as one integer
/// or a pair, like PyTorch's `int | tuple[int, int]`.
///
/// `2` means (2, 2). It remembers which form was given because PyTorch prints
/// pooling layers as given (`kernel_size=2` vs `kernel_size=(2, 2)`).
///
/// ```swift
/// MaxPool2d(2)            // kernel_size=2
/// MaxPool2d([2, 3])       // kernel_size=(2, 3)
/// ```
public struct Size2: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Height (first) component.
    public var h: Int
    /// Width (second) component.
    public var w: Int
    /// True when written as a single integer.
    public var isScalar: Bool

    /// The scalar form: `value` for both.
    public init(_ value: Int) {
        h = value; w = value; isScalar = true
    }

    /// The pair form.
    public init(_ h: Int, _ w: Int) {
        self.h = h; self.w = w; isScalar = false
    }

    /// `2` is the scalar form.
    public init(integerLiteral value: Int) { self.init(value) }

    /// `[2, 3]` is the pair form, `[2]` the scalar form.
    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 2 || elements.count == 1, "Size2: expected 1 or 2 values, got \(elements)")
        if elements.count == 1 { self.init(elements[0]) } else { self.init(elements[0], elements[1]) }
    }

    /// The pair form, like `_pair()`.
    public var pair: Size2 { Size2(h, w) }

    /// Python's printed form: `2` or `(2, 3)`.
    public var description: String { isScalar ? "\(h)" : "(\(h), \(w))" }
}

/// Padding of a convolution: explicit sizes or PyTorch's `"valid"` / `"same"`.
public enum ConvPadding: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral,
    CustomStringConvertible {
    case size(Size2)
    /// No padding (`padding="valid"`).
    case valid
    /// Output size equals input size (`padding="same"`, stride 1 only); odd
    /// total padding puts the extra row/column at the bottom/right, like PyTorch.
    case same

    /// `1` is `.size(1)`.
    public init(integerLiteral value: Int) { self = .size(Size2(value)) }
    /// `[1, 2]` is `.size(Size2(1, 2))`.
    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 2 || elements.count == 1, "ConvPadding: expected 1 or 2 values, got \(elements)")
        self = .size(elements.count == 1 ? Size2(elements[0]) : Size2(elements[0], elements[1]))
    }

    /// Python's printed form inside `Conv2d(…)`: `(1, 1)`, `valid`, `same`.
    public var description: String {
        switch self {
        case .size(let s): return s.pair.description
        case .valid: return "valid"
        case .same: return "same"
        }
    }

    var isZero: Bool {
        if case .size(let s) = self { return s.h == 0 && s.w == 0 }
        return false
    }
}
