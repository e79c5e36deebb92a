// 1-D/3-D max and average pooling, max pooling with indices, max unpooling,
// power-average (LP) pooling and adaptive pooling, like `F.max_pool1d/3d`,
// `F.avg_pool1d/3d`, `F.max_unpool1d/2d/3d`, `F.lp_pool1d/2d`,
// `F.adaptive_max_pool1d/2d/3d`, `F.adaptive_avg_pool1d/3d`. Max, average,
// adaptive and unpool are primitives over `PoolNdKernels` (the input as
// planes × three spatial dims); LP pooling is derived from average pooling.

/// The planes × spatial view of a pooling input of rank k+1 or k+2, or nil after reporting.
private func poolPlanes(_ x: Tensor, dims k: Int, op: String) -> (planes: Int, spatial: [Int])? {
    guard check(x.rank == k + 1 || x.rank == k + 2, op,
                "Expected \(k + 1)D or \(k + 2)D input to \(op), but got input of size: \(x.shape)") else { return nil }
    let spatial = Array(x.shape.suffix(k))
    return (x.shape.dropLast(k).reduce(1, *), spatial)
}

/// Pads a k-dim list to three dims with `fill` in front.
private func three(_ v: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: 3 - v.count) + v }

/// Window geometry of a max/avg pool, or nil after reporting PyTorch's error.
private func windowGeometry(_ x: Tensor, dims k: Int, kernel: [Int], stride: [Int]?, padding: [Int], dilation: [Int],
                            ceilMode: Bool, op: String) -> (PoolGeometry3, [Int])? {
    guard let (planes, spatial) = poolPlanes(x, dims: k, op: op) else { return nil }
    let kk = expandSize(kernel, k), s = expandSize(stride ?? kernel, k), p = expandSize(padding, k), d = expandSize(dilation, k)
    guard check(kk.count == k && s.count == k && p.count == k && d.count == k, op, "size arguments take 1 or \(k) values"),
          check(kk.allSatisfy { $0 > 0 }, op, "kernel_size must be greater than zero, but got \(kk)"),
          check(s.allSatisfy { $0 > 0 }, op, "stride must be greater than zero, but got \(s)"),
          check(d.allSatisfy { $0 > 0 }, op, "dilation must be greater than zero, but got \(d)"),
          check((0..<k).allSatisfy { p[$0] >= 0 && p[$0] <= (d[$0] * (kk[$0] - 1) + 1) / 2 }, op,
                "pad should be at most half of effective kernel size, but got pad=\(p.count == 1 ? "\(p[0])" : pythonTuple(p)), kernel_size=\(kk.count == 1 ? "\(kk[0])" : pythonTuple(kk)) and dilation=\(d.count == 1 ? "\(d[0])" : pythonTuple(d))")
    else { return nil }
    var out = [Int](repeating: 0, count: k)
    for i in 0..<k { out[i] = PoolGeometry.outputSize(spatial[i], kernel: kk[i], stride: s[i], pad: p[i], dilation: d[i], ceilMode: ceilMode) }
    guard check(out.allSatisfy { $0 > 0 }, op,
                "Given input size: \(pythonTuple(Array(x.shape.suffix(k + 1))).replacingOccurrences(of: ",)", with: ")")). Calculated output size: \(pythonTuple([x.rank == k + 2 ? x.shape[1] : x.shape[0]] + out)). Output size is too small")
    else { return nil }
    let sp = three(spatial, 1), kp = three(kk, 1), st = three(s, 1), pp = three(p, 0), dl = three(d, 1), op3 = three(out, 1)
    let g = PoolGeometry3(planes: planes, d: sp[0], h: sp[1], w: sp[2], kd: kp[0], kh: kp[1], kw: kp[2], sd: st[0], sh: st[1], sw: st[2],
                          pd: pp[0], ph: pp[1], pw: pp[2], dd: dl[0], dh: dl[1], dw: dl[2], od: op3[0], oh: op3[1], ow: op3[2])
    return (g, Array(x.shape.dropLast(k)) + out)
}

