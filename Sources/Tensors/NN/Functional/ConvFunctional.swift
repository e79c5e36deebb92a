/// 2-D convolution (cross-correlation), like `F.conv2d`.
///
/// `input` is [N, C, H, W] (or unbatched [C, H, W]), `weight` is
/// [M, C/groups, KH, KW], `bias` is [M]. A primitive: im2col + one GEMM per
/// group per image, images split across cores (see `ConvKernels`). The
/// output is computed on first read (`DeferredFill`): a `relu` and a 2×2
/// `maxPool2d` applied to it fuse with it into one kernel (`ConvPeephole`).
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: 1, padding: .same)
/// ```
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1,
                   padding: ConvPadding = 0, dilation: Size2 = 1, groups: Int = 1) -> Tensor {
    conv2dPrimitive(input, weight: weight, bias: bias, stride: stride, padding: padding,
                    dilation: dilation, groups: groups)
}

func conv2dPrimitive(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: Size2, padding: ConvPadding,
                     dilation: Size2, groups: Int) -> Tensor {
    let op = "conv2d"
    guard check(input.rank == 3 || input.rank == 4, op,
                "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: \(input.shape)")
    else { return .meta([1, 1, 1, 1]) }
    if input.rank == 3 {
        let out = conv2dPrimitive(input.reshape([1] + input.shape), weight: weight, bias: bias, stride: stride,
                                  padding: padding, dilation: dilation, groups: groups)
        return out.reshape(Array(out.shape.dropFirst()))
    }
    let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
    guard check(weight.rank == 4, op,
                "Expected 4-dimensional weight for 4-dimensional input \(input.shape), but got \(weight.rank)-dimensional weight of size \(weight.shape) instead"),
          check(groups > 0, op, "non-positive groups is not supported (got groups=\(groups))"),
          check(stride.h > 0 && stride.w > 0, op, "non-positive stride is not supported (got \(stride.pair))"),
          check(dilation.h > 0 && dilation.w > 0, op, "dilation should be greater than zero (got \(dilation.pair))")
    else { return .meta([n, 1, 1, 1]) }
    let m = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3]
    guard check(m % groups == 0, op,
                "Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(weight.shape) instead"),
          check(c == weight.shape[1] * groups, op,
                "Given groups=\(groups), weight of size \(weight.shape), expected input\(input.shape) to have \(weight.shape[1] * groups) channels, but got \(c) channels instead")
    else { return .meta([n, m, 1, 1]) }
    if let b = bias {
        guard check(b.shape == [m], op,
                    "Given weight of size \(weight.shape), expected bias to be 1-dimensional with \(m) elements, but got bias of size \(b.shape) instead")
        else { return .meta([n, m, 1, 1]) }
    }
    // Padding on each side.
    var padT = 0, padB = 0, padL = 0, padR = 0
    switch padding {
    case .size(let p):
        guard check(p.h >= 0 && p.w >= 0, op, "negative padding is not supported (got \(p.pair))") else { return .meta([n, m, 1, 1]) }
        padT = p.h; padB = p.h; padL = p.w; padR = p.w
    case .valid:
        break
    case .same:
        guard check(stride.h == 1 && stride.w == 1, op, "padding='same' is not supported for strided convolutions")
        else { return .meta([n, m, 1, 1]) }
        let th = dilation.h * (kh - 1), tw = dilation.w * (kw - 1)
        padT = th / 2; padB = th - padT; padL = tw / 2; padR = tw - padL
    }
    let ekh = dilation.h * (kh - 1) + 1, ekw = dilation.w * (kw - 1) + 1
    let ph = h + padT + padB, pw = w + padL + padR
    guard check(ph >= ekh && pw >= ekw, op,
                "Calculated padded input size per channel: (\(ph) x \(pw)). Kernel size: (\(ekh) x \(ekw)). Kernel size can't be greater than actual input size")
    else { return .meta([n, m, 1, 1]) }
    let oh = (ph - ekh) / stride.h + 1, ow = (pw - ekw) / stride.w + 1
    let outShape = [n, m, oh, ow]
    guard checkRealParameters(op, input, weight, bias) else { return .meta(outShape) }
    if input.isMeta { return .meta(outShape) }

    let g = ConvGeometry(n: n, c: c, h: h, w: w, m: m, kh: kh, kw: kw, sh: stride.h, sw: stride.w,
                         padT: padT, padL: padL, padB: padB, padR: padR, dh: dilation.h, dw: dilation.w, groups: groups, oh: oh, ow: ow)
    let xc = input.isContiguous ? input : input.contiguousCopy()
    let wc = weight.isContiguous ? weight : weight.contiguousCopy()
    let bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    // The output is computed on first read, so a following relu / 2×2 max-pool
    // can compute theirs from the GEMM output instead (`ConvPeephole`).
    let call = ConvCall(x: xc, weight: wc, bias: bc, geometry: g)
    let out = Tensor(deferred: outShape) { call.forward(.none, into: $0) }
    ConvPeephole.current = ConvPeephole.Note(output: out, call: call, input: input, weight: weight, bias: bias)
    let needX = input.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    if !(GradMode.isEnabled && (needX || needW || needB)) { return out }
    let xd = xc.detach(), wd = wc.detach()
    var inputs = [input, weight]
    if let b = bias { inputs.append(b) }
    let hasBias = bias != nil
    return out.recording("ConvolutionBackward0", inputs) { gy in
        let gyc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = needX ? Tensor(uninitialized: xd.shape) : nil
        let dw = needW ? Tensor(uninitialized: wd.shape) : nil
        let db = needB ? Tensor(uninitialized: [m]) : nil
        ConvKernels.backward(gy: gyc.dataPointer, x: xd.dataPointer, weight: wd.dataPointer, prologue: .none, g,
                             dx: dx?.dataPointer, dw: dw?.dataPointer, db: db?.dataPointer)
        withExtendedLifetime((gyc, xd, wd)) {}
        return hasBias ? [dx, dw, db] : [dx, dw]
    }
}
