/// Maxima and minima over dimensions: `max`, `min` (with indices), `amax`,
/// `amin`, `argmax`, `argmin`. NaN propagates (a NaN is the maximum and the
/// minimum), ties pick the first index, as PyTorch does on CPU.
extension Tensor {
    /// The largest value and its index along `dim`, like `torch.max(x, dim)`.
    /// The gradient goes to the selected index only.
    public func max(dim: Int, keepdim: Bool = false) -> (values: Tensor, indices: IntTensor) {
        extremum(dim: dim, keepdim: keepdim, op: "max", name: "MaxBackward0", greater: true)
    }

    /// The smallest value and its index along `dim`, like `torch.min(x, dim)`.
    public func min(dim: Int, keepdim: Bool = false) -> (values: Tensor, indices: IntTensor) {
        extremum(dim: dim, keepdim: keepdim, op: "min", name: "MinBackward0", greater: false)
    }

    /// The largest element (0-dim), like `x.max()`. The gradient is split
    /// evenly among the elements equal to it.
    public func max() -> Tensor { extremumAll(dims: nil, keepdim: false, op: "max", name: "MaxBackward1", greater: true) }

    /// The smallest element (0-dim), like `x.min()`.
    public func min() -> Tensor { extremumAll(dims: nil, keepdim: false, op: "min", name: "MinBackward1", greater: false) }

    /// Maximum over `dims` (all when nil), like `amax`; ties share the gradient evenly.
    public func amax(dims: [Int]? = nil, keepdim: Bool = false) -> Tensor {
        extremumAll(dims: dims, keepdim: keepdim, op: "amax", name: "AmaxBackward0", greater: true)
    }

    /// Minimum over `dims` (all when nil), like `amin`; ties share the gradient evenly.
    public func amin(dims: [Int]? = nil, keepdim: Bool = false) -> Tensor {
        extremumAll(dims: dims, keepdim: keepdim, op: "amin", name: "AminBackward0", greater: false)
    }

    /// Index of the largest value along `dim`, or in the flattened tensor
    /// when `dim` is nil, like `argmax`.
    public func argmax(dim: Int? = nil, keepdim: Bool = false) -> IntTensor {
        argExtremum(dim: dim, keepdim: keepdim, op: "argmax", greater: true)
    }

    /// Index of the smallest value along `dim`, or in the flattened tensor
    /// when `dim` is nil, like `argmin`.
    public func argmin(dim: Int? = nil, keepdim: Bool = false) -> IntTensor {
        argExtremum(dim: dim, keepdim: keepdim, op: "argmin", greater: false)
    }

    // MARK: Kernels

    private func argExtremum(dim: Int?, keepdim: Bool, op: String, greater: Bool) -> IntTensor {
        guard let dim else {
            let r = (rank == 0 ? detach() : detach().reshape([count])).extremum(dim: 0, keepdim: false, op: op, name: "", greater: greater)
            return IntTensor(r.indices.values, shape: keepdim ? [Int](repeating: 1, count: rank) : [])
        }
        return noGrad { extremum(dim: dim, keepdim: keepdim, op: op, name: "", greater: greater).indices }
    }

    /// Values and first indices of the extreme along one dimension.
    private func extremum(dim: Int, keepdim: Bool, op: String, name: String, greater: Bool) -> (values: Tensor, indices: IntTensor) {
        let d = normalizeDim(dim, rank, op: op)
        let outShape = rank == 0 ? [] : reducedShape([d], keepdim: keepdim)
        let size = rank == 0 ? 1 : shape[d]
        guard check(size > 0, op, "expected reduction dim \(d) to have non-zero size (shape \(shape))")
        else { return (.meta(outShape), IntTensor([Int](repeating: 0, count: shapeCount(outShape)), shape: outShape)) }
        if isMeta { return (.meta(outShape), IntTensor([Int](repeating: 0, count: shapeCount(outShape)), shape: outShape)) }
        let outer = rank == 0 ? 1 : shape[..<d].reduce(1, *), inner = rank == 0 ? 1 : shape[(d + 1)...].reduce(1, *)
        let src = isContiguous ? self : contiguousCopy()
        defer { withExtendedLifetime(src) {} }  // raw pointers below outlive the last use of src
        let values = Tensor(uninitialized: outShape)
        var indices = [Int](repeating: 0, count: outer * inner)
        let p = UnsafePointer(src.dataPointer), v = values.storage.pointer
        indices.withUnsafeMutableBufferPointer { ix in
            for o in 0..<outer {
                let base = p + o * size * inner, vo = v + o * inner
                for i in 0..<inner { vo[i] = base[i] }
                for k in 1..<Swift.max(size, 1) {
                    let row = base + k * inner
                    for i in 0..<inner {
                        let x = row[i], best = vo[i]
                        if best.isNaN { continue }
                        if x.isNaN || (greater ? x > best : x < best) {
                            vo[i] = x
                            ix[o * inner + i] = k
                        }
                    }
                }
            }
        }
        let idx = IntTensor(indices, shape: outShape)
        let inShape = shape
        let out = values.recording(name, [self]) { g in
            let gc = g.contiguous()
            defer { withExtendedLifetime(gc) {} }  // raw pointers below outlive the last use of gc
            let z = Tensor.zeros(inShape)
            let zp = z.storage.pointer, gp = UnsafePointer(gc.dataPointer)
            for o in 0..<outer {
                for i in 0..<inner { zp[(o * size + indices[o * inner + i]) * inner + i] += gp[o * inner + i] }
            }
            return [z]
        }
        return (out, idx)
    }

    /// Extreme value over several dims; the gradient is shared by ties.
    private func extremumAll(dims: [Int]?, keepdim: Bool, op: String, name: String, greater: Bool) -> Tensor {
        let d = reductionDims(dims, op: op)
        let n = d.reduce(1) { $0 * shape[$1] }
        guard check(n > 0, op,
                    "expected a non-empty input (reduction over dims \(d) of shape \(shape) has no elements); specify a dim with non-zero size")
        else { return .meta(reducedShape(d, keepdim: keepdim)) }
        let out = reduceRows(d, keepdim: keepdim) { p, n in
            var best = p[0]
            if best.isNaN { return best }
            for i in 1..<Swift.max(n, 1) {
                let x = p[i]
                if x.isNaN { return x }
                if greater ? x > best : x < best { best = x }
            }
            return best
        }
        let x = detach(), y = out.detach()
        let inShape = shape, keptShape = reducedShape(d, keepdim: true)
        return out.recording(name, [self]) { g in
            let hit = x.eq(y.reshape(keptShape))
            let ties = hit.sum(dims: d, keepdim: true)
            return [hit * (g.reshape(keptShape) / ties).expand(inShape)]
        }
    }
}
