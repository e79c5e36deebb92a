import Foundation

/// Cross-entropy between logits and class indices, like `F.cross_entropy`.
///
/// `input` is [N, C] (or [C], or [N, C, d₁, …] with target [N, d₁, …]);
/// `target` holds class indices in 0..<C or `ignoreIndex`. With class
/// weights w, the mean divides by Σ w[target] over non-ignored elements.
/// Label smoothing ε mixes in the uniform distribution:
/// loss = (1 − ε)·nll + ε/C · Σ_c −w_c·log p_c, as PyTorch does.
///
/// A primitive fusing log-softmax and NLL: stable (row max subtracted) and
/// backward in closed form, p·((1−ε)w_y + ε/C·Σw) − (1−ε)w_y·[c = y] − ε/C·w_c.
public func crossEntropy(_ input: Tensor, _ target: IntTensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                         reduction: Reduction = .mean, labelSmoothing: Float = 0) -> Tensor {
    classificationLoss("cross_entropy", input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction,
                       labelSmoothing: labelSmoothing, logits: true)
}

/// Negative log-likelihood of log-probabilities at class indices, like `F.nll_loss`.
public func nllLoss(_ input: Tensor, _ target: IntTensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                    reduction: Reduction = .mean) -> Tensor {
    classificationLoss("nll_loss", input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction,
                       labelSmoothing: 0, logits: false)
}

