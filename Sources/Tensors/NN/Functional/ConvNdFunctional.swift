// 1-D and 3-D convolutions, the transposed convolutions, unfold and fold,
// like `F.conv1d`, `F.conv3d`, `F.conv_transpose1d/2d/3d`, `F.unfold`,
// `F.fold`. `conv1d` is `conv2d` on a unit height (its fast kernels); the
// others are primitives over three spatial dims (`ConvNdKernels`: vol2col +
// one GEMM per image and group), 1-D and 2-D callers using unit dims.

/// Padding of an N-d convolution: explicit sizes (one for every dim, or one
/// per dim), `valid` (none) or `same` (output size = input size, stride 1).
public enum ConvNdPadding: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral,
    CustomStringConvertible {
    /// Zero padding on both sides of each dim (`[p]` means every dim).
    case size([Int])
    /// No padding (`padding="valid"`).
    case valid
    /// Output size equals input size (`padding="same"`); odd total padding
    /// puts the extra element at the end, like PyTorch.
    case same

    /// `1` is `.size([1])`.
    public init(integerLiteral value: Int) { self = .size([value]) }
    /// `[1, 2, 0]` pads each dim by its value.
    public init(arrayLiteral elements: Int...) { self = .size(elements) }

    /// The explicit per-dim sizes for `dims` dims (nil for valid/same).
    func sizes(_ dims: Int) -> [Int]? {
        guard case .size(let s) = self else { return nil }
        return s.count == 1 ? [Int](repeating: s[0], count: dims) : s
    }

    /// (before, after) amounts for `kernel` and `dilation`.
    func amounts(kernel: [Int], dilation: [Int]) -> (before: [Int], after: [Int]) {
        switch self {
        case .size: let s = sizes(kernel.count) ?? []; return (s, s)
        case .valid: let z = [Int](repeating: 0, count: kernel.count); return (z, z)
        case .same:
            let total = zip(kernel, dilation).map { $1 * ($0 - 1) }
            return (total.map { $0 / 2 }, total.map { $0 - $0 / 2 })
        }
    }

    public var description: String {
        switch self {
        case .size(let s): return pythonTuple(s)
        case .valid: return "valid"
        case .same: return "same"
        }
    }
}

/// Expands a size argument of one value or `dims` values to `dims` values.
func expandSize(_ v: [Int], _ dims: Int) -> [Int] { v.count == 1 ? [Int](repeating: v[0], count: dims) : v }

/// 1-D convolution over [N, C, L] (or [C, L]), like `F.conv1d`; weight
/// [M, C/groups, K]. Runs as `conv2d` with a unit height.
///
/// ```swift
/// let y = conv1d(x, weight: w, bias: b, stride: 2, padding: 1)
/// ```
public func conv1d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: ConvNdPadding = 0,
                   dilation: Int = 1, groups: Int = 1) -> Tensor {
    guard check(input.rank == 2 || input.rank == 3, "conv1d",
                "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: \(input.shape)"),
          check(weight.rank == 3, "conv1d",
                "Expected 3-dimensional weight for 3-dimensional input \(input.shape), but got \(weight.rank)-dimensional weight of size \(weight.shape) instead")
    else { return .meta(input.shape) }
    let p2: ConvPadding
    switch padding {
    case .size(let s): p2 = .size(Size2(0, s.first ?? 0))
    case .valid: p2 = .valid
    case .same: p2 = .same
    }
    let x4 = input.unsqueeze(input.rank - 1)
    let w4 = weight.unsqueeze(2)
    let y = conv2d(x4, weight: w4, bias: bias, stride: Size2(1, stride), padding: p2, dilation: Size2(1, dilation), groups: groups)
    return y.squeeze(y.rank - 2)
}

