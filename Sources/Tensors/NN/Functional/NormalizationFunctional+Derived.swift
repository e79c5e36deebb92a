// Layer, group, instance and local-response normalisation, like
// `F.layer_norm`, `F.group_norm`, `F.instance_norm` and
// `F.local_response_norm`. Layer norm is a primitive (see
// `layerNormPrimitive`); group norm is derived from mean/sub/mul/rsqrt;
// instance norm reuses the `batchNorm` primitive on the input viewed as
// [1, N·C, *], as PyTorch does.

/// Normalises over the trailing `normalizedShape` dims, then scales by
/// `weight` and shifts by `bias` (both of that shape), like `F.layer_norm`.
public func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Float = 1e-5) -> Tensor {
    let k = normalizedShape.count
    guard check(k >= 1 && x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape, "layer_norm",
                "Given normalized_shape=\(normalizedShape), expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size\(x.shape)")
    else { return .meta(x.shape) }
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t {
            guard check(t.shape == normalizedShape, "layer_norm", "Expected \(name) to be of same shape as normalized_shape, but got \(name) of shape \(t.shape) and normalized_shape = \(normalizedShape)")
            else { return .meta(x.shape) }
        }
    }
    if x.isMeta { return .meta(x.shape) }
    return layerNormPrimitive(x, rowLength: normalizedShape.reduce(1, *), weight: weight, bias: bias, eps: eps)
}

/// Layer norm over rows of `rowLength` contiguous elements (primitive).
///
/// Promoted from the derived form (mean, sub, mul, rsqrt: eight temporaries
/// forward and as many backward) for speed, since transformers call it on
/// every block: one pass for the row statistics, one for the output, and
/// the closed-form backward dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = g·w.
func layerNormPrimitive(_ x: Tensor, rowLength n: Int, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
    let rows = n > 0 ? x.count / n : 0
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let wc = weight.map { $0.isContiguous ? $0 : $0.contiguousCopy() }, bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let out = Tensor(uninitialized: x.shape)
    let mean = Tensor(uninitialized: [rows]), rstd = Tensor(uninitialized: [rows])
    let xp = UnsafePointer(xc.dataPointer), op = out.dataPointer, mp = mean.dataPointer, rp = rstd.dataPointer
    let wp = wc.map { UnsafePointer($0.dataPointer) }, bp = bc.map { UnsafePointer($0.dataPointer) }
    Parallel.forRange(rows, grain: Swift.max(1, 16384 / Swift.max(n, 1))) { lo, hi in
        for r in lo..<hi {
            let row = xp + r * n, dst = op + r * n
            var sum: Double = 0
            for i in 0..<n { sum += Double(row[i]) }
            let mu = Float(sum / Double(n))
            var sq: Double = 0
            for i in 0..<n { let d = row[i] - mu; sq += Double(d * d) }
            let rs = Float(1 / (sq / Double(n) + Double(eps)).squareRoot())
            mp[r] = mu
            rp[r] = rs
            for i in 0..<n {
                var v = (row[i] - mu) * rs
                if let wp { v *= wp[i] }
                if let bp { v += bp[i] }
                dst[i] = v
            }
        }
    }
    withExtendedLifetime((xc, wc, bc)) {}
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let xd = xc.detach(), wd = wc?.detach()
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let hasW = weight != nil, hasB = bias != nil, shape = x.shape
    let wShape = weight?.shape ?? [n], bShape = bias?.shape ?? [n]
    return out.recording("NativeLayerNormBackward0", inputs) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let gp = UnsafePointer(gc.dataPointer), xp = UnsafePointer(xd.dataPointer)
        let wp = wd.map { UnsafePointer($0.dataPointer) }, mp = mean.dataPointer, rp = rstd.dataPointer
        var dx: Tensor? = nil
        if needX {
            let t = Tensor(uninitialized: shape)
            let dp = t.dataPointer
            Parallel.forRange(rows, grain: Swift.max(1, 16384 / Swift.max(n, 1))) { lo, hi in
                for r in lo..<hi {
                    let row = xp + r * n, gr = gp + r * n, dr = dp + r * n
                    let mu = mp[r], rs = rp[r]
                    var sg: Float = 0, sgx: Float = 0
                    for i in 0..<n {
                        let gh = gr[i] * (wp?[i] ?? 1)
                        sg += gh
                        sgx += gh * (row[i] - mu) * rs
                    }
                    let a = sg / Float(n), b = sgx / Float(n)
                    for i in 0..<n {
                        let gh = gr[i] * (wp?[i] ?? 1)
                        dr[i] = rs * (gh - a - (row[i] - mu) * rs * b)
                    }
                }
            }
            dx = t
        }
        var dw: Tensor? = nil, db: Tensor? = nil
        if needW || needB {
            let tw = Tensor.zeros([n]), tb = Tensor.zeros([n])
            let dwp = tw.dataPointer, dbp = tb.dataPointer
            Parallel.forRange(n, grain: Swift.max(1, 16384 / Swift.max(rows, 1))) { lo, hi in
                for r in 0..<rows {
                    let row = xp + r * n, gr = gp + r * n
                    let mu = mp[r], rs = rp[r]
                    for i in lo..<hi {
                        dwp[i] += gr[i] * (row[i] - mu) * rs
                        dbp[i] += gr[i]
                    }
                }
            }
            dw = needW ? tw.reshape(wShape) : nil
            db = needB ? tb.reshape(bShape) : nil
        }
        withExtendedLifetime((gc, xd, wd, mean, rstd)) {}
        var grads: [Tensor?] = [dx]
        if hasW { grads.append(dw) }
        if hasB { grads.append(db) }
        return grads
    }
}