/// Cross-entropy against class probabilities (`target` shaped like `input`), like
/// `F.cross_entropy` with a float target. The mean divides by the number of samples.
public func crossEntropy(_ input: Tensor, probabilities target: Tensor, weight: Tensor? = nil,
                         reduction: Reduction = .mean, labelSmoothing: Float = 0) -> Tensor {
    let op = "cross_entropy"
    guard check(input.rank >= 1, op, "input must have at least 1 dimension"),
          check(target.shape == input.shape, op, "expected target of shape \(input.shape) (class probabilities), got \(target.shape)"),
          check(labelSmoothing >= 0 && labelSmoothing <= 1, op, "label_smoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
    else { return .meta([]) }
    let classDim = input.rank == 1 ? 0 : 1
    let c = input.shape[classDim]
    if let w = weight {
        guard check(w.shape == [c], op, "weight should have \(c) elements, got shape \(w.shape)") else { return .meta([]) }
    }
    let logp = input.logSoftmax(dim: classDim)
    var t = target
    if labelSmoothing > 0 { t = target * (1 - labelSmoothing) + labelSmoothing / Float(c) }
    var prod = logp * t
    if let w = weight {
        var wshape = [Int](repeating: 1, count: input.rank)
        wshape[classDim] = c
        prod = prod * w.reshape(wshape)
    }
    let perSample = -prod.sum(dim: classDim)
    switch reduction {
    case .none: return perSample
    case .sum: return perSample.sum()
    case .mean: return perSample.mean()
    }
}

func classificationLoss(_ op: String, _ input: Tensor, _ target: IntTensor, weight: Tensor?, ignoreIndex: Int,
                        reduction: Reduction, labelSmoothing eps: Float, logits: Bool) -> Tensor {
    guard check(input.rank >= 1, op, "input must have at least 1 dimension (classes), got a 0-dim tensor") else { return .meta([]) }
    let batched = input.rank >= 2
    let n = batched ? input.shape[0] : 1
    let c = batched ? input.shape[1] : input.shape[0]
    let spatial = batched ? Array(input.shape.dropFirst(2)) : []
    let s = spatial.reduce(1, *)
    let expectedTarget = batched ? [n] + spatial : []
    guard check(target.shape == expectedTarget, op,
                "expected target of shape \(expectedTarget) for input of shape \(input.shape), got \(target.shape)"),
          check(eps >= 0 && eps <= 1, op, "label_smoothing must be between 0.0 and 1.0, got \(eps)")
    else { return .meta([]) }
    if let w = weight {
        guard check(w.shape == [c], op, "weight tensor should be defined either for all \(c) classes or no classes but got weight tensor of shape: \(w.shape)")
        else { return .meta([]) }
    }
    for v in target.values where v != ignoreIndex {
        guard check(v >= 0 && v < c, op, "Target \(v) is out of bounds (\(c) classes).") else { return .meta([]) }
    }
    let outShape = reduction == .none ? expectedTarget : []
    guard checkRealParameters(op, input, weight) else { return .meta(outShape) }
    if input.isMeta { return .meta(outShape) }

    let xc = input.isContiguous ? input : input.contiguousCopy()
    let wc = weight.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let xp = UnsafePointer(xc.dataPointer)
    let wp = wc.map { UnsafePointer($0.dataPointer) }
    let samples = n * s
    let targets = target.values
    // Per sample: row max and log Σ exp(x − max) (logits only) and loss; Σ weights of counted samples.
    let rowMax = Tensor(uninitialized: [Swift.max(samples, 1)]), logSum = Tensor(uninitialized: [Swift.max(samples, 1)])
    let mp = rowMax.dataPointer, lp = logSum.dataPointer
    let losses = Tensor(uninitialized: expectedTarget)
    let lossp = losses.dataPointer
    var wSum: Double = 0
    var wAll: Float = 0
    for k in 0..<c { wAll += wp?[k] ?? 1 }
    for i in 0..<samples {
        let img = i / s, pos = i - img * s
        let base = img * c * s + pos
        let y = targets[i]
        var m: Float = 0, l: Float = 0
        if logits {
            m = -Float.infinity
            for k in 0..<c { m = Swift.max(m, xp[base + k * s]) }
            if m == -.infinity { m = 0 }
            var sum: Float = 0
            for k in 0..<c { sum += Foundation.exp(xp[base + k * s] - m) }
            l = Foundation.log(sum)
        }
        mp[i] = m
        lp[i] = l
        if y == ignoreIndex {
            lossp[i] = 0
            continue
        }
        let wy = wp?[y] ?? 1
        wSum += Double(wy)
        // log p_c = (x_c − max) − log Σ (logits) or x_c (log-probabilities)
        var loss = -(1 - eps) * wy * ((xp[base + y * s] - m) - l)
        if eps > 0 {
            var smooth: Float = 0
            for k in 0..<c { smooth -= (wp?[k] ?? 1) * ((xp[base + k * s] - m) - l) }
            loss += eps / Float(c) * smooth
        }
        lossp[i] = loss
    }
    let out: Tensor
    switch reduction {
    case .none: out = losses
    case .sum:
        var acc: Double = 0
        for i in 0..<samples { acc += Double(lossp[i]) }
        out = Tensor(Float(acc))
    case .mean:
        var acc: Double = 0
        for i in 0..<samples { acc += Double(lossp[i]) }
        out = Tensor(Float(acc / wSum))
    }
    withExtendedLifetime((xc, wc)) {}
    let xd = xc.detach(), wd = wc?.detach()
    let denom = Float(wSum)
    return out.recording("NllLossBackward0", [input]) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let gp = UnsafePointer(gc.dataPointer)
        let dx = Tensor.zeros(xd.shape)
        let dp = dx.dataPointer, xp = UnsafePointer(xd.dataPointer)
        let wp = wd.map { UnsafePointer($0.dataPointer) }
        let mp = rowMax.dataPointer, lp = logSum.dataPointer
        for i in 0..<samples {
            let y = targets[i]
            if y == ignoreIndex { continue }
            let r: Float
            switch reduction {
            case .none: r = gp[i]
            case .sum: r = gp[0]
            case .mean: r = gp[0] / denom
            }
            let img = i / s, pos = i - img * s
            let base = img * c * s + pos
            let wy = wp?[y] ?? 1
            if logits {
                let a = (1 - eps) * wy + eps / Float(c) * wAll
                for k in 0..<c {
                    let p = Foundation.exp((xp[base + k * s] - mp[i]) - lp[i])
                    dp[base + k * s] = r * (p * a - eps / Float(c) * (wp?[k] ?? 1))
                }
                dp[base + y * s] -= r * (1 - eps) * wy
            } else {
                dp[base + y * s] = -r * wy
            }
        }
        withExtendedLifetime((gc, xd, wd, rowMax, logSum)) {}
        return [dx]
    }
}
