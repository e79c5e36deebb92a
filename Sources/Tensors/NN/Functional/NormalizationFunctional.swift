import Foundation

/// Batch normalisation over channel dim 1 of [N, C, *], like `F.batch_norm`.
///
/// In training mode (or without running statistics) it normalises with the
/// batch's mean and biased variance and, when running statistics are given,
/// updates them in place: `running = (1 − momentum)·running + momentum·batch`,
/// with the unbiased variance for `runningVar`, as PyTorch does. In eval mode
/// it normalises with the running statistics.
///
/// A primitive: one pass for the statistics, one for the output, and the
/// closed-form backward instead of a dozen broadcast ops.
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil,
                      bias: Tensor? = nil, training: Bool = false, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    let op = "batch_norm"
    guard check(x.rank >= 2, op, "expected at least 2D input (got \(x.rank)D input of shape \(x.shape))") else { return .meta(x.shape) }
    let n = x.shape[0], c = x.shape[1]
    let s = x.shape.dropFirst(2).reduce(1, *)
    for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)] {
        if let t {
            guard check(t.shape == [c], op, "\(name) should contain \(c) elements (one per channel of input \(x.shape)), got shape \(t.shape)")
            else { return .meta(x.shape) }
        }
    }
    let useBatchStats = training || runningMean == nil || runningVar == nil
    if useBatchStats {
        guard check(n * s > 1, op, "Expected more than 1 value per channel when training, got input size \(x.shape)")
        else { return .meta(x.shape) }
    }
    guard checkRealParameters(op, x, weight, bias, runningMean, runningVar)
    else { return .meta(x.shape) }
    if x.isMeta { return .meta(x.shape) }
    // Inference after a convolution: folded into its output pass (`ConvPeephole.batchNorm`).
    if !useBatchStats, let rm = runningMean, let rv = runningVar, x.rank == 4, DeferredFill.isEnabled,
       !(GradMode.isEnabled && (x.requiresGrad || weight?.requiresGrad == true || bias?.requiresGrad == true)),
       x.isDeferred {
        let (scale, shift) = batchNormScaleShift(mean: rm, variance: rv, weight: weight, bias: bias, eps: eps)
        if let fused = ConvPeephole.batchNorm(x, scale: scale, shift: shift) { return fused }
    }
    let m = n * s
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: x.shape)
    let xp = UnsafePointer(xc.dataPointer), op_ = out.dataPointer
    // Per channel: mean and 1/std used for normalising.
    let mean = Tensor(uninitialized: [c]), invstd = Tensor(uninitialized: [c])
    let mp = mean.dataPointer, ip = invstd.dataPointer
    let wc = weight.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let gp = wc?.dataPointer, bp = bc?.dataPointer
    if useBatchStats {
        Parallel.forRange(c, grain: Swift.max(1, 16384 / Swift.max(m, 1))) { lo, hi in
            for ch in lo..<hi {
                var sum: Double = 0
                for img in 0..<n {
                    let p = xp + (img * c + ch) * s
                    var acc: Float = 0
                    for i in 0..<s { acc += p[i] }
                    sum += Double(acc)
                }
                let mu = Float(sum / Double(m))
                var sq: Double = 0
                for img in 0..<n {
                    let p = xp + (img * c + ch) * s
                    var acc: Float = 0
                    for i in 0..<s { let d = p[i] - mu; acc += d * d }
                    sq += Double(acc)
                }
                mp[ch] = mu
                ip[ch] = Float(1 / (sq / Double(m) + Double(eps)).squareRoot())
                // Keep the unbiased variance in invstd's place for the running update below.
                if training, let rm = runningMean, let rv = runningVar, !rm.isMeta, !rv.isMeta {
                    let rmp = rm.storage.pointer + rm.offset, rvp = rv.storage.pointer + rv.offset
                    let rms = rm.strides[0], rvs = rv.strides[0]
                    let unbiased = Float(sq / Double(Swift.max(m - 1, 1)))
                    rmp[ch * rms] = (1 - momentum) * rmp[ch * rms] + momentum * mu
                    rvp[ch * rvs] = (1 - momentum) * rvp[ch * rvs] + momentum * unbiased
                }
            }
        }
        if training, let rm = runningMean, let rv = runningVar {
            rm.storage.version += 1
            rv.storage.version += 1
        }
    } else if let rm = runningMean, let rv = runningVar {
        let rmc = rm.isContiguous ? rm : rm.contiguousCopy(), rvc = rv.isContiguous ? rv : rv.contiguousCopy()
        withExtendedLifetime((rmc, rvc)) {
            for ch in 0..<c {
                mp[ch] = rmc.dataPointer[ch]
                ip[ch] = 1 / (rvc.dataPointer[ch] + eps).squareRoot()
            }
        }
    }
    Parallel.forRange(n * c, grain: Swift.max(1, 16384 / Swift.max(s, 1))) { lo, hi in
        for row in lo..<hi {
            let ch = row % c
            let scale = ip[ch] * (gp?[ch] ?? 1)
            let shift = (bp?[ch] ?? 0) - mp[ch] * scale
            let src = xp + row * s, dst = op_ + row * s
            for i in 0..<s { dst[i] = src[i] * scale + shift }
        }
    }
    withExtendedLifetime((xc, wc, bc)) {}
    var inputs = [x]
    if let w = weight { inputs.append(w) }
    if let b = bias { inputs.append(b) }
    let xd = xc.detach(), wd = wc?.detach()
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let hasW = weight != nil, hasB = bias != nil
    return out.recording("NativeBatchNormBackward0", inputs) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let g = UnsafePointer(gc.dataPointer), xp = UnsafePointer(xd.dataPointer)
        let wp = wd.map { UnsafePointer($0.dataPointer) }
        let mp = mean.dataPointer, ip = invstd.dataPointer
        let dx = needX ? Tensor(uninitialized: xd.shape) : nil
        let dw = needW ? Tensor(uninitialized: [c]) : nil
        let db = needB ? Tensor(uninitialized: [c]) : nil
        let dxp = dx?.dataPointer, dwp = dw?.dataPointer, dbp = db?.dataPointer
        Parallel.forRange(c, grain: Swift.max(1, 16384 / Swift.max(m, 1))) { lo, hi in
            for ch in lo..<hi {
                let mu = mp[ch], istd = ip[ch]
                // Σ dy and Σ dy·x̂ over the channel.
                var sumDy: Float = 0, sumDyXhat: Float = 0
                for img in 0..<n {
                    let gpp = g + (img * c + ch) * s, xpp = xp + (img * c + ch) * s
                    for i in 0..<s {
                        sumDy += gpp[i]
                        sumDyXhat += gpp[i] * (xpp[i] - mu) * istd
                    }
                }
                dwp?[ch] = sumDyXhat
                dbp?[ch] = sumDy
                guard let dxp else { continue }
                let gamma = wp?[ch] ?? 1
                if useBatchStats {
                    // dx = γ·istd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
                    let k = gamma * istd
                    let a = sumDy / Float(m), b = sumDyXhat / Float(m)
                    for img in 0..<n {
                        let off = (img * c + ch) * s
                        for i in 0..<s {
                            let xhat = (xp[off + i] - mu) * istd
                            dxp[off + i] = k * (g[off + i] - a - xhat * b)
                        }
                    }
                } else {
                    let k = gamma * istd
                    for img in 0..<n {
                        let off = (img * c + ch) * s
                        for i in 0..<s { dxp[off + i] = k * g[off + i] }
                    }
                }
            }
        }
        withExtendedLifetime((gc, xd, wd, mean, invstd)) {}
        var grads: [Tensor?] = [dx]
        if hasW { grads.append(dw) }
        if hasB { grads.append(db) }
        return grads
    }
}

/// Eval-mode batch norm as `x · scale + shift` per channel, computed with the same
/// operations as `batchNorm`'s eval path (so the fused result is bit-identical).
func batchNormScaleShift(mean: Tensor, variance: Tensor, weight: Tensor?, bias: Tensor?, eps: Float)
    -> (scale: Tensor, shift: Tensor) {
    let c = mean.count
    let mc = mean.isContiguous ? mean : mean.contiguousCopy(), vc = variance.isContiguous ? variance : variance.contiguousCopy()
    let wc = weight.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let scale = Tensor(uninitialized: [c]), shift = Tensor(uninitialized: [c])
    let sp = scale.dataPointer, hp = shift.dataPointer
    let mp = mc.dataPointer, vp = vc.dataPointer, gp = wc?.dataPointer, bp = bc?.dataPointer
    for ch in 0..<c {
        let invstd = 1 / (vp[ch] + eps).squareRoot()
        sp[ch] = invstd * (gp?[ch] ?? 1)
        hp[ch] = (bp?[ch] ?? 0) - mp[ch] * sp[ch]
    }
    withExtendedLifetime((mc, vc, wc, bc)) {}
    return (scale, shift)
}
