import Foundation

/// Layer normalisation over the last `normalizedShape.count` dimensions, like
/// `F.layer_norm`: `y = (x − E[x]) / √(Var[x] + eps) · weight + bias` with the
/// biased variance.
///
/// A primitive for numerical stability and speed: one pass computes the
/// statistics per row in Double, and backward is the closed form
/// `dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) / σ` with `ĝ = g · weight` instead of
/// the graph of a mean, a variance, a sqrt and a division.
public func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Double = 1e-5) -> Tensor {
    let k = normalizedShape.count
    guard check(k >= 1 && x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape, "layer_norm",
                "Given normalized_shape=\(normalizedShape), expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size\(x.shape)")
    else { return .meta(x.shape) }
    if let w = weight, !check(w.shape == normalizedShape, "layer_norm", "weight must have shape \(normalizedShape), got \(w.shape)") { return .meta(x.shape) }
    if let b = bias, !check(b.shape == normalizedShape, "layer_norm", "bias must have shape \(normalizedShape), got \(b.shape)") { return .meta(x.shape) }
    guard checkRealParameters("layer_norm", x, weight, bias) else { return .meta(x.shape) }
    if x.isMeta { return .meta(x.shape) }
    let n = normalizedShape.reduce(1, *)
    let rows = n == 0 ? 0 : x.count / n
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let wc = weight.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let bc = bias.map { $0.isContiguous ? $0 : $0.contiguousCopy() }
    let out = Tensor(uninitialized: x.shape)
    let xhat = Tensor(uninitialized: x.shape)
    let rstd = Tensor(uninitialized: [rows])
    let xp = UnsafePointer(xc.dataPointer), op = out.dataPointer, hp = xhat.dataPointer, rp = rstd.dataPointer
    let wp = wc.map { UnsafePointer($0.dataPointer) }, bp = bc.map { UnsafePointer($0.dataPointer) }
    Parallel.forRange(rows, grain: Swift.max(1, Parallel.grain / Swift.max(n, 1))) { s, e in
        for r in s..<e {
            let row = xp + r * n
            var sum = 0.0
            for j in 0..<n { sum += Double(row[j]) }
            let mean = sum / Double(n)
            var sq = 0.0
            for j in 0..<n { let d = Double(row[j]) - mean; sq += d * d }
            let inv = 1 / (sq / Double(n) + eps).squareRoot()
            rp[r] = Float(inv)
            let m = Float(mean), iv = Float(inv)
            for j in 0..<n {
                let h = (row[j] - m) * iv
                hp[r * n + j] = h
                var y = h
                if let wp { y *= wp[j] }
                if let bp { y += bp[j] }
                op[r * n + j] = y
            }
        }
    }
    withExtendedLifetime((xc, wc, bc)) {}
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let hasW = weight != nil, hasB = bias != nil
    let needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let wSaved = wc?.detach()
    return out.recording("NativeLayerNormBackward0", inputs) { g in
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let gp = UnsafePointer(gc.dataPointer), hq = UnsafePointer(xhat.dataPointer), rq = UnsafePointer(rstd.dataPointer)
        let wq = wSaved.map { UnsafePointer($0.dataPointer) }
        let dx = Tensor(uninitialized: xhat.shape)
        let dp = dx.dataPointer
        Parallel.forRange(rows, grain: Swift.max(1, Parallel.grain / Swift.max(n, 1))) { s, e in
            for r in s..<e {
                var mg: Float = 0, mgh: Float = 0
                for j in 0..<n {
                    let gh = gp[r * n + j] * (wq?[j] ?? 1)
                    mg += gh
                    mgh += gh * hq[r * n + j]
                }
                mg /= Float(n); mgh /= Float(n)
                let iv = rq[r]
                for j in 0..<n {
                    let gh = gp[r * n + j] * (wq?[j] ?? 1)
                    dp[r * n + j] = (gh - mg - hq[r * n + j] * mgh) * iv
                }
            }
        }
        var grads: [Tensor?] = [dx]
        if hasW {
            var dw: Tensor?
            if needW {
                let t = Tensor.zeros(normalizedShape)
                let tp = t.dataPointer
                for r in 0..<rows { for j in 0..<n { tp[j] += gp[r * n + j] * hq[r * n + j] } }
                dw = t
            }
            grads.append(dw)
        }
        if hasB {
            var db: Tensor?
            if needB {
                let t = Tensor.zeros(normalizedShape)
                let tp = t.dataPointer
                for r in 0..<rows { for j in 0..<n { tp[j] += gp[r * n + j] } }
                db = t
            }
            grads.append(db)
        }
        withExtendedLifetime(gc) {}
        return grads
    }
}
