/// Fractional max pooling over [N, C, H, W] (or [C, H, W]), like
/// `F.fractional_max_pool2d` (Graham 2014): windows of `kernelSize` start at
/// pseudo-random, increasing offsets so the output has `outputSize` (or
/// ⌊input · outputRatio⌋). `randomSamples` [N, C, 2] in [0, 1) (width
/// sample first, as PyTorch's `_random_samples`) fixes the offsets; else
/// they are drawn from `generator` (the global default when nil). Returns
/// the output and the in-plane index (h·W + w) of each maximum.
/// A primitive: the gradient goes to each window's maximum.
public func fractionalMaxPool2d(_ x: Tensor, kernelSize: Size2, outputSize: Size2? = nil, outputRatio: (Double, Double)? = nil,
                                randomSamples: Tensor? = nil, generator: Generator? = nil) -> (output: Tensor, indices: IntTensor) {
    let op = "fractional_max_pool2d"
    guard check(x.rank == 3 || x.rank == 4, op, "fractional_max_pool2d(): Expected 3D or 4D tensor, but got: \(x.shape)"),
          check(outputSize != nil || outputRatio != nil, op, "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio"),
          check(outputSize == nil || outputRatio == nil, op, "only one of output_size and output_ratio may be specified")
    else { return (.meta(x.shape), IntTensor([0])) }
    if x.rank == 3 {
        let r = fractionalMaxPool2d(x.unsqueeze(0), kernelSize: kernelSize, outputSize: outputSize, outputRatio: outputRatio,
                                    randomSamples: randomSamples.map { $0.rank == 2 ? $0.unsqueeze(0) : $0 }, generator: generator)
        return (r.output.squeeze(0), IntTensor(r.indices.values, shape: Array(r.indices.shape.dropFirst())))
    }
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    let oh = outputSize?.h ?? Int(Double(h) * (outputRatio?.0 ?? 0)), ow = outputSize?.w ?? Int(Double(w) * (outputRatio?.1 ?? 0))
    guard check(oh + kernelSize.h - 1 <= h, op, "fractional_max_pool2d(): pool height \(kernelSize.h) too large relative to input height \(h)"),
          check(ow + kernelSize.w - 1 <= w, op, "fractional_max_pool2d(): pool width \(kernelSize.w) too large relative to input width \(w)"),
          check(oh > 0 && ow > 0 && kernelSize.h > 0 && kernelSize.w > 0, op, "output size and kernel size must be positive")
    else { return (.meta(x.shape), IntTensor([0])) }
    let outShape = [n, c, oh, ow]
    if x.isMeta { return (.meta(outShape), IntTensor([Int](repeating: 0, count: n * c * oh * ow), shape: outShape)) }
    var samples: [Float]
    if let rs = randomSamples {
        guard check(rs.shape == [n, c, 2], op, "random samples must have shape [\(n), \(c), 2], got \(rs.shape)")
        else { return (.meta(outShape), IntTensor([0])) }
        samples = rs.toArray()
    } else {
        samples = [Float](repeating: 0, count: n * c * 2)
        Generator.with(generator) { g in for i in 0..<samples.count { samples[i] = g.nextFloat() } }
    }
    /// PyTorch's `generate_intervals` (in Float, as its kernel computes).
    func intervals(_ sample: Float, _ inSize: Int, _ outSize: Int, _ pool: Int) -> [Int] {
        var seq = [Int](repeating: 0, count: outSize)
        if outSize > 1 {
            let alpha = Float(inSize - pool) / Float(outSize - 1)
            for i in 0..<(outSize - 1) { seq[i] = Int((Float(i) + sample) * alpha) - Int(sample * alpha) }
        }
        seq[outSize - 1] = inSize - pool
        return seq
    }
    let xc = x.isContiguous ? x : x.contiguousCopy()
    let xp = UnsafePointer(xc.dataPointer)
    let out = Tensor(uninitialized: outShape)
    let op_ = out.dataPointer
    var idx = [Int](repeating: 0, count: out.count)
    let planeIn = h * w, planeOut = oh * ow
    idx.withUnsafeMutableBufferPointer { ip in
        guard let ib = ip.baseAddress else { return }
        samples.withUnsafeBufferPointer { sp in
            Parallel.forRange(n * c, grain: Swift.max(1, 16384 / Swift.max(planeIn, 1))) { lo, hi in
                for plane in lo..<hi {
                    let seqW = intervals(sp[plane * 2], w, ow, kernelSize.w), seqH = intervals(sp[plane * 2 + 1], h, oh, kernelSize.h)
                    let src = xp + plane * planeIn
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let y0 = seqH[oy], x0 = seqW[ox]
                            var best = -Float.infinity, bestIndex = y0 * w + x0
                            for dy in 0..<kernelSize.h {
                                for dx in 0..<kernelSize.w {
                                    let i = (y0 + dy) * w + x0 + dx
                                    let v = src[i]
                                    if v > best || v.isNaN { best = v; bestIndex = i }
                                }
                            }
                            op_[plane * planeOut + oy * ow + ox] = best
                            ib[plane * planeOut + oy * ow + ox] = bestIndex
                        }
                    }
                }
            }
        }
    }
    withExtendedLifetime(xc) {}
    let inShape = x.shape
    let y = out.recording("FractionalMaxPool2DBackward0", [x]) { gy in
        let gc = gy.isContiguous ? gy : gy.contiguousCopy()
        let dx = Tensor.zeros(inShape)
        idx.withUnsafeBufferPointer { ip in
            if let base = ip.baseAddress {
                PoolNdKernels.scatter(UnsafePointer(gc.dataPointer), base, planes: n * c, inCount: planeOut, outCount: planeIn, dx.dataPointer)
            }
        }
        withExtendedLifetime(gc) {}
        return [dx]
    }
    return (y, IntTensor(idx, shape: outShape))
}
