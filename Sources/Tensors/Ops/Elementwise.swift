/// A per-element function for the elementwise kernels.
///
/// The kernels are generic over these small structs so that, in release
/// builds (-wmo), each op gets its own specialised loop with the function
/// inlined: the loops vectorise. A loop calling a closure instead makes an
/// indirect call per element once the loop runs inside Dispatch's
/// `concurrentPerform` (measured: ~8× slower on a 16M-element add).
/// Closure overloads remain for ops whose function is expensive anyway (exp,
/// log, tanh …).
protocol UnaryKernel {
    func callAsFunction(_ x: Float) -> Float
}

/// A two-argument per-element function; see `UnaryKernel`.
protocol BinaryKernel {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

struct ClosureUnary: UnaryKernel {
    let f: (Float) -> Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { f(x) }
}

struct ClosureBinary: BinaryKernel {
    let f: (Float, Float) -> Float
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { f(a, b) }
}

/// Kernels for the hot arithmetic ops.
enum Kernels {
    struct Add: BinaryKernel { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
    struct Sub: BinaryKernel { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
    struct Mul: BinaryKernel { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
    struct Div: BinaryKernel { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
    struct Second: BinaryKernel { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { b } }
    /// a + alpha·b
    struct AddScaled: BinaryKernel {
        let alpha: Float
        @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + alpha * b }
    }
    /// g where y > 0 else 0 (relu's backward from its output).
    struct ReluMask: BinaryKernel { @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { y > 0 || y.isNaN ? g : 0 } }
    /// g·(1 − y²): tanh's backward from its output.
    struct TanhGrad: BinaryKernel { @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) } }
    /// g·y·(1 − y): sigmoid's backward from its output.
    struct SigmoidGrad: BinaryKernel { @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) } }
    /// g / (2y): sqrt's backward from its output.
    struct SqrtGrad: BinaryKernel { @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g / (2 * y) } }
    /// 2·g·x: square's backward.
    struct SquareGrad: BinaryKernel { @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { g * 2 * x } }
    struct Identity: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { x } }
    struct Neg: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { -x } }
    /// max(x, 0) with NaN passing through, as `torch.relu` does.
    struct Relu: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 || x.isNaN ? x : 0 } }
    struct Square: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { x * x } }
    struct AddScalar: UnaryKernel {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x + s }
    }
    struct SubScalar: UnaryKernel {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x - s }
    }
    struct RSubScalar: UnaryKernel {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { s - x }
    }
    struct MulScalar: UnaryKernel {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x * s }
    }
    struct DivScalar: UnaryKernel {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { x / s }
    }
    struct Fill: UnaryKernel {
        let s: Float
        @inline(__always) func callAsFunction(_ x: Float) -> Float { s }
    }
}

/// Elementwise kernels shared by the arithmetic, math and comparison ops.
extension Tensor {
    /// out[i] = f(self[i]) into a new contiguous tensor.
    @inline(__always)
    func mapElements(_ f: (Float) -> Float) -> Tensor {
        withoutActuallyEscaping(f) { mapKernel(ClosureUnary(f: $0)) }
    }

    /// out[i] = k(self[i]) into a new contiguous tensor (specialised per kernel).
    func mapKernel<K: UnaryKernel>(_ k: K) -> Tensor {
        if isMeta { return .meta(shape) }
        let out = Tensor(uninitialized: shape)
        let o = out.storage.pointer
        let n = count
        if isContiguous {
            let x = UnsafePointer(dataPointer)
            Parallel.forRange(n) { s, e in
                for i in s..<e { o[i] = k(x[i]) }
            }
        } else {
            let p = storage.pointer
            parallelStridedForEach2(shape: shape, stridesA: strides, offsetA: offset, stridesB: strides, offsetB: offset) { out, a, _, n, sa, _ in
                if sa == 1 {
                    for j in 0..<n { o[out + j] = k(p[a + j]) }
                } else {
                    for j in 0..<n { o[out + j] = k(p[a + j * sa]) }
                }
            }
        }
        return out
    }

    /// out = f(self, other) with broadcasting, into a new contiguous tensor.
    @inline(__always)
    func zipElements(_ other: Tensor, op: String, _ f: (Float, Float) -> Float) -> Tensor {
        withoutActuallyEscaping(f) { zipKernel(other, op: op, ClosureBinary(f: $0)) }
    }

