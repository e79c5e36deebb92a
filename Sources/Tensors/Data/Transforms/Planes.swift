/// Channel planes in Float, the working form of transforms that compute
/// new pixel values (resize, rotation, colour): an image's bytes as 0–255
/// floats, or a `[..., H, W]` tensor's values as they are.
struct Planes {
    /// Number of planes (channels of an image; all leading planes of a tensor).
    var count: Int
    var height: Int
    var width: Int
    /// Channels per group (image channels, or the tensor's dimension −3).
    var channels: Int
    /// Plane-major values, `count * height * width` of them.
    var data: [Float]
    /// 255 for images, 1 for tensors (the top of the value range).
    var bound: Float
    var isImage: Bool
    /// The tensor's leading dimensions (before H, W).
    var leading: [Int]

    init(count: Int, height: Int, width: Int, channels: Int, data: [Float], bound: Float, isImage: Bool, leading: [Int]) {
        self.count = count
        self.height = height
        self.width = width
        self.channels = channels
        self.data = data
        self.bound = bound
        self.isImage = isImage
        self.leading = leading
    }

    init(_ input: Feature, _ name: String) throws {
        switch input {
        case .image(let img):
            let c = img.channels, hw = img.width * img.height
            var d = [Float](repeating: 0, count: c * hw)
            img.pixels.withUnsafeBufferPointer { s in
                for i in 0..<hw { for k in 0..<c { d[k * hw + i] = Float(s[i * c + k]) } }
            }
            self.init(count: c, height: img.height, width: img.width, channels: c, data: d, bound: 255, isImage: true, leading: [c])
        case .tensor(let t):
            try requireImageTensor(name, t)
            let r = t.rank
            self.init(count: t.count / Swift.max(1, t.shape[r - 2] * t.shape[r - 1]),
                      height: t.shape[r - 2], width: t.shape[r - 1], channels: r >= 3 ? t.shape[r - 3] : 1,
                      data: t.toArray(), bound: 1, isImage: false, leading: Array(t.shape.dropLast(2)))
        }
    }

    /// An empty set of planes with the same kind and a new size.
    func resized(height h: Int, width w: Int) -> Planes {
        Planes(count: count, height: h, width: w, channels: channels,
               data: [Float](repeating: 0, count: count * h * w), bound: bound, isImage: isImage, leading: leading)
    }

    /// Rounds and clamps image values to bytes (8-bit images hold whole numbers).
    mutating func quantize() {
        guard isImage else { return }
        for i in data.indices { data[i] = Swift.min(255, Swift.max(0, data[i].rounded())) }
    }

    /// Back to an image (rounded, clamped) or a tensor.
    func feature() -> Feature {
        if isImage {
            let hw = height * width, c = count
            var px = [UInt8](repeating: 0, count: c * hw)
            for i in 0..<hw {
                for k in 0..<c {
                    px[i * c + k] = UInt8(Swift.min(255, Swift.max(0, data[k * hw + i].rounded())))
                }
            }
            return .image(Image(width: width, height: height, channels: c, pixels: px))
        }
        return .tensor(Tensor(data, shape: leading + [height, width]))
    }
}

/// Interpolation for `Resize` and `RandomRotation`, like `InterpolationMode`.
public enum Interpolation: String, Sendable, CaseIterable {
    case nearest
    case bilinear
}

/// Resizes, like `transforms.Resize`.
///
/// `Resize(32)` matches the smaller edge to 32 keeping the aspect ratio
/// (`maxSize` caps the longer edge); `Resize((h, w))` gives exactly that size.
/// Bilinear resampling follows Pillow's: with `antialias`, a downscale
/// widens the filter to average every source pixel it covers.
public struct Resize: Transform {
    /// One value (smaller edge) or two (height, width).
    public let size: [Int]
    /// How pixels are resampled.
    public let interpolation: Interpolation
    /// Upper bound of the longer edge when `size` is one number.
    public let maxSize: Int?
    /// Widen the filter when downscaling (bilinear).
    public let antialias: Bool

    /// Matches the smaller edge to `size`.
    public init(_ size: Int, interpolation: Interpolation = .bilinear, maxSize: Int? = nil, antialias: Bool = true) {
        self.size = [size]
        self.interpolation = interpolation
        self.maxSize = maxSize
        self.antialias = antialias
    }

    /// Resizes to exactly `(height, width)`.
    public init(_ size: (Int, Int), interpolation: Interpolation = .bilinear, antialias: Bool = true) {
        self.size = [size.0, size.1]
        self.interpolation = interpolation
        maxSize = nil
        self.antialias = antialias
    }

    public func validate() throws {
        guard size.allSatisfy({ $0 > 0 }) else {
            throw DataError(.invalidArgument, "Resize: size must be positive, got \(size.count == 1 ? "\(size[0])" : pythonTuple(size))")
        }
        if let m = maxSize, size.count == 1, m <= size[0] {
            throw DataError(.invalidArgument, "Resize: maxSize = \(m) must be strictly greater than the requested size for the smaller edge = \(size[0])")
        }
    }

