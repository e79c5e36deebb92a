/// Saved argmax positions of a max pooling (one Int32 per output element).
final class IndexBuffer {
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) { pointer = .allocate(capacity: Swift.max(count, 1)) }
    deinit { pointer.deallocate() }
}

/// Validated geometry of a pooling call, or nil after reporting an error.
private func poolGeometry(_ op: String, _ x: Tensor, kernel: Size2, stride: Size2?, padding: Size2, dilation: Size2,
                          ceilMode: Bool) -> PoolGeometry? {
    guard check(x.rank == 3 || x.rank == 4, op,
                "non-empty 3D or 4D (batch mode) tensor expected for input, but got input of size: \(x.shape)") else { return nil }
    let s = stride ?? kernel
    guard check(kernel.h > 0 && kernel.w > 0, op, "kernel_size must be greater than zero, but got \(kernel)"),
          check(s.h > 0 && s.w > 0, op, "stride must be greater than zero, but got \(s)"),
          check(dilation.h > 0 && dilation.w > 0, op, "dilation must be greater than zero, but got \(dilation)"),
          check(padding.h >= 0 && padding.w >= 0 && padding.h * 2 <= kernel.h && padding.w * 2 <= kernel.w, op,
                "pad should be at most half of effective kernel size, but got pad=\(padding), kernel_size=\(kernel) and dilation=\(dilation)")
    else { return nil }
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let planes = x.shape.dropLast(2).reduce(1, *)
    let oh = PoolGeometry.outputSize(h, kernel: kernel.h, stride: s.h, pad: padding.h, dilation: dilation.h, ceilMode: ceilMode)
    let ow = PoolGeometry.outputSize(w, kernel: kernel.w, stride: s.w, pad: padding.w, dilation: dilation.w, ceilMode: ceilMode)
    let c = x.shape[x.rank - 3]
    guard check(oh > 0 && ow > 0, op,
                "Given input size: (\(c)x\(h)x\(w)). Calculated output size: (\(c)x\(oh)x\(ow)). Output size is too small")
    else { return nil }
    return PoolGeometry(planes: planes, h: h, w: w, kh: kernel.h, kw: kernel.w, sh: s.h, sw: s.w,
                        ph: padding.h, pw: padding.w, dh: dilation.h, dw: dilation.w, oh: oh, ow: ow)
}

private func pooledShape(_ x: Tensor, _ g: PoolGeometry) -> [Int] { Array(x.shape.dropLast(2)) + [g.oh, g.ow] }

/// 2-D max pooling, like `F.max_pool2d`. `stride` defaults to `kernelSize`.
///
/// A primitive: the forward keeps each window's argmax so backward is a
/// scatter; 2×2 windows with stride 2 take an unrolled fast path.
public func maxPool2d(_ x: Tensor, kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0,
                      dilation: Size2 = 1, ceilMode: Bool = false) -> Tensor {
    guard let g = poolGeometry("max_pool2d", x, kernel: kernelSize, stride: stride, padding: padding,
                               dilation: dilation, ceilMode: ceilMode) else { return .meta(x.shape) }
    let outShape = pooledShape(x, g)
    if x.isMeta { return .meta(outShape) }
    // 2×2 windows over relu(conv2d(…)): one fused node (see `ConvPeephole`).
    if g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1
        && x.rank == 4 && !ceilMode, let fused = ConvPeephole.reluMaxPool2(x) {
        return fused
    }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    let idx = IndexBuffer(count: out.count)
    PoolKernels.maxForward(xc.dataPointer, g, out: out.dataPointer, indices: idx.pointer)
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    return out.recording("MaxPool2DWithIndicesBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor(uninitialized: inShape)
        PoolKernels.maxBackward(gc.dataPointer, idx.pointer, g, dx: dx.dataPointer)
        withExtendedLifetime(gc) {}
        return [dx]
    }
}

/// `maxPool2d` with a square window given as one integer.
public func maxPool2d(_ x: Tensor, _ kernelSize: Int) -> Tensor { maxPool2d(x, kernelSize: Size2(kernelSize)) }

/// 2-D average pooling, like `F.avg_pool2d`.
public func avgPool2d(_ x: Tensor, kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) -> Tensor {
    guard let g = poolGeometry("avg_pool2d", x, kernel: kernelSize, stride: stride, padding: padding,
                               dilation: 1, ceilMode: ceilMode) else { return .meta(x.shape) }
    if let d = divisorOverride {
        guard check(d != 0, "avg_pool2d", "divisor must be not zero") else { return .meta(x.shape) }
    }
    let outShape = pooledShape(x, g)
    if x.isMeta { return .meta(outShape) }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    PoolKernels.avgForward(xc.dataPointer, g, countIncludePad: countIncludePad, divisorOverride: divisorOverride,
                           out: out.dataPointer)
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    return out.recording("AvgPool2DBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor(uninitialized: inShape)
        PoolKernels.avgBackward(gc.dataPointer, g, countIncludePad: countIncludePad, divisorOverride: divisorOverride,
                                dx: dx.dataPointer)
        withExtendedLifetime(gc) {}
        return [dx]
    }
}

/// Average pooling to a fixed output size, like `F.adaptive_avg_pool2d`.
/// Output cell (i, j) averages rows ⌊i·H/OH⌋ ..< ⌈(i+1)·H/OH⌉ (same for columns).
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: Size2) -> Tensor {
    let op = "adaptive_avg_pool2d"
    guard check(x.rank == 3 || x.rank == 4, op,
                "Expected 3D or 4D tensor, but got input of size: \(x.shape)"),
          check(outputSize.h >= 0 && outputSize.w >= 0, op, "output_size must be non-negative, got \(outputSize)")
    else { return .meta(x.shape) }
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    guard check(h > 0 && w > 0, op, "input \(x.shape) has an empty spatial dimension") else { return .meta(x.shape) }
    let oh = outputSize.h, ow = outputSize.w
    let outShape = Array(x.shape.dropLast(2)) + [oh, ow]
    if x.isMeta { return .meta(outShape) }
    let planes = x.shape.dropLast(2).reduce(1, *)
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    if oh == h && ow == w {
        out.dataPointer.update(from: xc.dataPointer, count: out.count)
    } else {
        PoolKernels.adaptiveAvgForward(xc.dataPointer, planes: planes, h: h, w: w, oh: oh, ow: ow, out: out.dataPointer)
    }
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    return out.recording("AdaptiveAvgPool2DBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor(uninitialized: inShape)
        PoolKernels.adaptiveAvgBackward(gc.dataPointer, planes: planes, h: h, w: w, oh: oh, ow: ow, dx: dx.dataPointer)
        withExtendedLifetime(gc) {}
        return [dx]
    }
}