/// Max pooling over the last k dims with indices (primitive).
func maxPoolNd(_ x: Tensor, dims k: Int, kernel: [Int], stride: [Int]?, padding: [Int], dilation: [Int], ceilMode: Bool,
               op: String) -> (Tensor, IntTensor) {
    guard let (g, outShape) = windowGeometry(x, dims: k, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                                             ceilMode: ceilMode, op: op)
    else { return (.meta(x.shape), IntTensor([0])) }
    if x.isMeta { return (.meta(outShape), IntTensor([Int](repeating: 0, count: shapeCount(outShape)), shape: outShape)) }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    var idx = [Int](repeating: 0, count: out.count)
    idx.withUnsafeMutableBufferPointer { ip in
        if let base = ip.baseAddress { PoolNdKernels.maxForward(UnsafePointer(xc.dataPointer), g, out.dataPointer, base) }
    }
    withExtendedLifetime(xc) {}
    let indices = IntTensor(idx, shape: outShape)
    let inShape = x.shape
    let y = out.recording(op == "max_pool2d" ? "MaxPool2DWithIndicesBackward0" : "MaxPool\(k)DWithIndicesBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor.zeros(inShape)
        idx.withUnsafeBufferPointer { ip in
            if let base = ip.baseAddress {
                PoolNdKernels.scatter(UnsafePointer(gc.dataPointer), base, planes: g.planes, inCount: g.outVolume, outCount: g.volume, dx.dataPointer)
            }
        }
        withExtendedLifetime(gc) {}
        return [dx]
    }
    return (y, indices)
}

/// Average pooling over the last k dims (primitive).
func avgPoolNd(_ x: Tensor, dims k: Int, kernel: [Int], stride: [Int]?, padding: [Int], ceilMode: Bool, countIncludePad: Bool,
               divisorOverride: Int?, op: String) -> Tensor {
    guard check(divisorOverride != 0, op, "divisor must be not zero"),
          let (g, outShape) = windowGeometry(x, dims: k, kernel: kernel, stride: stride, padding: padding, dilation: [1],
                                             ceilMode: ceilMode, op: op)
    else { return .meta(x.shape) }
    if x.isMeta { return .meta(outShape) }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: outShape)
    PoolNdKernels.avg(UnsafePointer(xc.dataPointer), g, countIncludePad: countIncludePad, divisorOverride: divisorOverride,
                      out.dataPointer, backward: false)
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    return out.recording("AvgPool\(k)DBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor.zeros(inShape)
        PoolNdKernels.avg(UnsafePointer(gc.dataPointer), g, countIncludePad: countIncludePad, divisorOverride: divisorOverride,
                          dx.dataPointer, backward: true)
        withExtendedLifetime(gc) {}
        return [dx]
    }
}

/// Adaptive max (with indices) or average pooling over the last k dims; nil
/// entries of `outputSize` keep the input's size (primitive).
func adaptivePoolNd(_ x: Tensor, dims k: Int, outputSize: [Int?], max: Bool, op: String) -> (Tensor, IntTensor?) {
    guard let (planes, spatial) = poolPlanes(x, dims: k, op: op),
          check(outputSize.count == 1 || outputSize.count == k, op, "output_size must have 1 or \(k) values"),
          check(spatial.allSatisfy { $0 > 0 }, op, "\(op)(): Expected input to have non-zero size for non-batch dimensions, but input has sizes \(x.shape) with dimension \(x.rank - k) being empty")
    else { return (.meta(x.shape), nil) }
    let sizes = outputSize.count == 1 ? [Int?](repeating: outputSize[0], count: k) : outputSize
    var out = [Int](repeating: 0, count: k)
    for i in 0..<k { out[i] = sizes[i] ?? spatial[i] }
    guard check(out.allSatisfy { $0 >= 0 }, op, "output_size must be non-negative, got \(out)") else { return (.meta(x.shape), nil) }
    let outShape = Array(x.shape.dropLast(k)) + out
    if x.isMeta { return (.meta(outShape), max ? IntTensor([Int](repeating: 0, count: shapeCount(outShape)), shape: outShape) : nil) }
    let sp = three(spatial, 1), o3 = three(out, 1)
    let g = PoolGeometry3(planes: planes, d: sp[0], h: sp[1], w: sp[2], kd: 1, kh: 1, kw: 1, sd: 1, sh: 1, sw: 1, pd: 0, ph: 0, pw: 0,
                          od: o3[0], oh: o3[1], ow: o3[2])
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let y = Tensor(uninitialized: outShape)
    var idx = [Int](repeating: 0, count: max ? y.count : 0)
    idx.withUnsafeMutableBufferPointer { ip in
        PoolNdKernels.adaptive(UnsafePointer(xc.dataPointer), g, max: max, backward: false, y.dataPointer, ip.baseAddress)
    }
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    if max {
        let r = y.recording("AdaptiveMaxPool\(k)DBackward0", [x]) { gy in
            let gc = gy.isContiguous ? gy : gy.contiguousCopy()
            let dx = Tensor.zeros(inShape)
            idx.withUnsafeBufferPointer { ip in
                if let base = ip.baseAddress {
                    PoolNdKernels.scatter(UnsafePointer(gc.dataPointer), base, planes: g.planes, inCount: g.outVolume, outCount: g.volume, dx.dataPointer)
                }
            }
            withExtendedLifetime(gc) {}
            return [dx]
        }
        return (r, IntTensor(idx, shape: outShape))
    }
    let r = y.recording("AdaptiveAvgPool\(k)DBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor.zeros(inShape)
        PoolNdKernels.adaptive(UnsafePointer(gc.dataPointer), g, max: false, backward: true, dx.dataPointer, nil)
        withExtendedLifetime(gc) {}
        return [dx]
    }
    return (r, nil)
}

