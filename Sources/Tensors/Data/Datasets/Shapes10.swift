import Foundation

/// The embedded default dataset: 32×32 RGB pictures of ten procedurally
/// drawn shapes and patterns, generated in memory from a seed.
///
/// Same API as `CIFAR10` (train/test split, `data`, `targets`, `classes`,
/// `classToIndex`, torchvision-style printing), so everything that works on
/// CIFAR-10 works without any file. Each image has a random background and
/// a contrasting foreground colour, a random position, size and angle,
/// anti-aliased edges and pixel noise. Classes are balanced. The same seed
/// gives the same images on every machine; the test split never repeats a
/// training image.
///
/// ```swift
/// let train = Shapes10(train: true, transform: ToTensor())   // 20,000 images
/// let test = Shapes10(train: false)                          // 4,000 images
/// ```
public struct Shapes10: ImageClassificationDataset, FusableImageDataset {
    /// All images, N×H×W×C bytes (HWC), like torchvision's `.data`.
    public let data: [UInt8]
    /// The class index of every item, like torchvision's `.targets`.
    public let targets: [Int]
    /// Class names, indexed by class.
    public var classes: [String] { Shapes10.classNames }
    /// True for the training split.
    public let train: Bool
    /// The seed shared by all replicas.
    public let seed: UInt64
    /// Applied to every item's input (settable, like `dataset.transform = …`).
    public var transform: (any Transform)?
    /// Applied to every label.
    public var targetTransform: ((Int) -> Int)?
    /// Image height in pixels (32).
    public var imageHeight: Int { 32 }
    /// Image width in pixels (32).
    public var imageWidth: Int { 32 }
    /// Colour channels (3, RGB).
    public var imageChannels: Int { 3 }
    /// The dataset's name in printed summaries.
    public var datasetName: String { "Shapes10" }
    /// Where the images come from: generated in memory from `seed`.
    public var root: String { "(embedded, seed \(seed))" }

    /// The ten class names.
    public static let classNames = ["circle", "square", "triangle", "cross", "h-stripes",
                                    "v-stripes", "ring", "diagonal", "checker", "dots"]
    /// Images in the training split by default.
    public static let defaultTrainCount = 20_000
    /// Images in the test split by default.
    public static let defaultTestCount = 4_000

    /// Generates the split.
    /// - Parameters:
    ///   - count: number of images (default 20,000 train, 4,000 test).
    ///   - seed: the images are a pure function of (seed, split, index).
    public init(train: Bool = true, transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                count: Int? = nil, seed: UInt64 = 0) {
        let n = Swift.max(0, count ?? (train ? Shapes10.defaultTrainCount : Shapes10.defaultTestCount))
        self.train = train
        self.seed = seed
        self.transform = transform
        self.targetTransform = targetTransform
        let splitSeed = sampleSeed(base: seed, position: train ? 0x5EED_0001 : 0x5EED_0002)
        // Balanced labels in a seeded order.
        let order = Generator(seed: splitSeed).randperm(n)
        let labels = order.map { $0 % 10 }
        targets = labels
        let per = 32 * 32 * 3
        data = [UInt8](unsafeUninitializedCapacity: n * per) { buf, initialized in
            guard let base = buf.baseAddress else { initialized = 0; return }
            let chunks = Swift.min(n, Parallel.workers * 4)
            DispatchQueue.concurrentPerform(iterations: Swift.max(1, chunks)) { c in
                let lo = n * c / Swift.max(1, chunks), hi = n * (c + 1) / Swift.max(1, chunks)
                let g = Generator(seed: 0)
                for i in lo..<hi {
                    g.manualSeed(sampleSeed(base: splitSeed, position: i + 1))
                    drawShape(labels[i], generator: g, into: base + i * per)
                }
            }
            initialized = n * per
        }
    }

    func fusedImageSource() -> FusedImageSource? { makeFusedSource() }
}

