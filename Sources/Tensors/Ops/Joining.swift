/// Joining and splitting: `cat`, `stack`, `split`, `chunk`.
extension Tensor {
    /// Concatenates tensors along `dim`, like `torch.cat`. All tensors must
    /// have the same shape except along `dim`. As in PyTorch, 1-D empty
    /// tensors (shape `[0]`) are skipped.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        let parts = tensors.filter { !($0.rank == 1 && $0.shape[0] == 0) }
        guard check(!tensors.isEmpty, "cat", "expected a non-empty list of tensors") else { return .meta([0]) }
        guard let first = parts.first else { return Tensor.zeros([0]) }
        guard check(first.rank > 0, "cat", "zero-dimensional tensor (at position 0) cannot be concatenated") else { return .meta([]) }
        let d = normalizeDim(dim, first.rank, op: "cat")
        var outShape = first.shape
        outShape[d] = 0
        for (i, t) in parts.enumerated() {
            guard check(t.rank == first.rank, "cat",
                        "tensors must have same number of dimensions: got \(first.rank) and \(t.rank) (shapes \(first.shape) and \(t.shape) at position \(i))")
            else { return .meta(first.shape) }
            for k in 0..<first.rank where k != d && t.shape[k] != first.shape[k] {
                ShapeCheck.fail(ShapeError(op: "cat", "sizes of tensors must match except in dimension \(d): expected size \(first.shape[k]) but got size \(t.shape[k]) for tensor number \(i) in the list (shapes \(first.shape) and \(t.shape))"))
                return .meta(first.shape)
            }
            outShape[d] += t.shape[d]
        }
        if parts.contains(where: { $0.isMeta }) { return .meta(outShape) }
        let out = Tensor(uninitialized: outShape)
        var sizes: [Int] = []
        var start = 0
        for t in parts {
            let n = t.shape[d]
            if n > 0 { out.sliceView(d, start, n, 1).assign(t) }
            sizes.append(n)
            start += n
        }
        return out.recording("CatBackward0", parts) { g in
            var grads: [Tensor?] = []
            var s = 0
            for n in sizes {
                grads.append(g.sliceView(d, s, n, 1))
                s += n
            }
            return grads
        }
    }

    /// Stacks equal-shape tensors along a new dimension `dim`, like `torch.stack`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        guard check(!tensors.isEmpty, "stack", "expected a non-empty list of tensors") else { return .meta([0]) }
        let shape0 = tensors[0].shape
        for (i, t) in tensors.enumerated() where t.shape != shape0 {
            ShapeCheck.fail(ShapeError(op: "stack", "expects each tensor to be equal size, but got \(shape0) at entry 0 and \(t.shape) at entry \(i)"))
            return .meta([tensors.count] + shape0)
        }
        let d = normalizeDim(dim, shape0.count + 1, op: "stack")
        return cat(tensors.map { $0.unsqueeze(d) }, dim: d).named("StackBackward0")
    }

    /// Splits into views of `size` along `dim` (the last may be smaller),
    /// like `split(split_size)`.
    public func split(_ size: Int, dim: Int = 0) -> [Tensor] {
        let d = normalizeDim(dim, rank, op: "split")
        guard check(rank > 0, "split", "expects at least a 1-dimensional tensor"),
              check(size > 0 || (size == 0 && shape[d] == 0), "split",
                    "split_size can only be 0 if dimension size is 0, but got split_size \(size) for dimension \(d) of size \(shape[d])")
        else { return [.meta(shape)] }
        let n = shape[d]
        if n == 0 { return [sliceRecorded(d, 0, 0, 1)] }
        let sizes = stride(from: 0, to: n, by: size).map { Swift.min(size, n - $0) }
        return splitPieces(d, sizes, name: "SplitBackward0")
    }

    /// Splits into views with the given sizes along `dim`, like
    /// `split([sizes])`; the sizes must add up to the dimension's size.
    public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
        let d = normalizeDim(dim, rank, op: "split")
        guard check(rank > 0, "split", "expects at least a 1-dimensional tensor"),
              check(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[d], "split",
                    "split_with_sizes expects split_sizes to sum exactly to \(shape[d]) (input tensor's size at dimension \(d)), but got split_sizes=\(sizes)")
        else { return sizes.map { _ in .meta(shape) } }
        return splitPieces(d, sizes, name: "SplitWithSizesBackward0")
    }

    /// Splits into `chunks` views along `dim`, like `chunk`: each of size
    /// ceil(n / chunks), so there may be fewer than `chunks` pieces.
    public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
        guard check(chunks > 0, "chunk", "number of chunks must be greater than 0, got \(chunks)"),
              check(rank > 0, "chunk", "expects at least a 1-dimensional tensor") else { return [.meta(shape)] }
        let d = normalizeDim(dim, rank, op: "chunk")
        let size = (shape[d] + chunks - 1) / chunks
        return split(Swift.max(size, shape[d] == 0 ? 0 : 1), dim: d)
    }

    func splitPieces(_ d: Int, _ sizes: [Int], name: String) -> [Tensor] {
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return sliceRecorded(d, start, n, 1).named(name)
        }
    }
}
