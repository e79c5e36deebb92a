import Foundation

// The rest of torch.nn.functional's activations. Where an activation is a
// short expression in existing differentiable ops it is written that way
// (`silu`, `mish`, `softsign`, `tanhshrink`, `glu`, `prelu`, `softmin`).
// Piecewise ones with an exp/log inside (`elu`, `celu`, `selu`, `softplus`,
// `logSigmoid`, the shrinks, `threshold`, `hardsigmoid`, `hardswish`) are
// one fused pointwise primitive each (`pointwise`): written as a chain of
// `where`/`exp`/`log` they would allocate four to six temporaries per call,
// and `softplus`/`logSigmoid` need the stable formulas below anyway
// (log1p(exp(x)) overflows for large x).

extension Tensor {
    /// A pointwise primitive: `f` forward, its derivative `df` (of the input
    /// value) in the backward rule, recorded as `name`.
    func pointwise(_ name: String, _ f: (Float) -> Float, _ df: @escaping (Float) -> Float) -> Tensor {
        let out = mapElements(f)
        let xd = detach()
        return out.recording(name, [self]) { g in [g.zipElements(xd, op: name) { gv, xv in gv * df(xv) }] }
    }

    /// The result of an `inplace: true` layer: written into `self` (and
    /// `self` returned) when `self` does not require grad (inference on
    /// data, activations under `noGrad`), like PyTorch's `inplace=True`;
    /// otherwise `result` itself. This library does not rewrite the autograd
    /// graph for in-place ops, so inside a graph the result stays a new
    /// tensor, and tensors that require grad (parameters, leaves) are never
    /// overwritten, not even under `noGrad`.
    func inplaceResult(_ result: Tensor, inplace: Bool) -> Tensor {
        guard inplace, result !== self, !isMeta, !requiresGrad, !result.requiresGrad, result.shape == shape else { return result }
        copy(from: result)
        return self
    }
}

/// x for x > 0, else α·(eˣ − 1), like `F.elu`.
public func elu(_ x: Tensor, alpha: Float = 1) -> Tensor {
    x.pointwise("EluBackward0", { $0 > 0 ? $0 : alpha * Foundation.expm1($0) }) { $0 > 0 ? 1 : alpha * Foundation.exp($0) }
}

/// max(0, x) + min(0, α·(e^(x/α) − 1)), like `F.celu`; `alpha` must not be 0.
public func celu(_ x: Tensor, alpha: Float = 1) -> Tensor {
    guard check(alpha != 0, "celu", "ZeroDivisionError: alpha cannot be 0 for CELU") else { return .meta(x.shape) }
    return x.pointwise("CeluBackward0", { $0 > 0 ? $0 : alpha * Foundation.expm1($0 / alpha) }) { $0 > 0 ? 1 : Foundation.exp($0 / alpha) }
}

/// SELU's α and scale (Klambauer et al. 2017), as in PyTorch.
enum SELUConstants {
    static let alpha: Float = 1.6732632423543772848170429916717
    static let scale: Float = 1.0507009873554804934193349852946
}

/// scale·elu(x, α) with SELU's fixed constants, like `F.selu`.
public func selu(_ x: Tensor) -> Tensor {
    let a = SELUConstants.alpha, s = SELUConstants.scale
    return x.pointwise("EluBackward0", { $0 > 0 ? s * $0 : s * a * Foundation.expm1($0) }) { $0 > 0 ? s : s * a * Foundation.exp($0) }
}

/// x where |x| > λ, else 0, like `F.hardshrink`.
public func hardshrink(_ x: Tensor, lambd: Float = 0.5) -> Tensor {
    x.pointwise("HardshrinkBackward0", { ($0 > lambd || $0 < -lambd) ? $0 : 0 }) { ($0 > lambd || $0 < -lambd) ? 1 : 0 }
}

/// x − λ above λ, x + λ below −λ, else 0, like `F.softshrink`; `lambd` ≥ 0.
public func softshrink(_ x: Tensor, lambd: Float = 0.5) -> Tensor {
    guard check(lambd >= 0, "softshrink", "lambda must be greater or equal to 0, but found to be \(pythonFloat(lambd)).")
    else { return .meta(x.shape) }
    return x.pointwise("SoftshrinkBackward0", { $0 > lambd ? $0 - lambd : ($0 < -lambd ? $0 + lambd : 0) }) {
        ($0 > lambd || $0 < -lambd) ? 1 : 0
    }
}

/// relu6(x + 3) / 6, like `F.hardsigmoid`.
public func hardsigmoid(_ x: Tensor) -> Tensor {
    x.pointwise("HardsigmoidBackward0", { Swift.min(Swift.max($0 + 3, 0), 6) / 6 }) { ($0 > -3 && $0 < 3) ? 1 / 6 : 0 }
}

/// x · relu6(x + 3) / 6, like `F.hardswish`.
public func hardswish(_ x: Tensor) -> Tensor {
    x.pointwise("HardswishBackward0", { $0 * Swift.min(Swift.max($0 + 3, 0), 6) / 6 }) {
        $0 < -3 ? 0 : ($0 <= 3 ? (2 * $0 + 3) / 6 : 1)
    }
}

