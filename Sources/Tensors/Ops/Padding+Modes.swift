/// How `Tensor.pad(_:mode:value:)` fills the border, like `F.pad`'s `mode`.
public enum PadMode: String, Sendable, CaseIterable {
    /// A constant `value`.
    case constant
    /// The mirror image without the edge (`[a b c] → b [a b c] b`).
    case reflect
    /// The edge value repeated (`a [a b c] c`).
    case replicate
    /// The other end wrapped around (`c [a b c] a`).
    case circular
}

extension Tensor {
    /// Pads with `mode`, like `F.pad(x, pad, mode=..., value=...)`.
    ///
    /// `padding` lists (before, after) pairs from the LAST dimension, as in
    /// `pad(_:value:)`. `.constant` accepts any rank; the other modes pad the
    /// last 1, 2 or 3 dims of an input with one or two more dims (batch and
    /// channel), as in PyTorch. `.reflect` needs each amount below the dim's
    /// size, `.circular` at most the size. Negative amounts crop first.
    /// Differentiable: the gradient of a border element goes back to the
    /// element it copies.
    ///
    /// ```swift
    /// let y = x.pad([1, 1, 2, 2], mode: .reflect)   // [N, C, H + 4, W + 2]
    /// ```
    public func pad(_ padding: [Int], mode: PadMode, value: Float = 0) -> Tensor {
        if mode == .constant { return pad(padding, value: value) }
        let k = padding.count / 2
        guard check(padding.count % 2 == 0, "pad", "Padding length must be divisible by 2"),
              check(k >= 1 && k <= 3 && (rank == k + 1 || rank == k + 2), "pad",
                    "Padding size \(padding.count) is not supported for \(rank)D input tensor.\n"
                        + "Supported combinations for non-constant padding:\n"
                        + "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                        + "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                        + "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
        else { return .meta(shape) }
        var outShape = shape
        var maps: [[Int]] = []          // per padded dim (innermost last): output index → input index
        for i in 0..<k {
            let d = rank - 1 - i
            let n = shape[d], before = padding[2 * i], after = padding[2 * i + 1]
            switch mode {
            case .reflect:
                guard check(before < n && after < n, "pad",
                            "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (\(before), \(after)) at dimension \(d) of input \(shape)")
                else { return .meta(shape) }
            case .circular:
                guard check(before <= n && after <= n, "pad", "Padding value causes wrapping around more than once.")
                else { return .meta(shape) }
            default:
                guard check(n > 0, "pad",
                            "Expected \(k + 1)D or \(k + 2)D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: \(shape)")
                else { return .meta(shape) }
            }
            let size = n + before + after
            guard check(size >= 0, "pad", "input size \(n) plus padding \(before) and \(after) is negative at dimension \(d)")
            else { return .meta(shape) }
            outShape[d] = size
            let c0 = Swift.max(0, -before), m = n - c0 - Swift.max(0, -after), lead = Swift.max(0, before)
            maps.insert((0..<size).map { o in
                let q = o - lead
                switch mode {
                case .reflect:
                    var r = q
                    if m > 1 {
                        let period = 2 * (m - 1)
                        r = ((q % period) + period) % period
                        if r >= m { r = period - r }
                    } else { r = 0 }
                    return c0 + r
                case .replicate: return c0 + Swift.min(Swift.max(q, 0), m - 1)
                default: return c0 + ((q % m) + m) % m
                }
            }, at: 0)
        }
        if isMeta { return .meta(outShape) }
        let name = mode == .reflect ? "ReflectionPad\(k)DBackward0" : (mode == .replicate ? "ReplicationPad\(k)DBackward0" : "CircularPad\(k)DBackward0")
        let spec = IndexPadSpec(inShape: shape, outShape: outShape, maps: maps)
        let out = spec.forward(self)
        return out.recording(name, [self]) { g in [spec.backward(g)] }
    }
}

/// The gather pattern of a non-constant pad: the input as [outer, D1, D2, D3]
/// (padded dims, missing ones of size 1) and per-dim index maps.
struct IndexPadSpec {
    let outer: Int
    let inDims: [Int]
    let outDims: [Int]
    let maps: [[Int]]
    let outShape: [Int]
    let inShape: [Int]

    init(inShape: [Int], outShape: [Int], maps: [[Int]]) {
        let k = maps.count
        outer = inShape[..<(inShape.count - k)].reduce(1, *)
        inDims = [Int](repeating: 1, count: 3 - k) + inShape.suffix(k)
        outDims = [Int](repeating: 1, count: 3 - k) + outShape.suffix(k)
        self.maps = [[Int]](repeating: [0], count: 3 - k) + maps
        self.outShape = outShape
        self.inShape = inShape
    }

    /// out[o, i, j, l] = x[o, map0[i], map1[j], map2[l]].
    func forward(_ x: Tensor) -> Tensor {
        let src = x.isContiguous ? x : x.contiguousCopy()
        let out = Tensor(uninitialized: outShape)
        if out.count == 0 { return out }
        let xp = UnsafePointer(src.dataPointer), op = out.dataPointer
        let (i1, i2, i3) = (inDims[0], inDims[1], inDims[2])
        let (o1, o2, o3) = (outDims[0], outDims[1], outDims[2])
        let m0 = maps[0].map { $0 * i2 * i3 }, m1 = maps[1].map { $0 * i3 }, m2 = maps[2]
        Parallel.forRange(outer * o1, grain: Swift.max(1, Parallel.grain / Swift.max(o2 * o3, 1))) { s, e in
            for r in s..<e {
                let o = r / o1, a = r - o * o1
                let sb = o * i1 * i2 * i3 + m0[a]
                var dst = r * o2 * o3
                for b in 0..<o2 {
                    let sbb = sb + m1[b]
                    for c in 0..<o3 { op[dst + c] = xp[sbb + m2[c]] }
                    dst += o3
                }
            }
        }
        withExtendedLifetime(src) {}
        return out
    }

    /// The gradient: each output gradient added back at the element it copied
    /// (parallel over `outer` only, since border rows of one slice share sources).
    func backward(_ g: Tensor) -> Tensor {
        let gc = g.isContiguous ? g : g.contiguousCopy()
        let (i1, i2, i3) = (inDims[0], inDims[1], inDims[2])
        let (o1, o2, o3) = (outDims[0], outDims[1], outDims[2])
        let dx = Tensor.zeros([outer, i1, i2, i3])
        if gc.count == 0 { return dx }
        let gp = UnsafePointer(gc.dataPointer), dp = dx.dataPointer
        let m0 = maps[0].map { $0 * i2 * i3 }, m1 = maps[1].map { $0 * i3 }, m2 = maps[2]
        Parallel.forRange(outer, grain: Swift.max(1, Parallel.grain / Swift.max(o1 * o2 * o3, 1))) { s, e in
            for o in s..<e {
                var src = o * o1 * o2 * o3
                let base = o * i1 * i2 * i3
                for a in 0..<o1 {
                    for b in 0..<o2 {
                        let db = base + m0[a] + m1[b]
                        for c in 0..<o3 { dp[db + m2[c]] += gp[src + c] }
                        src += o3
                    }
                }
            }
        }
        withExtendedLifetime(gc) {}
        return dx.reshape(inShape)
    }
}
