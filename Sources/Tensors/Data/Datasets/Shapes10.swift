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
/// let train = Shapes10(train: true, transform: ToTensor())   // 10,000 images
/// let test = Shapes10(train: false)                          // 2,000 images
/// ```
public struct Shapes10: ImageClassificationDataset, FusableImageDataset {
    public let data: [UInt8]
    public let targets: [Int]
    public var classes: [String] { Shapes10.classNames }
    public let train: Bool
    public let seed: UInt64
    public var transform: (any Transform)?
    public var targetTransform: ((Int) -> Int)?
    public var imageHeight: Int { 32 }
    public var imageWidth: Int { 32 }
    public var imageChannels: Int { 3 }
    public var datasetName: String { "Shapes10" }
    public var root: String { "(embedded, seed \(seed))" }

    public static let classNames = ["circle", "square", "triangle", "cross", "h-stripes",
                                    "v-stripes", "ring", "diagonal", "checker", "dots"]
    public static let defaultTrainCount = 10_000
    public static let defaultTestCount = 2_000

    /// Generates the split.
    /// - Parameters:
    ///   - count: number of images (default 10,000 train, 2,000 test).
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
    func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * g.nextFloat() }
    let cx = uniform(11, 21), cy = uniform(11, 21)
    let angle = uniform(0, 2 * Float.pi)
    // A pattern region: a large random box.
    let rw = uniform(9, 13), rh = uniform(9, 13)
    let pcx = uniform(12, 20), pcy = uniform(12, 20)
    func regionSD(_ x: Float, _ y: Float) -> Float { Swift.max(abs(x - pcx) - rw, abs(y - pcy) - rh) }
    /// Signed distance of a periodic band pattern: inside the first half of each period.
    func bands(_ t: Float, _ period: Float, _ phase: Float) -> Float {
        let u = (t + phase) / period
        let f = u - u.rounded(.down)
        let d = period * Swift.min(f, abs(f - 0.5), 1 - f)
        return f < 0.5 ? -d : d
    }
    // Shape parameters drawn once per image (the draw order is fixed per class).
    let r = uniform(6.5, 11)
    let half = uniform(5.5, 9.5)
    let tilt = uniform(-0.35, 0.35)
    let arm = uniform(8, 12), thick = uniform(1.6, 2.6)
    let period = uniform(4.5, 7.5), phase = uniform(0, 8)
    let ringR = uniform(7.5, 11.5), ringT = uniform(1.2, 2.0)
    let cell = uniform(3, 5.5)
    let dotSpacing = uniform(5.5, 7.5), dotR = uniform(1.3, 1.9)
    let diagSign: Float = g.nextFloat() < 0.5 ? 1 : -1
    let ct = cos(tilt), st = sin(tilt)
    let normals = (0..<3).map { k -> (Float, Float) in
        let a = angle + Float(k) * 2 * Float.pi / 3
        return (cos(a), sin(a))
    }
    let (n0, n1, n2) = (normals[0], normals[1], normals[2])
    func sd(_ x: Float, _ y: Float) -> Float {
        let dx = x - cx, dy = y - cy
        switch label {
        case 0: // circle
            return (dx * dx + dy * dy).squareRoot() - r
        case 1: // square, slightly tilted
            let u = ct * dx + st * dy, v = -st * dx + ct * dy
            return Swift.max(abs(u) - half, abs(v) - half)
        case 2: // triangle at any angle: three half-planes
            let m = Swift.max(n0.0 * dx + n0.1 * dy, n1.0 * dx + n1.1 * dy, n2.0 * dx + n2.1 * dy)
            return m - r * 0.5
        case 3: // cross (plus sign), tilted
            let u = ct * dx + st * dy, v = -st * dx + ct * dy
            let bar1 = Swift.max(abs(u) - arm, abs(v) - thick)
            let bar2 = Swift.max(abs(v) - arm, abs(u) - thick)
            return Swift.min(bar1, bar2)
        case 4: // horizontal stripes
            return Swift.max(regionSD(x, y), bands(y, period, phase))
        case 5: // vertical stripes
            return Swift.max(regionSD(x, y), bands(x, period, phase))
        case 6: // ring
            return abs((dx * dx + dy * dy).squareRoot() - ringR) - ringT
        case 7: // diagonal stripes
            return Swift.max(regionSD(x, y), bands((x + diagSign * y) * 0.70710678, period, phase))
        case 8: // checkerboard
            let u = (x - pcx) / cell + 64, v = (y - pcy) / cell + 64
            let fu = u - u.rounded(.down), fv = v - v.rounded(.down)
            let inside = (Int(u.rounded(.down)) + Int(v.rounded(.down))) % 2 == 0
            let d = cell * Swift.min(fu, 1 - fu, fv, 1 - fv)
            return Swift.max(regionSD(x, y), inside ? -d : d)
        default: // dots on a grid
            let u = (x - pcx) / dotSpacing + 64.5, v = (y - pcy) / dotSpacing + 64.5
            let lu = (u - u.rounded(.down) - 0.5) * dotSpacing, lv = (v - v.rounded(.down) - 0.5) * dotSpacing
            return Swift.max(regionSD(x, y), (lu * lu + lv * lv).squareRoot() - dotR)
        }
    }
    let noise: Float = uniform(6, 18)
    let fgc = (fg.0, fg.1, fg.2), bgc = (bg.0, bg.1, bg.2)
    for y in 0..<32 {
        for x in 0..<32 {
            let coverage = Swift.min(1, Swift.max(0, 0.5 - sd(Float(x) + 0.5, Float(y) + 0.5)))
            let bits = g.nextUInt64()
            let o = out + (y * 32 + x) * 3
            func channel(_ b: Float, _ f: Float, _ shift: UInt64) -> UInt8 {
                let n = (Float((bits >> shift) & 0xFFFF) / 65535 - 0.5) * 2 * noise
                let v = b + (f - b) * coverage + n
                return UInt8(Swift.min(255, Swift.max(0, v.rounded())))
            }
            o[0] = channel(bgc.0, fgc.0, 0)
            o[1] = channel(bgc.1, fgc.1, 16)
            o[2] = channel(bgc.2, fgc.2, 32)
        }
    }
}