    /// The output (height, width) for an input of `h × w`.
    public func outputSize(height h: Int, width w: Int) -> (Int, Int) {
        if size.count == 2 { return (size[0], size[1]) }
        let short = Swift.min(h, w), long = Swift.max(h, w)
        var newShort = size[0]
        var newLong = Int(Double(newShort) * Double(long) / Double(short))
        if let m = maxSize, newLong > m {
            newShort = Int(Double(m) * Double(newShort) / Double(newLong))
            newLong = m
        }
        return w <= h ? (newLong, newShort) : (newShort, newLong)
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        let (oh, ow) = outputSize(height: input.height, width: input.width)
        if oh == input.height && ow == input.width { return input }
        let src = try Planes(input, "Resize")
        guard src.height > 0 && src.width > 0 else {
            throw DataError(.transform, "Resize: cannot resize an empty image (\(src.height)x\(src.width))")
        }
        if interpolation == .nearest {
            var out = src.resized(height: oh, width: ow)
            // Pillow samples pixel centres; tensors follow torch's interpolate (floor(i * scale)).
            let centre = src.isImage ? 0.5 : 0.0
            let sy = (0..<oh).map { Swift.min(src.height - 1, Int((Double($0) + centre) * Double(src.height) / Double(oh))) }
            let sx = (0..<ow).map { Swift.min(src.width - 1, Int((Double($0) + centre) * Double(src.width) / Double(ow))) }
            for p in 0..<src.count {
                for y in 0..<oh {
                    for x in 0..<ow {
                        out.data[(p * oh + y) * ow + x] = src.data[(p * src.height + sy[y]) * src.width + sx[x]]
                    }
                }
            }
            return out.feature()
        }
        // Separable: horizontal pass, then vertical (Pillow's order; images round in between).
        var mid = src.resized(height: src.height, width: ow)
        let cx = resampleCoefficients(inSize: src.width, outSize: ow, antialias: antialias)
        for p in 0..<src.count {
            for y in 0..<src.height {
                let row = (p * src.height + y) * src.width
                for x in 0..<ow {
                    var acc: Float = 0
                    for (k, w) in cx.weights[x].enumerated() { acc += w * src.data[row + cx.start[x] + k] }
                    mid.data[(p * src.height + y) * ow + x] = acc
                }
            }
        }
        mid.quantize()
        var out = src.resized(height: oh, width: ow)
        let cy = resampleCoefficients(inSize: src.height, outSize: oh, antialias: antialias)
        for p in 0..<src.count {
            for y in 0..<oh {
                for x in 0..<ow {
                    var acc: Float = 0
                    for (k, w) in cy.weights[y].enumerated() { acc += w * mid.data[(p * src.height + cy.start[y] + k) * ow + x] }
                    out.data[(p * oh + y) * ow + x] = acc
                }
            }
        }
        return out.feature()
    }

    public var description: String {
        let s = size.count == 1 ? "\(size[0])" : pythonTuple(size)
        return "Resize(size=\(s), interpolation=\(interpolation.rawValue), max_size=\(maxSize.map { "\($0)" } ?? "None"), antialias=\(pythonBool(antialias)))"
    }
}

/// Pillow's triangle-filter coefficients: for each output index the first
/// source index and normalized weights.
func resampleCoefficients(inSize: Int, outSize: Int, antialias: Bool) -> (start: [Int], weights: [[Float]]) {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = antialias ? Swift.max(scale, 1) : 1
    let support = 1.0 * filterScale
    var starts: [Int] = []
    var weights: [[Float]] = []
    for i in 0..<outSize {
        let center = (Double(i) + 0.5) * scale
        let lo = Swift.max(0, Int(center - support + 0.5))
        let hi = Swift.min(inSize, Int(center + support + 0.5))
        var w: [Double] = []
        for j in lo..<Swift.max(lo, hi) {
            let x = abs((Double(j) - center + 0.5) / filterScale)
            w.append(x < 1 ? 1 - x : 0)
        }
        var total = w.reduce(0, +)
        if total == 0 {
            // Degenerate window (can only happen at extreme scales): nearest pixel.
            w = [1]
            total = 1
        }
        starts.append(w.count == 1 && hi <= lo ? Swift.min(inSize - 1, Int(center)) : lo)
        weights.append(w.map { Float($0 / total) })
    }
    return (starts, weights)
}

/// Rotates by a random angle, like `transforms.RandomRotation`.
///
/// The angle (degrees, counter-clockwise) is uniform in `degrees`; pixels
/// that come from outside the image get `fill`. With `expand` the output
/// grows to hold the whole rotated image. `center` is (x, y) in pixels,
/// the image centre by default.
public struct RandomRotation: Transform {
    /// Range of the angle in degrees (counter-clockwise).
    public let degrees: (Double, Double)
    /// How pixels are resampled.
    public let interpolation: Interpolation
    /// Enlarge the output to hold the whole rotated image.
    public let expand: Bool
    /// Centre of rotation (x, y) in pixels; nil for the image centre.
    public let center: (Double, Double)?
    /// Value of pixels from outside the image.
    public let fill: Fill