/// Max unpooling over the last k dims: x's values placed at `indices` in
/// zeros of the output size (primitive; the gradient gathers at `indices`).
func maxUnpoolNd(_ x: Tensor, _ indices: IntTensor, dims k: Int, kernel: [Int], stride: [Int]?, padding: [Int],
                 outputSize: [Int]?, op: String) -> Tensor {
    guard let (planes, spatial) = poolPlanes(x, dims: k, op: op),
          check(indices.shape == x.shape, op, "Expected shape of indices to be same as that of the input tensor (\(x.shape)) but got indices tensor with shape: \(indices.shape)")
    else { return .meta(x.shape) }
    let kk = expandSize(kernel, k), s = expandSize(stride ?? kernel, k), p = expandSize(padding, k)
    var out = [Int](repeating: 0, count: k)
    for i in 0..<k { out[i] = (spatial[i] - 1) * s[i] - 2 * p[i] + kk[i] }
    if let os = outputSize {
        let given = Array(os.suffix(k))
        guard check(given.count == k, op, "output_size must have \(k) elements (got \(os))") else { return .meta(x.shape) }
        for i in 0..<k {
            let lo = out[i] - s[i], hi = out[i] + s[i]
            guard check(given[i] > lo && given[i] < hi, op,
                        "invalid output_size \"\(os)\" (dim \(i) must be between \(lo) and \(hi))") else { return .meta(x.shape) }
        }
        out = given
    }
    let outShape = Array(x.shape.dropLast(k)) + out
    if x.isMeta { return .meta(outShape) }
    let inCount = spatial.reduce(1, *), outCount = out.reduce(1, *)
    for v in indices.values where v < 0 || v >= outCount {
        ShapeCheck.fail(ShapeError(op: op, "Found an invalid max index: \(v) (output volumes are of size \(out.map(String.init).joined(separator: "x")))"))
        return .meta(outShape)
    }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let y = Tensor.zeros(outShape)
    let idx = indices.values
    idx.withUnsafeBufferPointer { ip in
        if let base = ip.baseAddress {
            PoolNdKernels.scatter(UnsafePointer(xc.dataPointer), base, planes: planes, inCount: inCount, outCount: outCount, y.dataPointer)
        }
    }
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    return y.recording("MaxUnpool\(k)DBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor(uninitialized: inShape)
        idx.withUnsafeBufferPointer { ip in
            if let base = ip.baseAddress {
                PoolNdKernels.gather(UnsafePointer(gc.dataPointer), base, planes: planes, count: inCount, srcCount: outCount, dx.dataPointer)
            }
        }
        withExtendedLifetime(gc) {}
        return [dx]
    }
}

// MARK: - Public functional forms

/// 1-D max pooling over [N, C, L] (or [C, L]), like `F.max_pool1d`.
public func maxPool1d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
                      ceilMode: Bool = false) -> Tensor {
    maxPool1dWithIndices(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode).output
}

/// 1-D max pooling and the in-plane index of each maximum, like `F.max_pool1d(return_indices=True)`.
public func maxPool1dWithIndices(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
                                 ceilMode: Bool = false) -> (output: Tensor, indices: IntTensor) {
    maxPoolNd(x, dims: 1, kernel: [kernelSize], stride: stride.map { [$0] }, padding: [padding], dilation: [dilation],
              ceilMode: ceilMode, op: "max_pool1d")
}

/// 2-D max pooling and the in-plane index (h·W + w) of each maximum, like `F.max_pool2d(return_indices=True)`.
public func maxPool2dWithIndices(_ x: Tensor, kernelSize: Size2, stride: Size2? = nil, padding: Size2 = 0, dilation: Size2 = 1,
                                 ceilMode: Bool = false) -> (output: Tensor, indices: IntTensor) {
    maxPoolNd(x, dims: 2, kernel: [kernelSize.h, kernelSize.w], stride: stride.map { [$0.h, $0.w] }, padding: [padding.h, padding.w],
              dilation: [dilation.h, dilation.w], ceilMode: ceilMode, op: "max_pool2d")
}

