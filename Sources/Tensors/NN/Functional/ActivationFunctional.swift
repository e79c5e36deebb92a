import Foundation

// Functional activations, like `torch.nn.functional`. `softmax` and
// `logSoftmax` are primitives (one kernel and one backward rule each) for
// numerical stability: they subtract the row maximum before exponentiating.

/// max(x, 0), like `F.relu`. Applied to a `conv2d` output it fuses with the
/// convolution (one gradient node, see `ConvPeephole`); `x.relu()` never fuses.
public func relu(_ x: Tensor) -> Tensor { ConvPeephole.relu(x) ?? x.relu() }

/// x for x > 0, else negativeSlope·x, like `F.leaky_relu`.
public func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
    let out = x.mapElements { $0 > 0 ? $0 : $0 * negativeSlope }
    let xd = x.detach()
    return out.recording("LeakyReluBackward0", [x]) { g in
        [g.zipElements(xd, op: "leaky_relu") { gv, xv in xv > 0 ? gv : gv * negativeSlope }]
    }
}

/// 1 / (1 + e^(−x)), like `F.sigmoid`.
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }

/// Hyperbolic tangent, like `F.tanh`.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }

/// Which GELU formula to use, like `approximate='none' | 'tanh'`.
public enum GELUApproximation: String, Sendable { case none, tanh }

/// Gaussian error linear unit x·Φ(x), like `F.gelu`.
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor {
    let xd = x.detach()
    switch approximate {
    case .none:
        let out = x.mapElements { v in 0.5 * v * (1 + erff(v * Float(0.5).squareRoot())) }
        return out.recording("GeluBackward0", [x]) { g in
            [g.zipElements(xd, op: "gelu") { gv, v in
                let cdf = 0.5 * (1 + erff(v * Float(0.5).squareRoot()))
                let pdf = Foundation.exp(-0.5 * v * v) / Float(2 * Double.pi).squareRoot()
                return gv * (cdf + v * pdf)
            }]
        }
    case .tanh:
        let k = Float(2 / Double.pi).squareRoot(), c: Float = 0.044715
        let out = x.mapElements { v in 0.5 * v * (1 + Foundation.tanh(k * (v + c * v * v * v))) }
        return out.recording("GeluBackward0", [x]) { g in
            [g.zipElements(xd, op: "gelu") { gv, v in
                let t = Foundation.tanh(k * (v + c * v * v * v))
                let dt = (1 - t * t) * k * (1 + 3 * c * v * v)
                return gv * (0.5 * (1 + t) + 0.5 * v * dt)
            }]
        }
    }
}

/// Softmax along `dim`, like `F.softmax(x, dim)`.
public func softmax(_ x: Tensor, dim: Int) -> Tensor { x.softmax(dim: dim) }

/// Log-softmax along `dim`, like `F.log_softmax(x, dim)`.
public func logSoftmax(_ x: Tensor, dim: Int) -> Tensor { x.logSoftmax(dim: dim) }

extension Tensor {
    /// The layout of `dim` in a contiguous tensor: outer × len × inner.
    func dimLayout(_ d: Int) -> (outer: Int, len: Int, inner: Int) {
        let outer = shape[..<d].reduce(1, *)
        let inner = shape[(d + 1)...].reduce(1, *)
        return (outer, shape[d], inner)
    }

    /// Softmax along `dim` (primitive).
    public func softmax(dim: Int) -> Tensor {
        let d = rank == 0 ? 0 : normalizeDim(dim, rank, op: "softmax")
        if isMeta { return .meta(shape) }
        let out = softmaxKernel(d, log: false)
        let y = out.detach()
        return out.recording("SoftmaxBackward0", [self]) { g in
            // dx = y · (g − Σ g·y)
            [Tensor.softmaxBackward(g, y, d, log: false)]
        }
    }

    /// Log-softmax along `dim` (primitive).
    public func logSoftmax(dim: Int) -> Tensor {
        let d = rank == 0 ? 0 : normalizeDim(dim, rank, op: "log_softmax")
        if isMeta { return .meta(shape) }
        let out = softmaxKernel(d, log: true)
        let y = out.detach()
        return out.recording("LogSoftmaxBackward0", [self]) { g in
            // dx = g − exp(y) · Σ g
            [Tensor.softmaxBackward(g, y, d, log: true)]
        }
    }

    func softmaxKernel(_ d: Int, log: Bool) -> Tensor {
        let src = isContiguous ? self : contiguousCopy()
        let out = Tensor(uninitialized: shape)
        if count == 0 { return out }
        let (outer, len, inner) = rank == 0 ? (1, 1, 1) : src.dimLayout(d)
        let x = UnsafePointer(src.dataPointer), o = out.dataPointer
        Parallel.forRange(outer * inner, grain: Swift.max(1, Parallel.grain / Swift.max(len, 1))) { s, e in
            for r in s..<e {
                let oi = r / inner, ii = r - oi * inner
                let base = oi * len * inner + ii
                var m = -Float.infinity
                for k in 0..<len { m = Swift.max(m, x[base + k * inner]) }
                if m == -.infinity { m = 0 }
                var sum: Float = 0
                for k in 0..<len {
                    let ev = Foundation.exp(x[base + k * inner] - m)
                    o[base + k * inner] = ev
                    sum += ev
                }
                if log {
                    // (x − m) − log Σ: subtracting the large max first keeps precision.
                    let ls = Foundation.log(sum)
                    for k in 0..<len { o[base + k * inner] = (x[base + k * inner] - m) - ls }
                } else {
                    let inv = 1 / sum
                    for k in 0..<len { o[base + k * inner] *= inv }
                }
            }
        }
        withExtendedLifetime(src) {}
        return out
    }

    static func softmaxBackward(_ g: Tensor, _ y: Tensor, _ d: Int, log: Bool) -> Tensor {
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let dx = Tensor(uninitialized: y.shape)
        if y.count == 0 { return dx }
        let (outer, len, inner) = y.rank == 0 ? (1, 1, 1) : y.dimLayout(d)
        let gp = UnsafePointer(gc.dataPointer), yp = UnsafePointer(y.dataPointer), o = dx.dataPointer
        Parallel.forRange(outer * inner, grain: Swift.max(1, Parallel.grain / Swift.max(len, 1))) { s, e in
            for r in s..<e {
                let oi = r / inner, ii = r - oi * inner
                let base = oi * len * inner + ii
                var acc: Float = 0
                if log {
                    for k in 0..<len { acc += gp[base + k * inner] }
                    for k in 0..<len {
                        let i = base + k * inner
                        o[i] = gp[i] - Foundation.exp(yp[i]) * acc
                    }
                } else {
                    for k in 0..<len { acc += gp[base + k * inner] * yp[base + k * inner] }
                    for k in 0..<len {
                        let i = base + k * inner
                        o[i] = yp[i] * (gp[i] - acc)
                    }
                }
            }
        }
        withExtendedLifetime((gc, y)) {}
        return dx
    }
}