    /// Angles uniform in `[-degrees, degrees]`.
    public init(_ degrees: Double, interpolation: Interpolation = .nearest, expand: Bool = false,
                center: (Double, Double)? = nil, fill: Fill = 0) {
        self.init((-degrees, degrees), interpolation: interpolation, expand: expand, center: center, fill: fill)
    }

    /// Angles uniform in `[degrees.0, degrees.1]`.
    public init(_ degrees: (Double, Double), interpolation: Interpolation = .nearest, expand: Bool = false,
                center: (Double, Double)? = nil, fill: Fill = 0) {
        self.degrees = degrees
        self.interpolation = interpolation
        self.expand = expand
        self.center = center
        self.fill = fill
    }

    public func validate() throws {
        guard degrees.0 <= degrees.1 else {
            throw DataError(.invalidArgument, "RandomRotation: degrees should be (min, max) with min <= max, got \(degrees)")
        }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        let angle = degrees.0 + (degrees.1 - degrees.0) * Double(generator.nextFloat())
        return try rotate(input, angle: angle)
    }

    /// Rotates `input` by `angle` degrees counter-clockwise (Pillow's `rotate`).
    public func rotate(_ input: Feature, angle: Double) throws -> Feature {
        let src = try Planes(input, "RandomRotation")
        try fill.validate("RandomRotation", channels: src.channels)
        let w = src.width, h = src.height
        let (cx, cy) = center ?? (Double(w) / 2, Double(h) / 2)
        let a = -angle.truncatingRemainder(dividingBy: 360) * Double.pi / 180
        func r15(_ v: Double) -> Double { (v * 1e15).rounded() / 1e15 }
        var m = [r15(Foundation.cos(a)), r15(Foundation.sin(a)), 0, r15(-Foundation.sin(a)), r15(Foundation.cos(a)), 0]
        func apply(_ x: Double, _ y: Double) -> (Double, Double) { (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]) }
        (m[2], m[5]) = apply(-cx, -cy)
        m[2] += cx
        m[5] += cy
        var ow = w, oh = h
        if expand {
            var xs: [Double] = [], ys: [Double] = []
            for (x, y) in [(0.0, 0.0), (Double(w), 0), (Double(w), Double(h)), (0, Double(h))] {
                let (tx, ty) = apply(x, y)
                xs.append(tx)
                ys.append(ty)
            }
            ow = Int((xs.max() ?? 0).rounded(.up) - (xs.min() ?? 0).rounded(.down))
            oh = Int((ys.max() ?? 0).rounded(.up) - (ys.min() ?? 0).rounded(.down))
            (m[2], m[5]) = apply(-Double(ow - w) / 2, -Double(oh - h) / 2)
        }
        var out = src.resized(height: oh, width: ow)
        for p in 0..<src.count {
            let fv = Float(fill.value(p % Swift.max(1, src.channels)))
            let base = p * h * w
            for y in 0..<oh {
                for x in 0..<ow {
                    let xin = m[0] * (Double(x) + 0.5) + m[1] * (Double(y) + 0.5) + m[2]
                    let yin = m[3] * (Double(x) + 0.5) + m[4] * (Double(y) + 0.5) + m[5]
                    var v = fv
                    if xin >= 0 && yin >= 0 && xin < Double(w) && yin < Double(h) {
                        if interpolation == .nearest {
                            v = src.data[base + Int(yin) * w + Int(xin)]
                        } else {
                            let fx = xin - 0.5, fy = yin - 0.5
                            let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
                            let dx = Float(fx - Double(x0)), dy = Float(fy - Double(y0))
                            func px(_ yy: Int, _ xx: Int) -> Float {
                                src.data[base + Swift.min(h - 1, Swift.max(0, yy)) * w + Swift.min(w - 1, Swift.max(0, xx))]
                            }
                            let top = px(y0, x0) * (1 - dx) + px(y0, x0 + 1) * dx
                            let bottom = px(y0 + 1, x0) * (1 - dx) + px(y0 + 1, x0 + 1) * dx
                            v = top * (1 - dy) + bottom * dy
                        }
                    }
                    out.data[(p * oh + y) * ow + x] = v
                }
            }
        }
        return out.feature()
    }

    public var description: String {
        var s = "RandomRotation(degrees=[\(pythonFloat(degrees.0)), \(pythonFloat(degrees.1))], interpolation=\(interpolation.rawValue), expand=\(pythonBool(expand))"
        if let c = center { s += ", center=(\(fillString([c.0])), \(fillString([c.1])))" }
        return s + ", fill=\(fill))"
    }
}

import Foundation
