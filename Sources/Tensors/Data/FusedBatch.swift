// The DataLoader's fast path for image datasets.
//
// When a dataset keeps its images in one HWC UInt8 buffer (CIFAR, MNIST,
// Shapes10, and Subsets of them) and its transform is
//     [crops / pads / flips]  ToTensor  [Normalize …]
// a batch is built without creating an Image or Tensor per sample: each
// sample's crops and flips become a row/column index map (drawing the same
// random numbers as the transforms would), and the pixels go straight from
// the dataset buffer into the batch tensor through a 256-entry table per
// channel that holds ToTensor and Normalize. The table holds exactly the
// floats the unfused transforms compute, so both paths give identical batches.

/// What a dataset exposes for the fused path.
struct FusedImageSource {
    /// All images, `N × height × width × channels` bytes.
    let pixels: [UInt8]
    let height: Int
    let width: Int
    let channels: Int
    let targets: [Int]
    /// Dataset index → buffer index (set by `Subset`).
    var indexMap: [Int]?
    let transform: (any Transform)?
    let targetTransform: ((Int) -> Int)?
    /// The dataset's name, for error messages.
    let name: String

    var count: Int { indexMap?.count ?? targets.count }
}

/// A transform chain compiled for the fused path.
struct FusedImagePipeline {
    let geometry: [GeometricTransform]
    let fillBytes: [UInt8]
    /// `channels × 256` output values: ToTensor, then each Normalize.
    let lut: [Float]
    let channels: Int

    /// Nil when the chain has another shape (the loader then uses the general path).
    init?(transform: (any Transform)?, channels: Int) {
        guard let transform else { return nil }
        var steps: [any Transform] = []
        func flatten(_ t: any Transform) {
            if let c = t as? Compose { c.transforms.forEach(flatten) } else { steps.append(t) }
        }
        flatten(transform)
        var geometry: [GeometricTransform] = []
        var fill: [Double]?
        var i = 0
        while i < steps.count, let g = steps[i] as? GeometricTransform {
            guard fillsCompatible(&fill, g.fillValues), (try? g.validate()) != nil else { return nil }
            geometry.append(g)
            i += 1
        }
        guard i < steps.count, steps[i] is ToTensor else { return nil }
        i += 1
        var lut = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels { for v in 0..<256 { lut[c * 256 + v] = byteToUnit[v] } }
        while i < steps.count, let n = steps[i] as? Normalize {
            guard (try? n.validate(channels: channels)) != nil else { return nil }
            for c in 0..<channels {
                let m = n.meanOf(c), s = n.stdOf(c)
                for v in 0..<256 { lut[c * 256 + v] = (lut[c * 256 + v] - m) / s }
            }
            i += 1
        }
        guard i == steps.count else { return nil }
        let f = Fill(fill ?? [0])
        guard (try? f.validate("fill", channels: channels)) != nil else { return nil }
        fillBytes = (0..<channels).map { UInt8(clamping: Int(f.value($0).rounded())) }
        self.geometry = geometry
        self.lut = lut
        self.channels = channels
    }

    /// Renders one image through `plan` into `out` (`channels × plan.height × plan.width` floats).
    func render(_ plan: GeometryPlan, image src: UnsafePointer<UInt8>, srcWidth: Int, into out: UnsafeMutablePointer<Float>) {
        plan.rows.withUnsafeBufferPointer { rows in
            plan.cols.withUnsafeBufferPointer { cols in
                lut.withUnsafeBufferPointer { table in
                    fillBytes.withUnsafeBufferPointer { fill in
                        guard let rp = rows.baseAddress, let cp = cols.baseAddress,
                              let tp = table.baseAddress, let fp = fill.baseAddress else { return }
                        renderThroughTable(rows: rp, height: rows.count, cols: cp, width: cols.count, image: src,
                                           srcWidth: srcWidth, channels: channels, table: tp, fill: fp, out: out)
                    }
                }
            }
        }
    }
}

/// Per-worker scratch for building batches: a generator reseeded per sample
/// and a reusable geometry plan.
final class WorkerContext {
    let generator = Generator(seed: 0)
    var plan = GeometryPlan(height: 0, width: 0)
}

/// The seed of the sample at `position` in an epoch whose base seed is `base`.
@inline(__always)
func sampleSeed(base: UInt64, position: Int) -> UInt64 {
    var z = base &+ UInt64(bitPattern: Int64(position)) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Builds `(images, labels)` batches on the fused path.
struct FusedBatcher {
    let source: FusedImageSource
    let pipeline: FusedImagePipeline

    init?(_ source: FusedImageSource) {
        guard let p = FusedImagePipeline(transform: source.transform, channels: source.channels) else { return nil }
        self.source = source
        pipeline = p
    }

    func batch(_ indices: [Int], firstPosition: Int, baseSeed: UInt64, context ctx: WorkerContext) throws -> (Tensor, IntTensor) {
        let n = source.count
        var labels = [Int](repeating: 0, count: indices.count)
        var rows: [Int] = []
        for (j, i) in indices.enumerated() {
            try checkIndex(i, n, source.name)
            let k = source.indexMap?[i] ?? i
            rows.append(k)
            labels[j] = source.targetTransform.map { f in f(source.targets[k]) } ?? source.targets[k]
        }
        guard !indices.isEmpty else { return (Tensor.zeros([0]), IntTensor([Int](), shape: [0])) }
        let c = source.channels, sh = source.height, sw = source.width
        let imageBytes = sh * sw * c
        let g = ctx.generator
        // Plan the first sample to learn the output size.
        func planSample(_ j: Int) throws {
            g.manualSeed(sampleSeed(base: baseSeed, position: firstPosition + j))
            ctx.plan.reset(height: sh, width: sw)
            for t in pipeline.geometry { try t.plan(&ctx.plan, generator: g) }
        }
        try planSample(0)
        let oh = ctx.plan.height, ow = ctx.plan.width
        let per = c * oh * ow
        let images = try Tensor(shape: [indices.count, c, oh, ow]) { out in
            guard let o = out.baseAddress else { return }
            try source.pixels.withUnsafeBufferPointer { px in
                guard let base = px.baseAddress else { return }
                for j in 0..<rows.count {
                    if j > 0 {
                        try planSample(j)
                        if ctx.plan.height != oh || ctx.plan.width != ow {
                            throw DataError(.badFormat, "default collate: stack expects each tensor to be equal size, but got \([c, oh, ow]) at entry 0 and \([c, ctx.plan.height, ctx.plan.width]) at entry \(j)")
                        }
                    }
                    pipeline.render(ctx.plan, image: base + rows[j] * imageBytes, srcWidth: sw, into: o + j * per)
                }
            }
        }
        return (images, IntTensor(labels))
    }
}