    /// out = k(self, other) with broadcasting, into a new contiguous tensor
    /// (specialised per kernel).
    func zipKernel<K: BinaryKernel>(_ other: Tensor, op: String, _ k: K) -> Tensor {
        guard let shape = broadcastShapes(self.shape, other.shape, op: op) else { return .meta(self.shape) }
        if isMeta || other.isMeta { return .meta(shape) }
        let out = Tensor(uninitialized: shape)
        let o = out.storage.pointer
        let n = out.count
        if self.shape == other.shape && isContiguous && other.isContiguous {
            let a = UnsafePointer(dataPointer), b = UnsafePointer(other.dataPointer)
            Parallel.forRange(n) { s, e in for i in s..<e { o[i] = k(a[i], b[i]) } }
        } else if other.count == 1 && self.shape == shape && isContiguous {
            let a = UnsafePointer(dataPointer), b = other.storage.pointer[other.offset]
            Parallel.forRange(n) { s, e in for i in s..<e { o[i] = k(a[i], b) } }
        } else if count == 1 && other.shape == shape && other.isContiguous {
            let a = storage.pointer[offset], b = UnsafePointer(other.dataPointer)
            Parallel.forRange(n) { s, e in for i in s..<e { o[i] = k(a, b[i]) } }
        } else {
            let pa = UnsafePointer(storage.pointer), pb = UnsafePointer(other.storage.pointer)
            parallelStridedForEach2(shape: shape,
                                    stridesA: broadcastStrides(self, to: shape), offsetA: offset,
                                    stridesB: broadcastStrides(other, to: shape), offsetB: other.offset) { out, a, b, n, sa, sb in
                if sa == 1 && sb == 1 {
                    for j in 0..<n { o[out + j] = k(pa[a + j], pb[b + j]) }
                } else if sa == 1 && sb == 0 {
                    let bv = pb[b]
                    for j in 0..<n { o[out + j] = k(pa[a + j], bv) }
                } else {
                    for j in 0..<n { o[out + j] = k(pa[a + j * sa], pb[b + j * sb]) }
                }
            }
        }
        return out
    }

    /// A contiguous copy with its own storage (never shared).
    func contiguousCopy() -> Tensor { mapKernel(Kernels.Identity()) }

    /// Self if contiguous, else a contiguous copy, like `contiguous()`.
    /// Differentiable (the copy's gradient passes straight through).
    public func contiguous() -> Tensor {
        if isContiguous || isMeta { return self }
        return contiguousCopy().recording("CloneBackward0", [self]) { g in [g] }
    }

    /// A copy with its own storage, like `clone()`. Differentiable.
    public func clone() -> Tensor {
        contiguousCopy().recording("CloneBackward0", [self]) { g in [g] }
    }

    /// Why an in-place write to this tensor is not allowed right now, or nil.
    ///
    /// With grad mode on, a leaf that requires grad cannot be written in place
    /// (its gradient would silently refer to the old values), like PyTorch.
    /// PyTorch also rewrites the graph for in-place ops on non-leaf tensors;
    /// this library does not record in-place ops, so writing into a tensor
    /// that is part of a graph is refused too (use the out-of-place op). Under
    /// `noGrad` every in-place write is allowed (optimizer steps, init).
    func inPlaceError(_ op: String) -> String? {
        guard _requiresGrad, GradMode.isEnabled else { return nil }
        if gradFn == nil {
            return "\(op): a leaf Variable that requires grad is being used in an in-place operation"
        }
        return "\(op): in-place operations on a tensor that is part of an autograd graph (grad_fn=<\(gradFn?.name ?? "")>) are not supported; use the out-of-place op"
    }

    /// Marks an in-place write: traps if autograd would be broken by it, else
    /// bumps the storage version (so `backward()` can detect a saved tensor
    /// that was modified after it was recorded).
    func checkInPlace(_ op: String) {
        if let message = inPlaceError(op) { fatalError(message) }
        storage.version += 1
    }

    /// self[i] = f(self[i], other[i]) in place, broadcasting `other` to self's shape.
    @inline(__always)
    func updateElements(with other: Tensor, op: String, _ f: (Float, Float) -> Float) {
        withoutActuallyEscaping(f) { updateKernel(with: other, op: op, ClosureBinary(f: $0)) }
    }

    /// self[i] = k(self[i], other[i]) in place, broadcasting `other` to self's shape.
    func updateKernel<K: BinaryKernel>(with other: Tensor, op: String, _ k: K) {
        guard let s = broadcastShapes(shape, other.shape, op: op), s == shape else {
            ShapeCheck.fail(ShapeError(op: op, "output with shape \(shape) doesn't match the broadcast shape of \(shape) and \(other.shape)"))
            return
        }
        if isMeta || other.isMeta { return }
        if isContiguous && other.isContiguous && other.shape == shape {
            let a = dataPointer, b = UnsafePointer(other.dataPointer)
            Parallel.forRange(count) { s, e in for i in s..<e { a[i] = k(a[i], b[i]) } }
            return
        }
        let pa = storage.pointer, pb = UnsafePointer(other.storage.pointer)
        stridedForEach2(shape: shape, stridesA: strides, offsetA: offset,
                        stridesB: broadcastStrides(other, to: shape), offsetB: other.offset) { _, a, b, n, sa, sb in
            for j in 0..<n { pa[a + j * sa] = k(pa[a + j * sa], pb[b + j * sb]) }
        }
    }

    /// self[i] = f(self[i]) in place.
    @inline(__always)
    func updateElements(_ f: (Float) -> Float) {
        withoutActuallyEscaping(f) { updateKernel(ClosureUnary(f: $0)) }
    }

    /// self[i] = k(self[i]) in place.
    func updateKernel<K: UnaryKernel>(_ k: K) {
        if isMeta { return }
        if isContiguous {
            let a = dataPointer
            Parallel.forRange(count) { s, e in for i in s..<e { a[i] = k(a[i]) } }
            return
        }
        let pa = storage.pointer
        stridedForEach2(shape: shape, stridesA: strides, offsetA: offset, stridesB: strides, offsetB: offset) { _, a, _, n, sa, _ in
            for j in 0..<n { pa[a + j * sa] = k(pa[a + j * sa]) }
        }
    }
}