/// 3-D convolution over [N, C, D, H, W] (or [C, D, H, W]), like `F.conv3d`;
/// weight [M, C/groups, KD, KH, KW]. Sizes take one value or three.
public func conv3d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: ConvNdPadding = 0,
                   dilation: [Int] = [1], groups: Int = 1) -> Tensor {
    guard check(input.rank == 4 || input.rank == 5, "conv3d",
                "Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: \(input.shape)"),
          check(weight.rank == 5, "conv3d",
                "Expected 5-dimensional weight for 5-dimensional input \(input.shape), but got \(weight.rank)-dimensional weight of size \(weight.shape) instead")
    else { return .meta(input.shape) }
    if input.rank == 4 {
        return conv3d(input.unsqueeze(0), weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                      groups: groups).squeeze(0)
    }
    let s = expandSize(stride, 3), dil = expandSize(dilation, 3)
    let k = Array(weight.shape.suffix(3))
    if padding == .same {
        guard check(s.allSatisfy { $0 == 1 }, "conv3d", "padding='same' is not supported for strided convolutions")
        else { return .meta(input.shape) }
    }
    let (before, after) = padding.amounts(kernel: k, dilation: dil)
    // Asymmetric ('same' with an odd total) extra goes on as an explicit pad.
    var x = input
    if before != after {
        x = input.pad([0, after[2] - before[2], 0, after[1] - before[1], 0, after[0] - before[0]])
    }
    return convPrimitive3(x, weight: weight, bias: bias, stride: s, padding: before, dilation: dil, groups: groups, op: "conv3d")
}

/// Convolution over three spatial dims of 5-D `x` (primitive).
func convPrimitive3(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], dilation: [Int], groups: Int,
                    op: String) -> Tensor {
    let n = x.shape[0], c = x.shape[1]
    let m = weight.shape[0], k = Array(weight.shape.suffix(3))
    guard check(groups > 0, op, "non-positive groups is not supported"),
          check(stride.count == 3 && stride.allSatisfy { $0 > 0 }, op, "non-positive stride is not supported"),
          check(dilation.count == 3 && dilation.allSatisfy { $0 > 0 }, op, "dilation should be greater than zero"),
          check(padding.count == 3 && padding.allSatisfy { $0 >= 0 }, op, "negative padding is not supported"),
          check(m % groups == 0, op,
                "Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(weight.shape) instead"),
          check(c == weight.shape[1] * groups, op,
                "Given groups=\(groups), weight of size \(weight.shape), expected input\(x.shape) to have \(weight.shape[1] * groups) channels, but got \(c) channels instead")
    else { return .meta([n, m, 1, 1, 1]) }
    if let b = bias {
        guard check(b.shape == [m], op, "Given weight of size \(weight.shape), expected bias to be 1-dimensional with \(m) elements, but got bias of size \(b.shape) instead")
        else { return .meta([n, m, 1, 1, 1]) }
    }
    let spatial = Array(x.shape.suffix(3))
    let out = (0..<3).map { ConvGeometry3.outSize(spatial[$0], k: k[$0], s: stride[$0], p: padding[$0], dil: dilation[$0]) }
    guard check(out.allSatisfy { $0 > 0 }, op,
                "Calculated padded input size per channel: \(pythonTuple((0..<3).map { spatial[$0] + 2 * padding[$0] })). Kernel size: \(pythonTuple((0..<3).map { dilation[$0] * (k[$0] - 1) + 1 })). Kernel size can't be greater than actual input size")
    else { return .meta([n, m, 1, 1, 1]) }
    let outShape = [n, m] + out
    if x.isMeta || weight.isMeta { return .meta(outShape) }
    let geo = ConvGeometry3(c: c / groups, d: spatial[0], h: spatial[1], w: spatial[2], kd: k[0], kh: k[1], kw: k[2],
                            sd: stride[0], sh: stride[1], sw: stride[2], pd: padding[0], ph: padding[1], pw: padding[2],
                            dd: dilation[0], dh: dilation[1], dw: dilation[2], od: out[0], oh: out[1], ow: out[2])
    let xc = x.isContiguous ? x : x.contiguousCopy(), wc = weight.isContiguous ? weight : weight.contiguousCopy()
    let bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let y = Tensor(uninitialized: outShape)
    ConvNdKernels.convForward(UnsafePointer(xc.dataPointer), UnsafePointer(wc.dataPointer), bc.map { UnsafePointer($0.dataPointer) },
                              y.dataPointer, n: n, m: m, groups: groups, geo: geo)
    withExtendedLifetime((xc, wc, bc)) {}
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let xd = xc.detach(), wd = wc.detach(), xShape = x.shape, wShape = weight.shape, hasBias = bias != nil
    return y.recording("ConvolutionBackward0", inputs) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = needX ? Tensor(uninitialized: xShape) : nil
        let dw = needW ? Tensor.zeros(wShape) : nil
        ConvNdKernels.convBackward(UnsafePointer(xd.dataPointer), UnsafePointer(wd.dataPointer), UnsafePointer(gc.dataPointer),
                                   dx: dx?.dataPointer, dw: dw?.dataPointer, n: n, m: m, groups: groups, geo: geo)
        withExtendedLifetime((xd, wd, gc)) {}
        var grads: [Tensor?] = [dx, dw]
        if hasBias { grads.append(needB ? gy.sum(dims: [0, 2, 3, 4]) : nil) }
        return grads
    }
}

