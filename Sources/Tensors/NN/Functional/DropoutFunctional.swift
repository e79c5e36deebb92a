/// Zeroes each element with probability `p` and scales the rest by 1/(1−p)
/// in training, like `F.dropout`; returns `x` itself when not training or `p == 0`.
///
/// The mask comes from `generator` (the global default when nil), so a seed
/// reproduces it; each 64-bit draw decides two elements. Meta inputs draw nothing.
public func dropout(_ x: Tensor, p: Float = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
    guard check(p >= 0 && p <= 1, "dropout", "dropout probability has to be between 0 and 1, but got \(p)") else { return x }
    if !training || p == 0 { return x }
    if x.isMeta { return .meta(x.shape) }
    let keep = 1 - p
    let scale: Float = keep > 0 ? 1 / keep : 0
    let mask = Tensor(uninitialized: x.shape)
    let mp = mask.dataPointer
    let n = mask.count
    Generator.with(generator) { g in
        // Two 24-bit uniforms from each 64-bit draw (bits 63…40 and 31…8): half the generator steps.
        var i = 0
        while i + 1 < n {
            let r = g.nextUInt64()
            mp[i] = Float(r >> 40) * 0x1.0p-24 < keep ? scale : 0
            mp[i + 1] = Float((r >> 8) & 0xFF_FFFF) * 0x1.0p-24 < keep ? scale : 0
            i += 2
        }
        if i < n { mp[i] = g.nextFloat() < keep ? scale : 0 }
    }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let out = Tensor(uninitialized: x.shape)
    let op = out.dataPointer, xp = UnsafePointer(xc.dataPointer)
    for i in 0..<n { op[i] = xp[i] * mp[i] }
    withExtendedLifetime((xc, mask)) {}
    return out.recording("MulBackward0", [x]) { g in [g * mask] }
}