/// A random RGB colour.
private func randomColour(_ g: Generator) -> (Float, Float, Float) {
    (Float(g.nextInt(below: 256)), Float(g.nextInt(below: 256)), Float(g.nextInt(below: 256)))
}

private func luma(_ c: (Float, Float, Float)) -> Float { 0.299 * c.0 + 0.587 * c.1 + 0.114 * c.2 }

/// The random parameters of one Shapes10 image.
struct ShapeParams {
    var label = 0
    var cx: Float = 0, cy: Float = 0
    var rw: Float = 0, rh: Float = 0, pcx: Float = 0, pcy: Float = 0
    var r: Float = 0, half: Float = 0, arm: Float = 0, thick: Float = 0
    var period: Float = 0, phase: Float = 0, ringR: Float = 0, ringT: Float = 0
    var cell: Float = 0, dotSpacing: Float = 0, dotR: Float = 0, diagSign: Float = 1
    var ct: Float = 1, st: Float = 0
    var n0 = (Float(1), Float(0)), n1 = (Float(1), Float(0)), n2 = (Float(1), Float(0))
}

/// Signed distance of a periodic band pattern: inside the first half of each period.
@_optimize(speed) @inline(__always)
func bandSD(_ t: Float, _ period: Float, _ phase: Float) -> Float {
    let u = (t + phase) / period   // non-negative: truncation is floor (no libm call)
    let f = u - Float(Int(u))
    let d = period * Swift.min(f, abs(f - 0.5), 1 - f)
    return f < 0.5 ? -d : d
}

/// Signed distance (pixels, negative inside) from (x, y) to the shape of `p.label`.
@_optimize(speed)
func shapeSD(_ p: ShapeParams, _ x: Float, _ y: Float) -> Float {
    let dx = x - p.cx, dy = y - p.cy
    let region = Swift.max(abs(x - p.pcx) - p.rw, abs(y - p.pcy) - p.rh)
    switch p.label {
    case 0: // circle
        return (dx * dx + dy * dy).squareRoot() - p.r
    case 1: // square, slightly tilted
        let u = p.ct * dx + p.st * dy, v = -p.st * dx + p.ct * dy
        return Swift.max(abs(u) - p.half, abs(v) - p.half)
    case 2: // triangle at any angle: three half-planes
        let m = Swift.max(p.n0.0 * dx + p.n0.1 * dy, p.n1.0 * dx + p.n1.1 * dy, p.n2.0 * dx + p.n2.1 * dy)
        return m - p.r * 0.5
    case 3: // cross (plus sign), tilted
        let u = p.ct * dx + p.st * dy, v = -p.st * dx + p.ct * dy
        let bar1 = Swift.max(abs(u) - p.arm, abs(v) - p.thick)
        let bar2 = Swift.max(abs(v) - p.arm, abs(u) - p.thick)
        return Swift.min(bar1, bar2)
    case 4: // horizontal stripes
        return Swift.max(region, bandSD(y, p.period, p.phase))
    case 5: // vertical stripes
        return Swift.max(region, bandSD(x, p.period, p.phase))
    case 6: // ring
        return abs((dx * dx + dy * dy).squareRoot() - p.ringR) - p.ringT
    case 7: // diagonal stripes
        return Swift.max(region, bandSD((x + p.diagSign * y) * 0.70710678, p.period, p.phase))
    case 8: // checkerboard
        let u = (x - p.pcx) / p.cell + 64, v = (y - p.pcy) / p.cell + 64
        let iu = Int(u), iv = Int(v)   // u, v > 0: truncation is floor
        let fu = u - Float(iu), fv = v - Float(iv)
        let d = p.cell * Swift.min(fu, 1 - fu, fv, 1 - fv)
        return Swift.max(region, (iu + iv) % 2 == 0 ? -d : d)
    default: // dots on a grid
        let u = (x - p.pcx) / p.dotSpacing + 64.5, v = (y - p.pcy) / p.dotSpacing + 64.5
        let lu = (u - Float(Int(u)) - 0.5) * p.dotSpacing, lv = (v - Float(Int(v)) - 0.5) * p.dotSpacing
        return Swift.max(region, (lu * lu + lv * lv).squareRoot() - p.dotR)
    }
}