/// Transposed 1-D convolution over [N, C, L] (or [C, L]), like
/// `F.conv_transpose1d`; weight [C, M/groups, K].
public func convTranspose1d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, groups: Int = 1, dilation: Int = 1) -> Tensor {
    guard check(input.rank == 2 || input.rank == 3, "conv_transpose1d",
                "Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: \(input.shape)"),
          check(weight.rank == 3, "conv_transpose1d", "Expected 3-dimensional weight, but got weight of size \(weight.shape)")
    else { return .meta(input.shape) }
    let batched = input.rank == 3 ? input : input.unsqueeze(0)
    let x = batched.unsqueeze(2).unsqueeze(2)
    let y = convTransposePrimitive3(x, weight: weight.unsqueeze(2).unsqueeze(2), bias: bias, stride: [1, 1, stride],
                                    padding: [0, 0, padding], outputPadding: [0, 0, outputPadding], dilation: [1, 1, dilation],
                                    groups: groups, op: "conv_transpose1d")
    let out = y.squeeze(2).squeeze(2)
    return input.rank == 3 ? out : out.squeeze(0)
}

/// Transposed 2-D convolution over [N, C, H, W] (or [C, H, W]), like
/// `F.conv_transpose2d`; weight [C, M/groups, KH, KW].
public func convTranspose2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1, padding: Size2 = 0,
                            outputPadding: Size2 = 0, groups: Int = 1, dilation: Size2 = 1) -> Tensor {
    guard check(input.rank == 3 || input.rank == 4, "conv_transpose2d",
                "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: \(input.shape)"),
          check(weight.rank == 4, "conv_transpose2d", "Expected 4-dimensional weight, but got weight of size \(weight.shape)")
    else { return .meta(input.shape) }
    let batched = input.rank == 4 ? input : input.unsqueeze(0)
    let y = convTransposePrimitive3(batched.unsqueeze(2), weight: weight.unsqueeze(2), bias: bias,
                                    stride: [1, stride.h, stride.w], padding: [0, padding.h, padding.w],
                                    outputPadding: [0, outputPadding.h, outputPadding.w], dilation: [1, dilation.h, dilation.w],
                                    groups: groups, op: "conv_transpose2d")
    let out = y.squeeze(2)
    return input.rank == 4 ? out : out.squeeze(0)
}