/// Normalises each of `numGroups` channel groups of [N, C, *] per sample,
/// then applies the per-channel `weight` and `bias` [C], like `F.group_norm`.
public func groupNorm(_ x: Tensor, numGroups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    guard check(x.rank >= 2, "group_norm", "Expected at least 2 dimensions for input tensor but received \(x.rank)"),
          check(numGroups > 0 && x.shape[1] % numGroups == 0, "group_norm",
                "Expected number of channels in input to be divisible by num_groups, but got input of shape \(x.shape) and num_groups=\(numGroups)")
    else { return .meta(x.shape) }
    let c = x.shape[1]
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t {
            guard check(t.shape == [c], "group_norm", "Expected \(name) to be a vector of size equal to the number of channels in input, but got \(name) of shape \(t.shape) and input of shape \(x.shape)")
            else { return .meta(x.shape) }
        }
    }
    if x.isMeta { return .meta(x.shape) }
    let n = x.shape[0]
    let grouped = x.reshape([n, numGroups, -1])
    let centered = grouped - grouped.mean(dim: 2, keepdim: true)
    var y = (centered * ((centered * centered).mean(dim: 2, keepdim: true) + eps).rsqrt()).reshape(x.shape)
    let affineShape = [1, c] + [Int](repeating: 1, count: x.rank - 2)
    if let weight { y = y * weight.reshape(affineShape) }
    if let bias { y = y + bias.reshape(affineShape) }
    return y
}

/// Normalises each channel of each sample of [N, C, *] over its spatial
/// dims, like `F.instance_norm`. With `useInputStats` (training, or no
/// running statistics) it uses the instance's statistics and, when running
/// statistics are given, updates them with their mean over the batch; else
/// it uses the running statistics.
public func instanceNorm(_ x: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil, weight: Tensor? = nil,
                         bias: Tensor? = nil, useInputStats: Bool = true, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    guard check(x.rank >= 2, "instance_norm", "expected at least 2D input (got \(x.rank)D input)") else { return .meta(x.shape) }
    let n = x.shape[0], c = x.shape[1]
    let spatial = x.shape.dropFirst(2).reduce(1, *)
    if useInputStats {
        guard check(spatial > 1, "instance_norm", "Expected more than 1 spatial element when training, got input size \(x.shape)")
        else { return .meta(x.shape) }
    }
    for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)] {
        if let t {
            guard check(t.shape == [c], "instance_norm", "\(name) should contain \(c) elements, got shape \(t.shape)")
            else { return .meta(x.shape) }
        }
    }
    if x.isMeta { return .meta(x.shape) }
    let folded = x.reshape([1, n * c] + Array(x.shape.dropFirst(2)))
    let rm = runningMean.map { $0.detach().repeat([n]) }, rv = runningVar.map { $0.detach().repeat([n]) }
    let y = batchNorm(folded, runningMean: rm, runningVar: rv, weight: weight?.repeat([n]), bias: bias?.repeat([n]),
                      training: useInputStats, momentum: momentum, eps: eps)
    if useInputStats {
        noGrad {
            if let runningMean, let rm { runningMean.copy(from: rm.reshape([n, c]).mean(dim: 0)) }
            if let runningVar, let rv { runningVar.copy(from: rv.reshape([n, c]).mean(dim: 0)) }
        }
    }
    return y.reshape(x.shape)
}

/// Divides each element by (k + α/size · Σ x²)^β over `size` neighbouring
/// channels (dim 1, zero-padded), like `F.local_response_norm` (derived).
public func localResponseNorm(_ x: Tensor, size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) -> Tensor {
    guard check(x.rank >= 3, "local_response_norm", "Expected 3D or higher dimensionality input (got \(x.rank) dimensions)"),
          check(size > 0, "local_response_norm", "size must be positive, got \(size)")
    else { return .meta(x.shape) }
    if x.isMeta { return .meta(x.shape) }
    let c = x.shape[1]
    var padding = [Int](repeating: 0, count: 2 * (x.rank - 1))
    padding[2 * (x.rank - 2)] = size / 2
    padding[2 * (x.rank - 2) + 1] = (size - 1) / 2
    let squares = (x * x).pad(padding)
    var window = squares.narrow(1, start: 0, length: c)
    for j in 1..<Swift.max(size, 1) { window = window + squares.narrow(1, start: j, length: c) }
    let div = (window * (alpha / Float(size)) + k).pow(beta)
    return x / div
}
