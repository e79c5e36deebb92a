/// Comparisons, selection and elementwise extrema.
///
/// **Masks are `Float` tensors.** PyTorch returns `bool` tensors from
/// comparisons; this library has one element type, so `eq`, `lt`, … return
/// 1 where the condition holds and 0 elsewhere, and every mask argument
/// (`where`, `maskedFill`) treats any nonzero value as true. Masks can be
/// combined with arithmetic: `a * b` is "and", `1 - a` is "not",
/// `(a + b).clamp(max: 1)` is "or". Comparisons have no gradient (like
/// PyTorch's bool outputs, they never require grad).
extension Tensor {
    @inline(__always)
    func compare(_ other: Tensor, _ op: String, _ f: @escaping (Float, Float) -> Bool) -> Tensor {
        zipElements(other, op: op) { f($0, $1) ? 1 : 0 }
    }

    @inline(__always)
    func compare(_ scalar: Float, _ f: @escaping (Float, Float) -> Bool) -> Tensor {
        mapElements { f($0, scalar) ? 1 : 0 }
    }

    /// 1 where self == other (broadcast), else 0, like `eq`.
    public func eq(_ other: Tensor) -> Tensor { compare(other, "eq", ==) }
    /// 1 where self != other (broadcast), else 0, like `ne`.
    public func ne(_ other: Tensor) -> Tensor { compare(other, "ne", !=) }
    /// 1 where self < other (broadcast), else 0, like `lt`.
    public func lt(_ other: Tensor) -> Tensor { compare(other, "lt", <) }
    /// 1 where self <= other (broadcast), else 0, like `le`.
    public func le(_ other: Tensor) -> Tensor { compare(other, "le", <=) }
    /// 1 where self > other (broadcast), else 0, like `gt`.
    public func gt(_ other: Tensor) -> Tensor { compare(other, "gt", >) }
    /// 1 where self >= other (broadcast), else 0, like `ge`.
    public func ge(_ other: Tensor) -> Tensor { compare(other, "ge", >=) }

    /// 1 where self == value, else 0.
    public func eq(_ value: Float) -> Tensor { compare(value, ==) }
    /// 1 where self != value, else 0.
    public func ne(_ value: Float) -> Tensor { compare(value, !=) }
    /// 1 where self < value, else 0.
    public func lt(_ value: Float) -> Tensor { compare(value, <) }
    /// 1 where self <= value, else 0.
    public func le(_ value: Float) -> Tensor { compare(value, <=) }
    /// 1 where self > value, else 0.
    public func gt(_ value: Float) -> Tensor { compare(value, >) }
    /// 1 where self >= value, else 0.
    public func ge(_ value: Float) -> Tensor { compare(value, >=) }

    /// 1 where the element is NaN, like `isnan`.
    public func isNaN() -> Tensor { mapElements { $0.isNaN ? 1 : 0 } }
    /// 1 where the element is finite, like `isfinite`.
    public func isFinite() -> Tensor { mapElements { $0.isFinite ? 1 : 0 } }

    /// True if both have the same shape and all elements are equal, like `torch.equal`.
    public func equal(_ other: Tensor) -> Bool {
        shape == other.shape && toArray() == other.toArray()
    }

    /// True if all elements are within `atol + rtol·|other|`, like `torch.allclose`
    /// (shapes must be equal, NaN never equals NaN).
    public func allClose(_ other: Tensor, rtol: Float = 1e-5, atol: Float = 1e-8) -> Bool {
        guard shape == other.shape else { return false }
        return zip(toArray(), other.toArray()).allSatisfy { Swift.abs($0 - $1) <= atol + rtol * Swift.abs($1) }
    }

    // MARK: Selection

