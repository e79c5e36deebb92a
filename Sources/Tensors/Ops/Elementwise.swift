/// Elementwise kernels shared by the arithmetic, math and comparison ops.
extension Tensor {
    /// out[i] = f(self[i]) into a new contiguous tensor.
    @inline(__always)
    func mapElements(_ f: (Float) -> Float) -> Tensor {
        if isMeta { return .meta(shape) }
        let out = Tensor(uninitialized: shape)
        let o = out.storage.pointer
        let n = count
        if isContiguous {
            let x = UnsafePointer(dataPointer)
            Parallel.forRange(n) { s, e in
                for i in s..<e { o[i] = f(x[i]) }
            }
        } else {
            let p = storage.pointer
            stridedForEach2(shape: shape, stridesA: strides, offsetA: offset, stridesB: strides, offsetB: offset) { out, a, _, n, sa, _ in
                for j in 0..<n { o[out + j] = f(p[a + j * sa]) }
            }
        }
        return out
    }

    /// out = f(self, other) with broadcasting, into a new contiguous tensor.
    @inline(__always)
    func zipElements(_ other: Tensor, op: String, _ f: (Float, Float) -> Float) -> Tensor {
        guard let shape = broadcastShapes(self.shape, other.shape, op: op) else { return .meta(self.shape) }
        if isMeta || other.isMeta { return .meta(shape) }
        let out = Tensor(uninitialized: shape)
        let o = out.storage.pointer
        let n = out.count
        if self.shape == other.shape && isContiguous && other.isContiguous {
            let a = UnsafePointer(dataPointer), b = UnsafePointer(other.dataPointer)
            Parallel.forRange(n) { s, e in for i in s..<e { o[i] = f(a[i], b[i]) } }
        } else if other.count == 1 && self.shape == shape && isContiguous {
            let a = UnsafePointer(dataPointer), b = other.storage.pointer[other.offset]
            Parallel.forRange(n) { s, e in for i in s..<e { o[i] = f(a[i], b) } }
        } else if count == 1 && other.shape == shape && other.isContiguous {
            let a = storage.pointer[offset], b = UnsafePointer(other.dataPointer)
            Parallel.forRange(n) { s, e in for i in s..<e { o[i] = f(a, b[i]) } }
        } else {
            let pa = UnsafePointer(storage.pointer), pb = UnsafePointer(other.storage.pointer)
            stridedForEach2(shape: shape,
                            stridesA: broadcastStrides(self, to: shape), offsetA: offset,
                            stridesB: broadcastStrides(other, to: shape), offsetB: other.offset) { out, a, b, n, sa, sb in
                for j in 0..<n { o[out + j] = f(pa[a + j * sa], pb[b + j * sb]) }
            }
        }
        return out
    }

    /// A contiguous copy with its own storage (never shared).
    func contiguousCopy() -> Tensor { mapElements { $0 } }

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
    func updateElements(with other: Tensor, op: String, _ f: (Float, Float) -> Float) {
        guard let s = broadcastShapes(shape, other.shape, op: op), s == shape else {
            ShapeCheck.fail(ShapeError(op: op, "output with shape \(shape) doesn't match the broadcast shape of \(shape) and \(other.shape)"))
            return
        }
        if isMeta { return }
        if isContiguous && other.isContiguous && other.shape == shape {
            let a = dataPointer, b = UnsafePointer(other.dataPointer)
            Parallel.forRange(count) { s, e in for i in s..<e { a[i] = f(a[i], b[i]) } }
            return
        }
        let pa = storage.pointer, pb = UnsafePointer(other.storage.pointer)
        stridedForEach2(shape: shape, stridesA: strides, offsetA: offset,
                        stridesB: broadcastStrides(other, to: shape), offsetB: other.offset) { _, a, b, n, sa, sb in
            for j in 0..<n { pa[a + j * sa] = f(pa[a + j * sa], pb[b + j * sb]) }
        }
    }

    /// self[i] = f(self[i]) in place.
    func updateElements(_ f: (Float) -> Float) {
        if isMeta { return }
        if isContiguous {
            let a = dataPointer
            Parallel.forRange(count) { s, e in for i in s..<e { a[i] = f(a[i]) } }
            return
        }
        let pa = storage.pointer
        stridedForEach2(shape: shape, stridesA: strides, offsetA: offset, stridesB: strides, offsetB: offset) { _, a, _, n, sa, _ in
            for j in 0..<n { pa[a + j * sa] = f(pa[a + j * sa]) }
        }
    }
}