/// Transposed 3-D convolution over [N, C, D, H, W] (or [C, D, H, W]), like
/// `F.conv_transpose3d`; weight [C, M/groups, KD, KH, KW]. Sizes take one value or three.
public func convTranspose3d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                            outputPadding: [Int] = [0], groups: Int = 1, dilation: [Int] = [1]) -> Tensor {
    guard check(input.rank == 4 || input.rank == 5, "conv_transpose3d",
                "Expected 4D (unbatched) or 5D (batched) input to conv_transpose3d, but got input of size: \(input.shape)"),
          check(weight.rank == 5, "conv_transpose3d", "Expected 5-dimensional weight, but got weight of size \(weight.shape)")
    else { return .meta(input.shape) }
    let batched = input.rank == 5 ? input : input.unsqueeze(0)
    let y = convTransposePrimitive3(batched, weight: weight, bias: bias, stride: expandSize(stride, 3), padding: expandSize(padding, 3),
                                    outputPadding: expandSize(outputPadding, 3), dilation: expandSize(dilation, 3),
                                    groups: groups, op: "conv_transpose3d")
    return input.rank == 5 ? y : y.squeeze(0)
}

/// Transposed convolution over three spatial dims of 5-D `x` (primitive):
/// the adjoint of `convPrimitive3` in its input.
func convTransposePrimitive3(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], outputPadding: [Int],
                             dilation: [Int], groups: Int, op: String) -> Tensor {
    let n = x.shape[0], cin = x.shape[1]
    guard check(groups > 0, op, "non-positive groups is not supported"),
          check(stride.count == 3 && stride.allSatisfy { $0 > 0 }, op, "non-positive stride is not supported"),
          check(dilation.count == 3 && dilation.allSatisfy { $0 > 0 }, op, "dilation should be greater than zero"),
          check(padding.count == 3 && padding.allSatisfy { $0 >= 0 }, op, "negative padding is not supported"),
          check(outputPadding.count == 3 && (0..<3).allSatisfy { outputPadding[$0] >= 0 && (outputPadding[$0] < stride[$0] || outputPadding[$0] < dilation[$0]) },
                op, "output padding must be smaller than either stride or dilation, but got output_padding=\(pythonTuple(outputPadding)), stride=\(pythonTuple(stride)), dilation=\(pythonTuple(dilation))"),
          check(cin == weight.shape[0] && cin % groups == 0, op,
                "Given transposed=1, weight of size \(weight.shape), expected input\(x.shape) to have \(weight.shape[0]) channels, but got \(cin) channels instead")
    else { return .meta([n, 1, 1, 1, 1]) }
    let cgOut = weight.shape[1], cout = cgOut * groups
    if let b = bias {
        guard check(b.shape == [cout], op, "Given transposed=1, weight of size \(weight.shape), expected bias to be 1-dimensional with \(cout) elements, but got bias of size \(b.shape) instead")
        else { return .meta([n, cout, 1, 1, 1]) }
    }
    let k = Array(weight.shape.suffix(3)), inSp = Array(x.shape.suffix(3))
    var out = [Int](repeating: 0, count: 3)
    for i in 0..<3 {
        let span: Int = dilation[i] * (k[i] - 1)
        out[i] = (inSp[i] - 1) * stride[i] - 2 * padding[i] + span + outputPadding[i] + 1
    }
    guard check(out.allSatisfy { $0 > 0 }, op, "output size \(out) is not positive (input \(x.shape), weight \(weight.shape))")
    else { return .meta([n, cout, 1, 1, 1]) }
    let outShape = [n, cout] + out
    if x.isMeta || weight.isMeta { return .meta(outShape) }
    let geo = ConvGeometry3(c: cgOut, d: out[0], h: out[1], w: out[2], kd: k[0], kh: k[1], kw: k[2],
                            sd: stride[0], sh: stride[1], sw: stride[2], pd: padding[0], ph: padding[1], pw: padding[2],
                            dd: dilation[0], dh: dilation[1], dw: dilation[2], od: inSp[0], oh: inSp[1], ow: inSp[2])
    let xc = x.isContiguous ? x : x.contiguousCopy(), wc = weight.isContiguous ? weight : weight.contiguousCopy()
    let bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let y = Tensor(uninitialized: outShape)
    ConvNdKernels.transposedForward(UnsafePointer(xc.dataPointer), UnsafePointer(wc.dataPointer), bc.map { UnsafePointer($0.dataPointer) },
                                    y.dataPointer, n: n, cin: cin, groups: groups, geo: geo)
    withExtendedLifetime((xc, wc, bc)) {}
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let xd = xc.detach(), wd = wc.detach(), xShape = x.shape, wShape = weight.shape, hasBias = bias != nil
    return y.recording("ConvolutionBackward0", inputs) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = needX ? Tensor(uninitialized: xShape) : nil
        let dw = needW ? Tensor.zeros(wShape) : nil
        ConvNdKernels.transposedBackward(UnsafePointer(xd.dataPointer), UnsafePointer(wd.dataPointer), UnsafePointer(gc.dataPointer),
                                         dx: dx?.dataPointer, dw: dw?.dataPointer, n: n, cin: cin, groups: groups, geo: geo)
        withExtendedLifetime((xd, wd, gc)) {}
        var grads: [Tensor?] = [dx, dw]
        if hasBias { grads.append(needB ? gy.sum(dims: [0, 2, 3, 4]) : nil) }
        return grads
    }
}

