import Foundation

// Pixel shuffle and interpolation, like `F.pixel_shuffle`,
// `F.pixel_unshuffle` and `F.interpolate`. The shuffles are views and
// permutes (derived). Interpolation is separable: one primitive resampling
// pass per spatial dim (`resample`, a sparse linear map along the dim with
// one to four taps per output element), so nearest, (bi/tri)linear and
// bicubic share one kernel and one backward rule.

/// [*, C·r², H, W] → [*, C, H·r, W·r], like `F.pixel_shuffle` (derived).
public func pixelShuffle(_ x: Tensor, upscaleFactor r: Int) -> Tensor {
    guard check(x.rank >= 3, "pixel_shuffle", "pixel_shuffle expects input to have at least 3 dimensions, but got input with \(x.rank) dimension(s)"),
          check(r > 0, "pixel_shuffle", "pixel_shuffle expects a positive upscale_factor, but got \(r)"),
          check(x.shape[x.rank - 3] % (r * r) == 0, "pixel_shuffle",
                "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=\(x.shape[x.rank - 3]) is not divisible by \(r * r)")
    else { return .meta(x.shape) }
    let lead = Array(x.shape.dropLast(3)), c = x.shape[x.rank - 3] / (r * r), h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let outShape = lead + [c, h * r, w * r]
    if x.isMeta { return .meta(outShape) }
    let l = lead.count
    let v = x.reshape(lead + [c, r, r, h, w])
    return v.permute(Array(0..<l) + [l, l + 3, l + 1, l + 4, l + 2]).reshape(outShape)
}

/// [*, C, H·r, W·r] → [*, C·r², H, W], like `F.pixel_unshuffle` (derived).
public func pixelUnshuffle(_ x: Tensor, downscaleFactor r: Int) -> Tensor {
    guard check(x.rank >= 3, "pixel_unshuffle", "pixel_unshuffle expects input to have at least 3 dimensions, but got input with \(x.rank) dimension(s)"),
          check(r > 0, "pixel_unshuffle", "pixel_unshuffle expects a positive downscale_factor, but got \(r)"),
          check(x.shape[x.rank - 2] % r == 0 && x.shape[x.rank - 1] % r == 0, "pixel_unshuffle",
                "pixel_unshuffle expects height and width to be divisible by downscale_factor, but got input of size \(x.shape) and downscale_factor=\(r)")
    else { return .meta(x.shape) }
    let lead = Array(x.shape.dropLast(3)), c = x.shape[x.rank - 3], h = x.shape[x.rank - 2] / r, w = x.shape[x.rank - 1] / r
    let outShape = lead + [c * r * r, h, w]
    if x.isMeta { return .meta(outShape) }
    let l = lead.count
    let v = x.reshape(lead + [c, h, r, w, r])
    return v.permute(Array(0..<l) + [l, l + 2, l + 4, l + 1, l + 3]).reshape(outShape)
}

/// Interpolation algorithm of `interpolate` / `Upsample`, like `mode=`.
public enum InterpolationMode: String, Sendable, CaseIterable {
    case nearest, linear, bilinear, bicubic, trilinear

    /// Spatial dims the mode works on (nil: any of 1–3).
    var spatialDims: Int? {
        switch self {
        case .nearest: return nil
        case .linear: return 1
        case .bilinear, .bicubic: return 2
        case .trilinear: return 3
        }
    }
}

/// One resampling pass: for each output position, `taps` (index, weight) pairs into the input dim.
struct ResampleTaps {
    let inSize: Int
    let outSize: Int
    let taps: Int
    let index: [Int]
    let weight: [Float]

    /// PyTorch's source coordinate (`area_pixel_compute_source_index`).
    static func source(_ o: Int, scale: Double, alignCorners: Bool, cubic: Bool) -> Double {
        if alignCorners { return scale * Double(o) }
        let s = scale * (Double(o) + 0.5) - 0.5
        return (!cubic && s < 0) ? 0 : s
    }