/// Draws one 32×32 RGB image of class `label` into `out` (HWC bytes).
@_optimize(speed)
func drawShape(_ label: Int, generator g: Generator, into out: UnsafeMutablePointer<UInt8>) {
    // Colours: a darker background and a clearly brighter foreground, hues at random.
    var bg = randomColour(g)
    var tries = 0
    while luma(bg) > 110 && tries < 64 {
        bg = randomColour(g)
        tries += 1
    }
    if luma(bg) > 110 { bg = (bg.0 * 0.4, bg.1 * 0.4, bg.2 * 0.4) }
    var fg = randomColour(g)
    tries = 0
    while luma(fg) < luma(bg) + 90 && tries < 64 {
        fg = randomColour(g)
        tries += 1
    }
    if luma(fg) < luma(bg) + 90 { fg = (235, 235, 235) }
    // Shape parameters, drawn in a fixed order whatever the class.
    var p = ShapeParams()
    p.label = label
    p.cx = uniform(g, 11, 21)
    p.cy = uniform(g, 11, 21)
    let angle = uniform(g, 0, 2 * Float.pi)
    p.rw = uniform(g, 9, 13)
    p.rh = uniform(g, 9, 13)
    p.pcx = uniform(g, 12, 20)
    p.pcy = uniform(g, 12, 20)
    p.r = uniform(g, 6.5, 11)
    p.half = uniform(g, 5.5, 9.5)
    let tilt = uniform(g, -0.35, 0.35)
    p.arm = uniform(g, 8, 12)
    p.thick = uniform(g, 1.6, 2.6)
    p.period = uniform(g, 4.5, 7.5)
    p.phase = uniform(g, 0, 8)
    p.ringR = uniform(g, 7.5, 11.5)
    p.ringT = uniform(g, 1.2, 2.0)
    p.cell = uniform(g, 3, 5.5)
    p.dotSpacing = uniform(g, 5.5, 7.5)
    p.dotR = uniform(g, 1.3, 1.9)
    p.diagSign = g.nextFloat() < 0.5 ? 1 : -1
    p.ct = cos(tilt)
    p.st = sin(tilt)
    let third = 2 * Float.pi / 3
    p.n0 = (cos(angle), sin(angle))
    p.n1 = (cos(angle + third), sin(angle + third))
    p.n2 = (cos(angle + 2 * third), sin(angle + 2 * third))
    let noise: Float = uniform(g, 6, 18)
    let scale = 2 * noise / 65535
    for y in 0..<32 {
        for x in 0..<32 {
            let coverage = Swift.min(1, Swift.max(0, 0.5 - shapeSD(p, Float(x) + 0.5, Float(y) + 0.5)))
            let bits = g.nextUInt64()
            let o = out + (y * 32 + x) * 3
            // Noise uniform in ±noise per channel; round half up without a libm call.
            let n0 = Float(bits & 0xFFFF) * scale - noise
            let n1 = Float((bits >> 16) & 0xFFFF) * scale - noise
            let n2 = Float((bits >> 32) & 0xFFFF) * scale - noise
            o[0] = UInt8(Swift.min(255, Swift.max(0, bg.0 + (fg.0 - bg.0) * coverage + n0)) + 0.5)
            o[1] = UInt8(Swift.min(255, Swift.max(0, bg.1 + (fg.1 - bg.1) * coverage + n1)) + 0.5)
            o[2] = UInt8(Swift.min(255, Swift.max(0, bg.2 + (fg.2 - bg.2) * coverage + n2)) + 0.5)
        }
    }
}

@inline(__always)
private func uniform(_ g: Generator, _ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * g.nextFloat() }