/// Sliding local blocks of [N, C, H, W] (or [C, H, W]) as columns
/// [N, C·kh·kw, L], like `F.unfold` (im2col). Differentiable (its adjoint is `fold`).
public func unfold(_ input: Tensor, kernelSize: Size2, dilation: Size2 = 1, padding: Size2 = 0, stride: Size2 = 1) -> Tensor {
    guard check(input.rank == 3 || input.rank == 4, "unfold",
                "Input Error: Only 3D or 4D input Tensors are supported (got \(input.rank)D)") else { return .meta(input.shape) }
    if input.rank == 3 {
        return unfold(input.unsqueeze(0), kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride).squeeze(0)
    }
    let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
    let oh = ConvGeometry3.outSize(h, k: kernelSize.h, s: stride.h, p: padding.h, dil: dilation.h)
    let ow = ConvGeometry3.outSize(w, k: kernelSize.w, s: stride.w, p: padding.w, dil: dilation.w)
    guard check(kernelSize.h > 0 && kernelSize.w > 0 && stride.h > 0 && stride.w > 0 && dilation.h > 0 && dilation.w > 0
                    && padding.h >= 0 && padding.w >= 0, "unfold", "kernel_size, stride and dilation must be positive and padding non-negative"),
          check(oh > 0 && ow > 0, "unfold",
                "Given input with spatial size (\(h), \(w)), kernel_size=\(kernelSize.pair), dilation=\(dilation.pair), padding=\(padding.pair), calculated shape of the array of sliding blocks as (\(oh), \(ow)), but its components must be at least one.")
    else { return .meta([n, c * kernelSize.h * kernelSize.w, 1]) }
    let geo = ConvGeometry3(c: c, d: 1, h: h, w: w, kd: 1, kh: kernelSize.h, kw: kernelSize.w, sd: 1, sh: stride.h, sw: stride.w,
                            pd: 0, ph: padding.h, pw: padding.w, dd: 1, dh: dilation.h, dw: dilation.w, od: 1, oh: oh, ow: ow)
    let outShape = [n, geo.colRows, geo.colCols]
    if input.isMeta { return .meta(outShape) }
    let out = Tensor(uninitialized: outShape)
    let xc = input.isContiguous ? input : input.contiguousCopy()
    let xp = UnsafePointer(xc.dataPointer), op = out.dataPointer
    let vol = c * h * w, colN = geo.colRows * geo.colCols
    Parallel.forRange(n, grain: 1) { lo, hi in
        for img in lo..<hi { geo.vol2col(xp + img * vol, op + img * colN) }
    }
    withExtendedLifetime(xc) {}
    let inShape = input.shape
    return out.recording("Im2ColBackward0", [input]) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let dx = Tensor.zeros(inShape)
        let gp = UnsafePointer(gc.dataPointer), dp = dx.dataPointer
        Parallel.forRange(n, grain: 1) { lo, hi in
            for img in lo..<hi { geo.col2vol(gp + img * colN, dp + img * vol) }
        }
        withExtendedLifetime(gc) {}
        return [dx]
    }
}

