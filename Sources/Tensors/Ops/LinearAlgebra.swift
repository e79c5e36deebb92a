/// Matrix products on `cblas_sgemm`.
extension Tensor {
    /// How BLAS can read the last two dims of a tensor without copying.
    struct MatrixView {
        var tensor: Tensor
        var trans: Bool
        var ld: Int
    }

    func blasMatrix() -> MatrixView {
        let r = rank
        let rows = shape[r - 2], cols = shape[r - 1]
        if strides[r - 1] == 1 && (strides[r - 2] >= Swift.max(cols, 1) || rows == 1) {
            return MatrixView(tensor: self, trans: false, ld: Swift.max(rows == 1 ? cols : strides[r - 2], 1))
        }
        if strides[r - 2] == 1 && (strides[r - 1] >= Swift.max(rows, 1) || cols == 1) {
            return MatrixView(tensor: self, trans: true, ld: Swift.max(cols == 1 ? rows : strides[r - 1], 1))
        }
        let c = contiguousCopy()
        return MatrixView(tensor: c, trans: false, ld: Swift.max(cols, 1))
    }

    /// Matrix product with PyTorch's rules: 1-D operands are promoted and
    /// squeezed back, leading (batch) dims broadcast, like `torch.matmul`.
    public func matmul(_ other: Tensor) -> Tensor {
        guard check(rank >= 1 && other.rank >= 1, "matmul",
                    "both arguments to matmul need to be at least 1D, but they are \(rank)D and \(other.rank)D") else { return .meta([]) }
        if rank == 2 && other.rank == 2 && shape[1] == other.shape[0] && !isMeta && !other.isMeta {
            return matmul2D(other)
        }
        // Detached views: the kernel's reshapes/expands must not record nodes.
        let a = rank == 1 ? detach().reshape([1, shape[0]]) : detach()
        let b = other.rank == 1 ? other.detach().reshape([other.shape[0], 1]) : other.detach()
        let n = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], m = b.shape[b.rank - 1]
        guard check(k == k2, "matmul", "shapes \(shape) and \(other.shape) cannot be multiplied") else { return .meta([n, m]) }
        guard let batch = broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul") else { return .meta([n, m]) }
        var outShape = batch + [n, m]
        let result: Tensor
        if a.isMeta || b.isMeta {
            result = .meta(outShape)
        } else {
            result = Tensor.gemm(a.expand(batch + [n, k]), b.expand(batch + [k, m]), batch: batch, n: n, k: k, m: m)
        }
        // Undo the 1-D promotions.
        var out = result
        if rank == 1 { outShape.remove(at: outShape.count - 2) }
        if other.rank == 1 { outShape.removeLast() }
        if outShape != out.shape { out = out.detach().reshape(outShape) }
        let aShape = shape, bShape = other.shape
        let aD = detach(), bD = other.detach()
        let needA = _requiresGrad, needB = other._requiresGrad
        // PyTorch's node names for the common cases (printing only).
        let name: String
        switch (aShape.count, bShape.count) {
        case (2, 2): name = "MmBackward0"
        case (1, 1): name = "DotBackward0"
        case (2, 1): name = "MvBackward0"
        case (1, 2): name = "SqueezeBackward4"
        default: name = "UnsafeViewBackward0"
        }
        return out.recording(name, [self, other]) { g in
            // Work in promoted shapes, then reduce to the inputs'.
            let A = aShape.count == 1 ? aD.reshape([1, aShape[0]]) : aD
            let B = bShape.count == 1 ? bD.reshape([bShape[0], 1]) : bD
            var G = g
            if aShape.count == 1 { G = G.unsqueezeView(G.rank - (bShape.count == 1 ? 0 : 1)) }
            if bShape.count == 1 { G = G.unsqueezeView(G.rank) }
            let ga = needA ? G.matmul(B.transpose(-1, -2)).sumTo(A.shape).reshape(aShape) : nil
            let gb = needB ? A.transpose(-1, -2).matmul(G).sumTo(B.shape).reshape(bShape) : nil
            return [ga, gb]
        }
    }

    /// The common 2-D × 2-D case without the batching bookkeeping: one sgemm
    /// straight from the operands' strides (copying only an operand BLAS
    /// cannot read), one output allocation.
    private func matmul2D(_ other: Tensor) -> Tensor {
        let n = shape[0], k = shape[1], m = other.shape[1]
        let out = Tensor(uninitialized: [n, m])
        if n > 0 && m > 0 {
            if k == 0 {
                out.storage.pointer.initialize(repeating: 0, count: n * m)
            } else {
                let a = blasMatrixOffsetsOnly(), b = other.blasMatrixOffsetsOnly()
                withExtendedLifetime((a.tensor, b.tensor)) {
                    BLAS.sgemm(transA: a.trans, transB: b.trans, m: n, n: m, k: k,
                               a: a.tensor.storage.pointer + a.tensor.offset, lda: a.ld,
                               b: b.tensor.storage.pointer + b.tensor.offset, ldb: b.ld,
                               c: out.storage.pointer, ldc: m)
                }
            }
        }
        let needA = _requiresGrad, needB = other._requiresGrad
        guard (needA || needB) && GradMode.isEnabled else { return out }
        let aD = detach(), bD = other.detach()
        return out.recording("MmBackward0", [self, other]) { g in
            [needA ? g.matmul(bD.t) : nil, needB ? aD.t.matmul(g) : nil]
        }
    }

    /// A view with a size-1 dim inserted (no autograd; used inside backward rules).
    func unsqueezeView(_ dim: Int) -> Tensor {
        var s = shape, st = strides
        let stride = dim < rank ? strides[dim] * shape[dim] : 1
        s.insert(1, at: dim)
        st.insert(stride, at: dim)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset)
    }

    /// Batched GEMM over broadcast-expanded operands (no autograd).
    static func gemm(_ a: Tensor, _ b: Tensor, batch: [Int], n: Int, k: Int, m: Int) -> Tensor {
        let out = Tensor(uninitialized: batch + [n, m])
        let count = shapeCount(batch)
        if n == 0 || m == 0 { return out }
        if k == 0 { out.storage.pointer.initialize(repeating: 0, count: out.count); return out }
        // Iterate batch indices; each batch is one sgemm on strided views.
        let aMat = a.blasMatrixOffsetsOnly(), bMat = b.blasMatrixOffsetsOnly()
        // The matrices may be fresh copies: keep them alive across the BLAS calls.
        defer { withExtendedLifetime(aMat.tensor) {}; withExtendedLifetime(bMat.tensor) {} }
        if batch.isEmpty {  // plain 2-D product: one call, no index bookkeeping
            BLAS.sgemm(transA: aMat.trans, transB: bMat.trans, m: n, n: m, k: k,
                       a: aMat.tensor.storage.pointer + aMat.tensor.offset, lda: aMat.ld,
                       b: bMat.tensor.storage.pointer + bMat.tensor.offset, ldb: bMat.ld,
                       c: out.storage.pointer, ldc: m)
            return out
        }
        let ab = aMat.batchStrides(Array(a.strides.dropLast(2))), bb = bMat.batchStrides(Array(b.strides.dropLast(2)))
        var idx = [Int](repeating: 0, count: batch.count)
        for i in 0..<count {
            var oa = aMat.tensor.offset, ob = bMat.tensor.offset
            for d in 0..<batch.count { oa += idx[d] * ab[d]; ob += idx[d] * bb[d] }
            BLAS.sgemm(transA: aMat.trans, transB: bMat.trans, m: n, n: m, k: k,
                       a: aMat.tensor.storage.pointer + oa, lda: aMat.ld,
                       b: bMat.tensor.storage.pointer + ob, ldb: bMat.ld,
                       c: out.storage.pointer + i * n * m, ldc: m)
            var d = batch.count - 1
            while d >= 0 { idx[d] += 1; if idx[d] < batch[d] { break }; idx[d] = 0; d -= 1 }
        }
        return out
    }

    struct BatchedMatrix {
        var tensor: Tensor
        var trans: Bool
        var ld: Int
        var copied: Bool
        func batchStrides(_ original: [Int]) -> [Int] {
            copied ? Array(tensor.strides.dropLast(2)) : original
        }
    }

    /// Like `blasMatrix` but keeps batch strides (copies only if the matrix dims are unusable).
    func blasMatrixOffsetsOnly() -> BatchedMatrix {
        let r = rank
        let rows = shape[r - 2], cols = shape[r - 1]
        if strides[r - 1] == 1 && (strides[r - 2] >= Swift.max(cols, 1) || rows == 1) {
            return BatchedMatrix(tensor: self, trans: false, ld: Swift.max(rows == 1 ? cols : strides[r - 2], 1), copied: false)
        }
        if strides[r - 2] == 1 && (strides[r - 1] >= Swift.max(rows, 1) || cols == 1) {
            return BatchedMatrix(tensor: self, trans: true, ld: Swift.max(cols == 1 ? rows : strides[r - 1], 1), copied: false)
        }
        let c = contiguousCopy()
        return BatchedMatrix(tensor: c, trans: false, ld: Swift.max(cols, 1), copied: true)
    }

    /// Batched matrix product of 3-D tensors, like `torch.bmm` (no broadcasting).
    public func bmm(_ other: Tensor) -> Tensor {
        guard check(rank == 3 && other.rank == 3, "bmm", "batch1 must be a 3D tensor and batch2 must be a 3D tensor, got shapes \(shape) and \(other.shape)"),
              check(shape[0] == other.shape[0], "bmm", "batch sizes of shapes \(shape) and \(other.shape) must match") else { return self }
        return matmul(other).named("BmmBackward0")
    }

    /// x · Wᵀ + b, like `torch.nn.functional.linear` (weight is [out, in]).
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        guard check(weight.rank == 2, "linear", "weight must be 2-D, got shape \(weight.shape)"),
              check(rank >= 1 && shape[rank - 1] == weight.shape[1], "linear",
                    "input shape \(shape) and weight shape \(weight.shape) cannot be multiplied (last dim \(rank >= 1 ? shape[rank - 1] : 0) vs in_features \(weight.shape[1]))")
        else { return .meta(Array(shape.dropLast()) + [weight.rank == 2 ? weight.shape[0] : 1]) }
        let y = matmul(weight.t)
        guard let bias else { return y }
        return (y + bias).named(rank == 2 ? "AddmmBackward0" : "UnsafeViewBackward0")
    }
}
