import Foundation

/// Mean squared error, like `F.mse_loss`. Shapes broadcast as in PyTorch.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduction.apply((input - target).pow(2))
}

/// Mean absolute error, like `F.l1_loss` (gradient sign(x − y), 0 at 0).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduction.apply((input - target).abs())
}

/// Binary cross-entropy on logits, like `F.binary_cross_entropy_with_logits`.
///
/// loss = −w·[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably as
/// (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x). `weight` broadcasts to the
/// input; `posWeight` broadcasts along the last (class) dim.
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                                         posWeight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    let op = "binary_cross_entropy_with_logits"
    guard check(target.shape == input.shape, op,
                "Target size (\(target.shape)) must be the same as input size (\(input.shape))") else { return .meta([]) }
    let pw = posWeight.map { $0.expand(input.shape) }
    if pw == nil && posWeight != nil { return .meta([]) }
    var loss = bceLogitsElementwise(input, target, posWeight: pw)
    if let w = weight { loss = loss * w }
    return reduction.apply(loss)
}

/// Elementwise BCE-with-logits primitive (same shapes).
func bceLogitsElementwise(_ x: Tensor, _ y: Tensor, posWeight: Tensor?) -> Tensor {
    if x.isMeta || y.isMeta || posWeight?.isMeta == true { return .meta(x.shape) }
    @inline(__always) func softplusNeg(_ v: Float) -> Float {  // log(1 + e^(−v)), stable
        Swift.max(-v, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
    }
    let pwc = posWeight.map { $0.contiguous().detach() }
    let xc = x.contiguous().detach(), yc = y.contiguous().detach()
    let n = x.count
    let out = Tensor(uninitialized: x.shape)
    let xp = xc.dataPointer, yp = yc.dataPointer, op = out.dataPointer
    let pp = pwc?.dataPointer
    for i in 0..<n {
        let l = 1 + ((pp?[i] ?? 1) - 1) * yp[i]
        op[i] = (1 - yp[i]) * xp[i] + l * softplusNeg(xp[i])
    }
    withExtendedLifetime((xc, yc, pwc)) {}
    let needX = x.requiresGrad, needY = y.requiresGrad
    return out.recording("BinaryCrossEntropyWithLogitsBackward0", [x, y]) { g in
        let gc = g.contiguous()
        let gp = gc.dataPointer, xp = xc.dataPointer, yp = yc.dataPointer
        let pp = pwc?.dataPointer
        var dx: Tensor?, dy: Tensor?
        if needX {
            let t = Tensor(uninitialized: xc.shape)
            let tp = t.dataPointer
            for i in 0..<n {
                // d/dx = (1 − y) − l·σ(−x)
                let l = 1 + ((pp?[i] ?? 1) - 1) * yp[i]
                let sigNeg = 1 / (1 + Foundation.exp(xp[i]))
                tp[i] = gp[i] * ((1 - yp[i]) - l * sigNeg)
            }
            dx = t
        }
        if needY {
            let t = Tensor(uninitialized: yc.shape)
            let tp = t.dataPointer
            for i in 0..<n {
                // d/dy = −x + (pw − 1)·softplus(−x)
                tp[i] = gp[i] * (-xp[i] + ((pp?[i] ?? 1) - 1) * softplusNeg(xp[i]))
            }
            dy = t
        }
        withExtendedLifetime((gc, xc, yc, pwc)) {}
        return [dx, dy]
    }
}
