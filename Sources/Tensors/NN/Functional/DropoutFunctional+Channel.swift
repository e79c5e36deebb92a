// Channel-wise and alpha dropout, like `F.dropout1d/2d/3d` and
// `F.alpha_dropout`. All are derived: a mask drawn without grad (from
// `generator`, the global default when nil) times the input.

/// Zeroes whole channels: a mask over the leading `maskDims` dims (kept ones
/// scaled by 1/(1−p)), broadcast over the rest.
func channelDropout(_ x: Tensor, p: Float, training: Bool, maskDims: Int, generator: Generator?) -> Tensor {
    if !training || p == 0 { return x }
    if x.isMeta { return .meta(x.shape) }
    let keep = 1 - p
    let scale: Float = keep > 0 ? 1 / keep : 0
    var maskShape = x.shape
    for d in maskDims..<x.rank { maskShape[d] = 1 }
    let mask = Tensor(uninitialized: maskShape)
    let mp = mask.dataPointer
    Generator.with(generator) { g in
        for i in 0..<mask.count { mp[i] = g.nextFloat() < keep ? scale : 0 }
    }
    return x * mask
}

func checkDropoutP(_ p: Float, _ op: String) -> Bool {
    check(p >= 0 && p <= 1, op, "dropout probability has to be between 0 and 1, but got \(p)")
}

/// Zeroes whole channels of [N, C, L] or [C, L] input with probability `p`,
/// like `F.dropout1d`.
public func dropout1d(_ x: Tensor, p: Float = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
    guard checkDropoutP(p, "dropout1d"),
          check(x.rank == 2 || x.rank == 3, "dropout1d",
                "dropout1d: Expected 2D or 3D input, but received a \(x.rank)D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    else { return .meta(x.shape) }
    return channelDropout(x, p: p, training: training, maskDims: x.rank == 3 ? 2 : 1, generator: generator)
}

/// Zeroes whole channels of [N, C, H, W] input (a 3-D input is taken as
/// [N, C, L], as PyTorch does) with probability `p`, like `F.dropout2d`.
public func dropout2d(_ x: Tensor, p: Float = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
    guard checkDropoutP(p, "dropout2d"),
          check(x.rank == 3 || x.rank == 4, "dropout2d",
                "dropout2d: Expected 3D or 4D input, but received a \(x.rank)D input")
    else { return .meta(x.shape) }
    return channelDropout(x, p: p, training: training, maskDims: 2, generator: generator)
}

/// Zeroes whole channels of [N, C, D, H, W] or [C, D, H, W] input with
/// probability `p`, like `F.dropout3d`.
public func dropout3d(_ x: Tensor, p: Float = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
    guard checkDropoutP(p, "dropout3d"),
          check(x.rank == 4 || x.rank == 5, "dropout3d",
                "dropout3d: Expected 4D or 5D input, but received a \(x.rank)D input")
    else { return .meta(x.shape) }
    return channelDropout(x, p: p, training: training, maskDims: x.rank == 5 ? 2 : 1, generator: generator)
}

/// Dropout that keeps SELU's self-normalising mean 0 and variance 1, like
/// `F.alpha_dropout`: dropped elements are set to −scale·α (SELU's negative
/// saturation) and the result is affinely rescaled by a·x + b.
public func alphaDropout(_ x: Tensor, p: Float = 0.5, training: Bool = false, generator: Generator? = nil) -> Tensor {
    guard checkDropoutP(p, "alpha_dropout") else { return .meta(x.shape) }
    if !training || p == 0 { return x }
    if x.isMeta { return .meta(x.shape) }
    if p == 1 { return x * 0 }
    let alpha: Float = 1.7580993408473766  // scale · α of SELU
    let a = 1 / ((alpha * alpha * p + 1) * (1 - p)).squareRoot()
    let keep = 1 - p
    let mul = Tensor(uninitialized: x.shape), add = Tensor(uninitialized: x.shape)
    let mp = mul.dataPointer, ap = add.dataPointer
    Generator.with(generator) { g in
        for i in 0..<mul.count {
            let kept: Float = g.nextFloat() < keep ? 1 : 0
            mp[i] = kept * a
            ap[i] = (kept - 1) * alpha * a + alpha * a * p
        }
    }
    return x * mul + add
}