/// x clamped to [minVal, maxVal], like `F.hardtanh` (gradient 0 outside).
public func hardtanh(_ x: Tensor, minVal: Float = -1, maxVal: Float = 1) -> Tensor {
    guard check(maxVal > minVal, "hardtanh", "max_val must be larger than min_val") else { return .meta(x.shape) }
    return x.pointwise("HardtanhBackward0", { Swift.min(Swift.max($0, minVal), maxVal) }) { ($0 > minVal && $0 < maxVal) ? 1 : 0 }
}

/// min(max(x, 0), 6), like `F.relu6`.
public func relu6(_ x: Tensor) -> Tensor { hardtanh(x, minVal: 0, maxVal: 6) }

/// log(1 / (1 + e^−x)), like `F.logsigmoid`, computed as
/// min(x, 0) − log1p(e^−|x|) so it never overflows.
public func logSigmoid(_ x: Tensor) -> Tensor {
    x.pointwise("LogSigmoidBackward0", { Swift.min($0, 0) - Foundation.log1p(Foundation.exp(-Swift.abs($0))) }) {
        1 / (1 + Foundation.exp($0))  // σ(−x)
    }
}

/// log(1 + e^(βx)) / β, linear (x) where βx > threshold, like `F.softplus`.
public func softplus(_ x: Tensor, beta: Float = 1, threshold: Float = 20) -> Tensor {
    x.pointwise("SoftplusBackward0", { v in
        let z = v * beta
        return z > threshold ? v : (Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z)))) / beta
    }) { v in
        let z = v * beta
        return z > threshold ? 1 : 1 / (1 + Foundation.exp(-z))
    }
}

/// x / (1 + |x|), like `F.softsign` (derived).
public func softsign(_ x: Tensor) -> Tensor { x / (x.abs() + 1) }

/// x − tanh(x), like `F.tanhshrink` (derived).
public func tanhshrink(_ x: Tensor) -> Tensor { x - x.tanh() }

/// x where x > threshold, else `value`, like `F.threshold`.
public func threshold(_ x: Tensor, threshold: Float, value: Float) -> Tensor {
    x.pointwise("ThresholdBackward0", { $0 > threshold ? $0 : value }) { $0 > threshold ? 1 : 0 }
}

/// x · σ(x), like `F.silu` (derived).
public func silu(_ x: Tensor) -> Tensor { x * x.sigmoid() }

/// x · tanh(softplus(x)), like `F.mish` (derived).
public func mish(_ x: Tensor) -> Tensor { x * softplus(x).tanh() }

/// softmax(−x) along `dim`, like `F.softmin` (derived).
public func softmin(_ x: Tensor, dim: Int) -> Tensor { (-x).softmax(dim: dim) }

/// a ⊙ σ(b) where a, b are the halves of `x` along `dim`, like `F.glu` (derived).
public func glu(_ x: Tensor, dim: Int = -1) -> Tensor {
    guard check(x.rank > 0, "glu", "glu does not support scalars because halving size must be even") else { return .meta(x.shape) }
    let d = normalizeDim(dim, x.rank, op: "glu")
    let n = x.shape[d]
    guard check(n % 2 == 0, "glu", "Halving dimension must be even, but dimension \(d) is size \(n)") else {
        var s = x.shape; s[d] = n / 2
        return .meta(s)
    }
    let a = x.narrow(d, start: 0, length: n / 2), b = x.narrow(d, start: n / 2, length: n / 2)
    return a * b.sigmoid()
}

/// max(0, x) + w·min(0, x) with w broadcast over the channel dim (dim 1, or
/// dim 0 of a 1-D input) or a single w, like `F.prelu` (derived:
/// relu(x) − w·relu(−x)).
public func prelu(_ x: Tensor, weight: Tensor) -> Tensor {
    let n = weight.count
    var wShape = [Int](repeating: 1, count: Swift.max(x.rank, 1))
    if n != 1 {
        let channelDim = x.rank >= 2 ? 1 : 0
        guard check(x.rank >= 1 && x.shape[channelDim] == n, "prelu",
                    "Mismatch of parameter numbers and input channel size. Found parameter numbers = \(n) and channel size = \(x.rank >= 1 ? x.shape[channelDim] : 1).")
        else { return .meta(x.shape) }
        wShape[channelDim] = n
    }
    let w = x.rank == 0 ? weight.reshape([]) : weight.reshape(wShape)
    return x.relu() - w * (-x).relu()
}

/// Randomized leaky ReLU, like `F.rrelu`: in training each negative element
/// is multiplied by a slope drawn from U(lower, upper) (from `generator`, the
/// global default when nil); otherwise the fixed slope (lower + upper) / 2.
public func rrelu(_ x: Tensor, lower: Float = 1.0 / 8, upper: Float = 1.0 / 3, training: Bool = false,
                  generator: Generator? = nil) -> Tensor {
    guard check(lower <= upper, "rrelu", "Lower bound should be less than or equal to the upper bound") else { return .meta(x.shape) }
    if !training { return leakyRelu(x, negativeSlope: (lower + upper) / 2).named("RreluWithNoiseBackward0") }
    if x.isMeta { return .meta(x.shape) }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let noise = Tensor(uninitialized: x.shape)
    let np = noise.dataPointer, xp = UnsafePointer(xc.dataPointer)
    Generator.with(generator) { g in
        for i in 0..<noise.count { np[i] = xp[i] <= 0 ? lower + (upper - lower) * g.nextFloat() : 1 }
    }
    withExtendedLifetime(xc) {}
    return (x * noise).named("RreluWithNoiseBackward0")
}