    /// Elementwise `condition ? a : b` with broadcasting of all three, like
    /// `torch.where`. `condition` is a mask: nonzero means true.
    /// Differentiable in `a` and `b` (each gets the gradient where it was chosen).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let ab = broadcastShapes(a.shape, b.shape, op: "where"),
              let shape = broadcastShapes(condition.shape, ab, op: "where") else { return .meta(a.shape) }
        if condition.isMeta || a.isMeta || b.isMeta { return .meta(shape) }
        let mask = condition.broadcastView(shape).mapElements { $0 != 0 ? 1 : 0 }
        let out = mask.selecting(a, b)
        let aShape = a.shape, bShape = b.shape
        let needA = a._requiresGrad, needB = b._requiresGrad
        return out.recording("WhereBackward0", [a, b]) { g in
            let zero = Tensor(Float(0))
            return [needA ? mask.selecting(g, zero).sumTo(aShape) : nil,
                    needB ? mask.selecting(zero, g).sumTo(bShape) : nil]
        }
    }

    /// `where` with a scalar for the false branch.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Float) -> Tensor { .where(condition, a, Tensor(b)) }
    /// `where` with a scalar for the true branch.
    public static func `where`(_ condition: Tensor, _ a: Float, _ b: Tensor) -> Tensor { .where(condition, Tensor(a), b) }

    /// Self with `value` written where `mask` (broadcast to self's shape) is
    /// nonzero, like `masked_fill`. The gradient is zero at filled positions.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        guard let s = broadcastShapes(shape, mask.shape, op: "masked_fill") else { return .meta(shape) }
        guard check(s == shape, "masked_fill",
                    "mask of shape \(mask.shape) cannot be broadcast to the tensor's shape \(shape)") else { return .meta(shape) }
        return Tensor.where(mask, Tensor(value), self).named("MaskedFillBackward0")
    }

    /// A read-only broadcast view (no autograd) of self with `shape`.
    func broadcastView(_ shape: [Int]) -> Tensor {
        if shape == self.shape { return self }
        return Tensor(storage: storage, shape: shape, strides: broadcastStrides(self, to: shape), offset: offset)
    }

    /// self is a contiguous 0/1 mask; out = mask ? a : b (broadcast to self's shape).
    func selecting(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let o = out.storage.pointer, m = UnsafePointer(dataPointer)
        let pa = UnsafePointer(a.storage.pointer), pb = UnsafePointer(b.storage.pointer)
        parallelStridedForEach2(shape: shape, stridesA: broadcastStrides(a, to: shape), offsetA: a.offset,
                                stridesB: broadcastStrides(b, to: shape), offsetB: b.offset) { pos, ia, ib, n, sa, sb in
            for j in 0..<n { o[pos + j] = m[pos + j] != 0 ? pa[ia + j * sa] : pb[ib + j * sb] }
        }
        return out
    }

    // MARK: Elementwise extrema

    /// Elementwise maximum with broadcasting, like `torch.maximum` (NaN
    /// propagates). Where both are equal the gradient is split evenly, as in PyTorch.
    public func maximum(_ other: Tensor) -> Tensor {
        extremum(other, op: "maximum", name: "MaximumBackward0") { $0 > $1 }
    }

    /// Elementwise minimum with broadcasting, like `torch.minimum`.
    public func minimum(_ other: Tensor) -> Tensor {
        extremum(other, op: "minimum", name: "MinimumBackward0") { $0 < $1 }
    }

    private func extremum(_ other: Tensor, op: String, name: String, _ wins: @escaping (Float, Float) -> Bool) -> Tensor {
        let out = zipElements(other, op: op) { a, b in (wins(a, b) || a.isNaN) ? a : b }
        let a = detach(), b = other.detach()
        let needA = _requiresGrad, needB = other._requiresGrad
        return out.recording(name, [self, other]) { g in
            // Share of the gradient going to self: 1 if it won, ½ on a tie, 0 if it lost.
            let share = a.zipElements(b, op: op) { x, y in
                (wins(x, y) || x.isNaN) ? 1 : (x == y ? 0.5 : 0)
            }
            return [needA ? (g * share).sumTo(a.shape) : nil,
                    needB ? (g * share.rsub(1)).sumTo(b.shape) : nil]
        }
    }
}

// MARK: - Elementwise comparison operators (Float masks)

/// Elementwise `==` as a Float mask (1 where equal); see `eq`.
public func .== (a: Tensor, b: Tensor) -> Tensor { a.eq(b) }
/// Elementwise `!=` as a 0/1 mask, like `torch.ne`.
public func .!= (a: Tensor, b: Tensor) -> Tensor { a.ne(b) }
/// Elementwise `<` as a 0/1 mask, like `torch.lt`.
public func .< (a: Tensor, b: Tensor) -> Tensor { a.lt(b) }
/// Elementwise `<=` as a 0/1 mask, like `torch.le`.
public func .<= (a: Tensor, b: Tensor) -> Tensor { a.le(b) }
/// Elementwise `>` as a 0/1 mask, like `torch.gt`.
public func .> (a: Tensor, b: Tensor) -> Tensor { a.gt(b) }
/// Elementwise `>=` as a 0/1 mask, like `torch.ge`.
public func .>= (a: Tensor, b: Tensor) -> Tensor { a.ge(b) }
public func .== (a: Tensor, b: Float) -> Tensor { a.eq(b) }
/// Elementwise `!= b` as a 0/1 mask.
public func .!= (a: Tensor, b: Float) -> Tensor { a.ne(b) }
/// Elementwise `< b` as a 0/1 mask.
public func .< (a: Tensor, b: Float) -> Tensor { a.lt(b) }
/// Elementwise `<= b` as a 0/1 mask.
public func .<= (a: Tensor, b: Float) -> Tensor { a.le(b) }
/// Elementwise `> b` as a 0/1 mask.
public func .> (a: Tensor, b: Float) -> Tensor { a.gt(b) }
/// Elementwise `>= b` as a 0/1 mask.
public func .>= (a: Tensor, b: Float) -> Tensor { a.ge(b) }