/// Sums columns [N, C·kh·kw, L] (or [C·kh·kw, L]) back into an image
/// [N, C, outputSize], like `F.fold` (col2im). Differentiable (its adjoint is `unfold`).
public func fold(_ input: Tensor, outputSize: Size2, kernelSize: Size2, dilation: Size2 = 1, padding: Size2 = 0,
                 stride: Size2 = 1) -> Tensor {
    guard check(input.rank == 2 || input.rank == 3, "fold",
                "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got \(input.rank)D)") else { return .meta(input.shape) }
    if input.rank == 2 {
        return fold(input.unsqueeze(0), outputSize: outputSize, kernelSize: kernelSize, dilation: dilation, padding: padding,
                    stride: stride).squeeze(0)
    }
    let n = input.shape[0], rows = input.shape[1], cols = input.shape[2]
    let kk = kernelSize.h * kernelSize.w
    let oh = ConvGeometry3.outSize(outputSize.h, k: kernelSize.h, s: stride.h, p: padding.h, dil: dilation.h)
    let ow = ConvGeometry3.outSize(outputSize.w, k: kernelSize.w, s: stride.w, p: padding.w, dil: dilation.w)
    guard check(kk > 0 && rows % kk == 0, "fold",
                "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=\(rows) and kernel_size=\(kernelSize.pair)"),
          check(oh > 0 && ow > 0 && oh * ow == cols, "fold",
                "Given output_size=\(outputSize.pair), kernel_size=\(kernelSize.pair), dilation=\(dilation.pair), padding=\(padding.pair), stride=\(stride.pair), expected size of input's dimension 2 to match the calculated number of sliding blocks \(oh) * \(ow) = \(oh * ow), but got input.size(2)=\(cols).")
    else { return .meta([n, 1, outputSize.h, outputSize.w]) }
    let c = rows / kk
    let geo = ConvGeometry3(c: c, d: 1, h: outputSize.h, w: outputSize.w, kd: 1, kh: kernelSize.h, kw: kernelSize.w, sd: 1,
                            sh: stride.h, sw: stride.w, pd: 0, ph: padding.h, pw: padding.w, dd: 1, dh: dilation.h, dw: dilation.w,
                            od: 1, oh: oh, ow: ow)
    let outShape = [n, c, outputSize.h, outputSize.w]
    if input.isMeta { return .meta(outShape) }
    let out = Tensor.zeros(outShape)
    let xc = input.isContiguous ? input : input.contiguousCopy()
    let xp = UnsafePointer(xc.dataPointer), op = out.dataPointer
    let vol = c * outputSize.h * outputSize.w, colN = rows * cols
    Parallel.forRange(n, grain: 1) { lo, hi in
        for img in lo..<hi { geo.col2vol(xp + img * colN, op + img * vol) }
    }
    withExtendedLifetime(xc) {}
    let inShape = input.shape
    return out.recording("Col2ImBackward0", [input]) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let dx = Tensor(uninitialized: inShape)
        let gp = UnsafePointer(gc.dataPointer), dp = dx.dataPointer
        Parallel.forRange(n, grain: 1) { lo, hi in
            for img in lo..<hi { geo.vol2col(gp + img * vol, dp + img * colN) }
        }
        withExtendedLifetime(gc) {}
        return [dx]
    }
}