/// 3-D max pooling over [N, C, D, H, W] (or [C, D, H, W]), like `F.max_pool3d`; sizes take one value or three.
public func maxPool3d(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1],
                      ceilMode: Bool = false) -> Tensor {
    maxPool3dWithIndices(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode).output
}

/// 3-D max pooling and the in-plane index of each maximum.
public func maxPool3dWithIndices(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1],
                                 ceilMode: Bool = false) -> (output: Tensor, indices: IntTensor) {
    maxPoolNd(x, dims: 3, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, op: "max_pool3d")
}

/// 1-D average pooling, like `F.avg_pool1d`.
public func avgPool1d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = true) -> Tensor {
    avgPoolNd(x, dims: 1, kernel: [kernelSize], stride: stride.map { [$0] }, padding: [padding], ceilMode: ceilMode,
              countIncludePad: countIncludePad, divisorOverride: nil, op: "avg_pool1d")
}

/// 3-D average pooling, like `F.avg_pool3d`; sizes take one value or three.
public func avgPool3d(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false,
                      countIncludePad: Bool = true, divisorOverride: Int? = nil) -> Tensor {
    avgPoolNd(x, dims: 3, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
              countIncludePad: countIncludePad, divisorOverride: divisorOverride, op: "avg_pool3d")
}

/// Power-average pooling (Σ xᵖ)^(1/p) over 1-D windows, like `F.lp_pool1d` (derived from average pooling).
public func lpPool1d(_ x: Tensor, normType: Double, kernelSize: Int, stride: Int? = nil, ceilMode: Bool = false) -> Tensor {
    let p = Float(normType)
    let avg = avgPoolNd(x.pow(p), dims: 1, kernel: [kernelSize], stride: stride.map { [$0] }, padding: [0], ceilMode: ceilMode,
                        countIncludePad: true, divisorOverride: nil, op: "lp_pool1d")
    return (avg * Float(kernelSize)).pow(1 / p)
}

/// Power-average pooling (Σ xᵖ)^(1/p) over 2-D windows, like `F.lp_pool2d` (derived from average pooling).
public func lpPool2d(_ x: Tensor, normType: Double, kernelSize: Size2, stride: Size2? = nil, ceilMode: Bool = false) -> Tensor {
    let p = Float(normType)
    let avg = avgPoolNd(x.pow(p), dims: 2, kernel: [kernelSize.h, kernelSize.w], stride: stride.map { [$0.h, $0.w] }, padding: [0],
                        ceilMode: ceilMode, countIncludePad: true, divisorOverride: nil, op: "lp_pool2d")
    return (avg * Float(kernelSize.h * kernelSize.w)).pow(1 / p)
}

/// Adaptive max pooling over the last `dims` (1–3) dims to `outputSize`
/// (nil keeps a dim), with the in-plane index of each maximum, like `F.adaptive_max_poolNd(return_indices=True)`.
public func adaptiveMaxPool(_ x: Tensor, dims: Int, outputSize: [Int?]) -> (output: Tensor, indices: IntTensor) {
    let (y, idx) = adaptivePoolNd(x, dims: dims, outputSize: outputSize, max: true, op: "adaptive_max_pool\(dims)d")
    return (y, idx ?? IntTensor([0]))
}

/// Adaptive average pooling over the last `dims` (1–3) dims to `outputSize`
/// (nil keeps a dim), like `F.adaptive_avg_pool1d/3d`.
public func adaptiveAvgPool(_ x: Tensor, dims: Int, outputSize: [Int?]) -> Tensor {
    adaptivePoolNd(x, dims: dims, outputSize: outputSize, max: false, op: "adaptive_avg_pool\(dims)d").0
}

/// Max unpooling over the last `dims` (1–3) dims, like `F.max_unpool1d/2d/3d`:
/// the values of `x` at `indices` (from a max pool with indices), zeros elsewhere.
public func maxUnpool(_ x: Tensor, indices: IntTensor, dims: Int, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                      outputSize: [Int]? = nil) -> Tensor {
    maxUnpoolNd(x, indices, dims: dims, kernel: kernelSize, stride: stride, padding: padding, outputSize: outputSize,
                op: "max_unpool\(dims)d")
}