    /// The taps for `mode` from `inSize` to `outSize`; `scaleFactor` (when
    /// the caller gave one) sets the coordinate scale to 1/scaleFactor, as PyTorch does.
    init(mode: InterpolationMode, inSize: Int, outSize: Int, scaleFactor: Double?, alignCorners: Bool) {
        self.inSize = inSize
        self.outSize = outSize
        var idx: [Int] = [], wts: [Float] = []
        let scale: Double
        if alignCorners && mode != .nearest {
            scale = outSize > 1 ? Double(inSize - 1) / Double(outSize - 1) : 0
        } else {
            scale = scaleFactor.map { 1 / $0 } ?? Double(inSize) / Double(outSize)
        }
        switch mode {
        case .nearest:
            taps = 1
            for o in 0..<outSize {
                idx.append(Swift.min(Int((Double(o) * scale).rounded(.down)), inSize - 1))
                wts.append(1)
            }
        case .linear, .bilinear, .trilinear:
            taps = 2
            for o in 0..<outSize {
                let s = ResampleTaps.source(o, scale: scale, alignCorners: alignCorners, cubic: false)
                let i0 = Swift.min(Int(s), inSize - 1)
                let i1 = i0 + (i0 < inSize - 1 ? 1 : 0)
                let lambda = Float(Swift.min(Swift.max(s - Double(i0), 0), 1))
                idx += [i0, i1]
                wts += [1 - lambda, lambda]
            }
        case .bicubic:
            taps = 4
            let a: Float = -0.75
            func cc1(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
            func cc2(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            for o in 0..<outSize {
                let s = ResampleTaps.source(o, scale: scale, alignCorners: alignCorners, cubic: true)
                let fl = Int(s.rounded(.down))
                let t = Float(s - Double(fl))
                let w = [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)]
                for k in 0..<4 {
                    idx.append(Swift.min(Swift.max(fl - 1 + k, 0), inSize - 1))
                    wts.append(w[k])
                }
            }
        }
        index = idx
        weight = wts
    }
}

extension Tensor {
    /// One separable resampling pass along `dim` (primitive): out[…, j, …] =
    /// Σₜ weight[j, t] · self[…, index[j, t], …]; the gradient scatters back.
    func resample(dim d: Int, _ taps: ResampleTaps) -> Tensor {
        var outShape = shape
        outShape[d] = taps.outSize
        if isMeta { return .meta(outShape) }
        let src = isContiguous ? self : contiguousCopy()
        let (outer, len, inner) = src.dimLayout(d)
        let out = Tensor(uninitialized: outShape)
        let xp = UnsafePointer(src.dataPointer), op = out.dataPointer
        let T = taps.taps, on = taps.outSize
        taps.index.withUnsafeBufferPointer { ix in
            taps.weight.withUnsafeBufferPointer { wt in
                Parallel.forRange(outer * on, grain: Swift.max(1, Parallel.grain / Swift.max(inner * T, 1))) { lo, hi in
                    for r in lo..<hi {
                        let o = r / on, j = r - o * on
                        let dst = op + r * inner
                        for i in 0..<inner { dst[i] = 0 }
                        for t in 0..<T {
                            let w = wt[j * T + t]
                            let s = xp + (o * len + ix[j * T + t]) * inner
                            for i in 0..<inner { dst[i] += w * s[i] }
                        }
                    }
                }
            }
        }
        withExtendedLifetime(src) {}
        let inShape = shape
        return out.recording("UpsampleBackward0", [self]) { g in
            let gc = g.isContiguous ? g : g.contiguousCopy()
            let dx = Tensor.zeros(inShape)
            let gp = UnsafePointer(gc.dataPointer), dp = dx.dataPointer
            taps.index.withUnsafeBufferPointer { ix in
                taps.weight.withUnsafeBufferPointer { wt in
                    Parallel.forRange(outer, grain: Swift.max(1, Parallel.grain / Swift.max(on * inner * T, 1))) { lo, hi in
                        for o in lo..<hi {
                            for j in 0..<on {
                                let gsrc = gp + (o * on + j) * inner
                                for t in 0..<T {
                                    let w = wt[j * T + t]
                                    let dst = dp + (o * len + ix[j * T + t]) * inner
                                    for i in 0..<inner { dst[i] += w * gsrc[i] }
                                }
                            }
                        }
                    }
                }
            }
            withExtendedLifetime(gc) {}
            return [dx]
        }
    }
}

/// Resizes the spatial dims of [N, C, *] (1–3 spatial dims) to `size` or by
/// `scaleFactor` (one value or one per dim), like `F.interpolate`.
///
/// `alignCorners` (nil: false) is allowed with the interpolating modes only;
/// `linear` needs 3-D input, `bilinear`/`bicubic` 4-D, `trilinear` 5-D.
/// With `scaleFactor` the output size is ⌊in·scale⌋ and the coordinate scale
/// is 1/scale, as PyTorch does without `recompute_scale_factor`.
///
/// ```swift
/// let up = interpolate(x, scaleFactor: [2], mode: .bilinear, alignCorners: false)
/// ```
public func interpolate(_ x: Tensor, size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest,
                        alignCorners: Bool? = nil) -> Tensor {
    let op = "interpolate"
    let k = x.rank - 2
    guard check(k >= 1 && k <= 3, op, "Input Error: Only 3D, 4D and 5D input Tensors supported (got \(x.rank)D) for the modes: nearest | linear | bilinear | bicubic | trilinear (got \(mode.rawValue))"),
          check(mode.spatialDims == nil || mode.spatialDims == k, op, "Got \(x.rank)D input, but \(mode.rawValue) mode needs \((mode.spatialDims ?? 0) + 2)D input"),
          check(alignCorners == nil || mode != .nearest, op,
                "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"),
          check((size == nil) != (scaleFactor == nil), op, "only one of size or scale_factor should be defined")
    else { return .meta(x.shape) }
    let spatial = Array(x.shape.suffix(k))
    var out = [Int](repeating: 0, count: k)
    var factors: [Double]? = nil
    if let size {
        guard check(size.count == 1 || size.count == k, op,
                    "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of \(spatial) and output size of \(size). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
        else { return .meta(x.shape) }
        out = expandSize(size, k)
    } else if let sf = scaleFactor {
        guard check(sf.count == 1 || sf.count == k, op,
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of \(spatial) and scale_factor of shape \(sf).")
        else { return .meta(x.shape) }
        let f = sf.count == 1 ? [Double](repeating: sf[0], count: k) : sf
        factors = f
        for i in 0..<k { out[i] = Int((Double(spatial[i]) * f[i]).rounded(.down)) }
    }
    guard check(out.allSatisfy { $0 > 0 }, op, "Input and output sizes should be greater than 0, but got input (\(spatial.map(String.init).joined(separator: ", "))) and output (\(out.map(String.init).joined(separator: ", ")))")
    else { return .meta(x.shape) }
    if x.isMeta { return .meta(Array(x.shape.prefix(2)) + out) }
    var y = x
    for i in 0..<k {
        let taps = ResampleTaps(mode: mode, inSize: spatial[i], outSize: out[i], scaleFactor: factors?[i], alignCorners: alignCorners ?? false)
        y = y.resample(dim: 2 + i, taps)
    }
    return y
}
