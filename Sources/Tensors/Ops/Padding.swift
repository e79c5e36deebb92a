/// Constant padding, like `torch.nn.functional.pad(x, pad, value=...)`.
extension Tensor {
    /// Pads with `value`. `padding` lists (before, after) pairs starting from
    /// the LAST dimension, like `F.pad`: `[left, right]` pads the last dim,
    /// `[left, right, top, bottom]` the last two, and so on. Negative amounts
    /// crop. The gradient is the output gradient cropped back (a pad with the
    /// amounts negated).
    ///
    /// ```swift
    /// let y = x.pad([1, 1, 2, 0])   // last dim +1 each side, second-last +2 on top
    /// ```
    public func pad(_ padding: [Int], value: Float = 0) -> Tensor {
        guard check(padding.count % 2 == 0, "pad", "padding length must be divisible by 2, got \(padding.count) values \(padding)"),
              check(padding.count / 2 <= rank, "pad",
                    "padding length \(padding.count) is too large for a \(rank)-D input (at most \(2 * rank) values)")
        else { return .meta(shape) }
        var outShape = shape
        var src = (offset: 0, shape: shape)      // region of self that is kept
        var dstStart = [Int](repeating: 0, count: rank)
        for i in 0..<(padding.count / 2) {
            let d = rank - 1 - i
            let before = padding[2 * i], after = padding[2 * i + 1]
            let n = shape[d] + before + after
            guard check(n >= 0, "pad",
                        "the input size \(shape[d]), plus negative padding \(before) and \(after) resulted in a negative output size, which is invalid; check dimension \(d) of your input (shape \(shape))")
            else { return .meta(shape) }
            outShape[d] = n
            let cropBefore = Swift.max(0, -before), cropAfter = Swift.max(0, -after)
            src.shape[d] = Swift.max(0, shape[d] - cropBefore - cropAfter)
            src.offset += cropBefore * strides[d]
            dstStart[d] = Swift.max(0, before)
        }
        if isMeta { return .meta(outShape) }
        let out = Tensor.full(outShape, value)
        if shapeCount(src.shape) > 0 {
            var dstOffset = 0
            for d in 0..<rank { dstOffset += dstStart[d] * out.strides[d] }
            let region = Tensor(storage: out.storage, shape: src.shape, strides: out.strides, offset: dstOffset)
            region.assign(Tensor(storage: storage, shape: src.shape, strides: strides, offset: offset + src.offset))
        }
        let negated = padding.map { -$0 }
        return out.recording("ConstantPadNdBackward0", [self]) { g in [g.pad(negated)] }
    }
}
