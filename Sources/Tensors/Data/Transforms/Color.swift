import Foundation

/// Converts to grayscale, like `transforms.Grayscale`: luma
/// `0.299 R + 0.587 G + 0.114 B` (ITU-R 601-2), as 1 channel or repeated to 3.
public struct Grayscale: Transform {
    /// 1 for a gray image, 3 for gray repeated in R, G and B.
    public let numOutputChannels: Int

    /// Grayscale with 1 or 3 output channels.
    public init(numOutputChannels: Int = 1) { self.numOutputChannels = numOutputChannels }

    public func validate() throws {
        guard numOutputChannels == 1 || numOutputChannels == 3 else {
            throw DataError(.invalidArgument, "Grayscale: numOutputChannels should be either 1 or 3, got \(numOutputChannels)")
        }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        switch input {
        case .image(let img):
            guard img.channels == 3 || img.channels == 1 else {
                throw DataError(.transform, "Grayscale: expected an RGB or L image, got \(img.mode)")
            }
            let hw = img.width * img.height
            var px = [UInt8](repeating: 0, count: hw * numOutputChannels)
            for i in 0..<hw {
                let l = img.channels == 1 ? img.pixels[i] : lumaByte(img.pixels[3 * i], img.pixels[3 * i + 1], img.pixels[3 * i + 2])
                for k in 0..<numOutputChannels { px[i * numOutputChannels + k] = l }
            }
            return .image(Image(width: img.width, height: img.height, channels: numOutputChannels, pixels: px))
        case .tensor:
            var p = try Planes(input, "Grayscale")
            guard p.channels == 3 || p.channels == 1 else {
                throw DataError(.transform, "Grayscale: expected a tensor with 1 or 3 channels, got \(p.channels)")
            }
            let g = grayPlanes(p)
            let hw = p.height * p.width
            let groups = p.count / p.channels
            var d = [Float](repeating: 0, count: groups * numOutputChannels * hw)
            for n in 0..<groups {
                for k in 0..<numOutputChannels {
                    for i in 0..<hw { d[(n * numOutputChannels + k) * hw + i] = g[n * hw + i] }
                }
            }
            p.data = d
            p.count = groups * numOutputChannels
            p.channels = numOutputChannels
            if !p.leading.isEmpty { p.leading[p.leading.count - 1] = numOutputChannels }
            return p.feature()
        }
    }

    public var description: String { "Grayscale(num_output_channels=\(numOutputChannels))" }
}

/// Pillow's `L = R * 299/1000 + G * 587/1000 + B * 114/1000` in fixed point.
@inline(__always)
func lumaByte(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    let sum: Int = Int(r) * 19595 + Int(g) * 38470 + Int(b) * 7471
    return UInt8(truncatingIfNeeded: (sum + 0x8000) >> 16)
}

/// One gray plane per group of channels (bytes rounded for images).
func grayPlanes(_ p: Planes) -> [Float] {
    let hw = p.height * p.width
    let groups = p.count / Swift.max(1, p.channels)
    var out = [Float](repeating: 0, count: groups * hw)
    for n in 0..<groups {
        let base = n * p.channels * hw
        for i in 0..<hw {
            if p.channels == 1 {
                out[n * hw + i] = p.data[base + i]
            } else if p.isImage {
                out[n * hw + i] = Float(lumaByte(UInt8(p.data[base + i]), UInt8(p.data[base + hw + i]), UInt8(p.data[base + 2 * hw + i])))
            } else {
                out[n * hw + i] = 0.2989 * p.data[base + i] + 0.587 * p.data[base + hw + i] + 0.114 * p.data[base + 2 * hw + i]
            }
        }
    }
    return out
}

/// Randomly changes brightness, contrast, saturation and hue, like
/// `transforms.ColorJitter`.
///
/// Each factor is drawn uniformly from its range and the four adjustments
/// run in a random order. A single number `v` means the range
/// `[max(0, 1 − v), 1 + v]` (hue: `[−v, v]`, at most 0.5).
///
/// ```swift
/// ColorJitter(brightness: 0.2, contrast: 0.3)
/// ColorJitter(brightness: (0.5, 1.5))
/// ```
public struct ColorJitter: Transform {
    /// Brightness factor range (nil: unchanged).
    public let brightness: (Double, Double)?
    /// Contrast factor range (nil: unchanged).
    public let contrast: (Double, Double)?
    /// Saturation factor range (nil: unchanged).
    public let saturation: (Double, Double)?
    /// Hue shift range in turns, within [−0.5, 0.5] (nil: unchanged).
    public let hue: (Double, Double)?
    private let argumentError: String?

    /// Ranges given as single numbers (0 means "leave unchanged").
    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0) {
        var err: String?
        func range(_ name: String, _ v: Double, center: Double, bound: (Double, Double), clipFirst: Bool) -> (Double, Double)? {
            if v < 0 { err = err ?? "ColorJitter: if \(name) is a single number, it must be non negative, got \(v)" }
            var r = (center - v, center + v)
            if clipFirst { r.0 = Swift.max(r.0, 0) }
            if r.0 < bound.0 || r.1 > bound.1 { err = err ?? "ColorJitter: \(name) values should be between \(bound), got \(v)" }
            return r.0 == center && r.1 == center ? nil : r
        }
        self.brightness = range("brightness", brightness, center: 1, bound: (0, .infinity), clipFirst: true)
        self.contrast = range("contrast", contrast, center: 1, bound: (0, .infinity), clipFirst: true)
        self.saturation = range("saturation", saturation, center: 1, bound: (0, .infinity), clipFirst: true)
        self.hue = range("hue", hue, center: 0, bound: (-0.5, 0.5), clipFirst: false)
        argumentError = err
    }

    /// Ranges given as (min, max) pairs; nil leaves that property unchanged.
    public init(brightness: (Double, Double)?, contrast: (Double, Double)? = nil,
                saturation: (Double, Double)? = nil, hue: (Double, Double)? = nil) {
        var err: String?
        func check(_ name: String, _ r: (Double, Double)?, _ bound: (Double, Double), center: Double) -> (Double, Double)? {
            guard let r else { return nil }
            if !(bound.0 <= r.0 && r.0 <= r.1 && r.1 <= bound.1) {
                err = err ?? "ColorJitter: \(name) values should be between \(bound), got \(r)"
            }
            return r.0 == center && r.1 == center ? nil : r
        }
        self.brightness = check("brightness", brightness, (0, .infinity), center: 1)
        self.contrast = check("contrast", contrast, (0, .infinity), center: 1)
        self.saturation = check("saturation", saturation, (0, .infinity), center: 1)
        self.hue = check("hue", hue, (-0.5, 0.5), center: 0)
        argumentError = err
    }

    public func validate() throws {
        if let e = argumentError { throw DataError(.invalidArgument, e) }
    }

    public func apply(_ input: Feature, generator g: Generator) throws -> Feature {
        try validate()
        let order = g.randperm(4)
        func draw(_ r: (Double, Double)?) -> Float? {
            guard let r else { return nil }
            return Float(r.0 + (r.1 - r.0) * Double(g.nextFloat()))
        }
        let b = draw(brightness), c = draw(contrast), s = draw(saturation), h = draw(hue)
        if b == nil && c == nil && s == nil && h == nil { return input }
        var p = try Planes(input, "ColorJitter")
        if (s != nil || h != nil || c != nil) && p.channels != 3 && p.channels != 1 {
            throw DataError(.transform, "ColorJitter: expected 1 or 3 channels, got \(p.channels)")
        }
        for fn in order {
            switch fn {
            case 0: if let f = b { blend(&p, with: nil, factor: f) }
            case 1:
                if let f = c {
                    let gray = grayPlanes(p)
                    let hw = p.height * p.width
                    var means: [Float] = []
                    for n in 0..<(p.count / Swift.max(1, p.channels)) {
                        var acc: Double = 0
                        for i in 0..<hw { acc += Double(gray[n * hw + i]) }
                        let m = Float(acc / Double(Swift.max(1, hw)))
                        means.append(p.isImage ? (m + 0.5).rounded(.down) : m)
                    }
                    blend(&p, with: .mean(means), factor: f)
                }
            case 2: if let f = s, p.channels == 3 { blend(&p, with: .gray(grayPlanes(p)), factor: f) }
            default:
                if let f = h, p.channels == 3 {
                    if p.isImage { shiftHueBytes(&p, f) } else { shiftHue(&p, f) }
                }
            }
        }
        return p.feature()
    }

    private enum Degenerate {
        case mean([Float])
        case gray([Float])
    }

    /// `x = other * (1 − f) + x * f`, clamped to the value range (black when `other` is nil).
    private func blend(_ p: inout Planes, with other: Degenerate?, factor f: Float) {
        let hw = p.height * p.width
        for plane in 0..<p.count {
            let n = plane / Swift.max(1, p.channels)
            for i in 0..<hw {
                var o: Float = 0
                switch other {
                case .none: o = 0
                case .mean(let m): o = m[n]
                case .gray(let g): o = g[n * hw + i]
                }
                var v = o * (1 - f) + p.data[plane * hw + i] * f
                v = Swift.min(p.bound, Swift.max(0, v))
                p.data[plane * hw + i] = p.isImage ? v.rounded(.towardZero) : v
            }
        }
    }

    /// Pillow's hue shift on 8-bit images: RGB → HSV bytes, hue byte plus
    /// `Int(f * 255)` (wrapping), back to RGB.
    private func shiftHueBytes(_ p: inout Planes, _ f: Float) {
        let hw = p.height * p.width
        let shift = UInt8(truncatingIfNeeded: Int(f * 255))
        for n in 0..<(p.count / 3) {
            let base = n * 3 * hw
            for i in 0..<hw {
                let r = UInt8(p.data[base + i]), g = UInt8(p.data[base + hw + i]), b = UInt8(p.data[base + 2 * hw + i])
                var (h, s, v) = rgbToHSVBytes(r, g, b)
                h = h &+ shift
                let (r2, g2, b2) = hsvBytesToRGB(h, s, v)
                p.data[base + i] = Float(r2)
                p.data[base + hw + i] = Float(g2)
                p.data[base + 2 * hw + i] = Float(b2)
            }
        }
    }

    /// Rotates hue by `f` turns in HSV space.
    private func shiftHue(_ p: inout Planes, _ f: Float) {
        let hw = p.height * p.width
        for n in 0..<(p.count / 3) {
            let base = n * 3 * hw
            for i in 0..<hw {
                let r = p.data[base + i] / p.bound, g = p.data[base + hw + i] / p.bound, b = p.data[base + 2 * hw + i] / p.bound
                let maxc = Swift.max(r, g, b), minc = Swift.min(r, g, b)
                let v = maxc
                let delta = maxc - minc
                let s = maxc == 0 ? 0 : delta / maxc
                var h: Float = 0
                if delta > 0 {
                    if maxc == r { h = (g - b) / delta } else if maxc == g { h = 2 + (b - r) / delta } else { h = 4 + (r - g) / delta }
                    h /= 6
                    if h < 0 { h += 1 }
                }
                h = (h + f).truncatingRemainder(dividingBy: 1)
                if h < 0 { h += 1 }
                let hi = Int(h * 6) % 6
                let fr = h * 6 - Float(Int(h * 6))
                let pp = v * (1 - s), q = v * (1 - s * fr), t = v * (1 - s * (1 - fr))
                let rgb: (Float, Float, Float)
                switch hi {
                case 0: rgb = (v, t, pp)
                case 1: rgb = (q, v, pp)
                case 2: rgb = (pp, v, t)
                case 3: rgb = (pp, q, v)
                case 4: rgb = (t, pp, v)
                default: rgb = (v, pp, q)
                }
                p.data[base + i] = rgb.0 * p.bound
                p.data[base + hw + i] = rgb.1 * p.bound
                p.data[base + 2 * hw + i] = rgb.2 * p.bound
            }
        }
        p.quantize()
    }

    public var description: String {
        func r(_ v: (Double, Double)?) -> String { v.map { "(\(pythonFloat($0.0)), \(pythonFloat($0.1)))" } ?? "None" }
        return "ColorJitter(brightness=\(r(brightness)), contrast=\(r(contrast)), saturation=\(r(saturation)), hue=\(r(hue)))"
    }
}

/// Pillow's RGB → HSV for 8-bit pixels (hue and saturation scaled to 0–255, truncated).
func rgbToHSVBytes(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (UInt8, UInt8, UInt8) {
    let maxc = Swift.max(r, g, b), minc = Swift.min(r, g, b)
    if maxc == minc { return (0, 0, maxc) }
    let cr = Float(maxc - minc)
    let s = cr / Float(maxc)
    let rc = Float(maxc - r) / cr, gc = Float(maxc - g) / cr, bc = Float(maxc - b) / cr
    var h: Float
    if r == maxc { h = bc - gc } else if g == maxc { h = 2 + rc - bc } else { h = 4 + gc - rc }
    h = (h / 6 + 1).truncatingRemainder(dividingBy: 1)
    func clip(_ x: Float) -> UInt8 { UInt8(Swift.min(255, Swift.max(0, Int(x)))) }
    return (clip(h * 255), clip(s * 255), maxc)
}

/// Pillow's HSV → RGB for 8-bit pixels.
func hsvBytesToRGB(_ h: UInt8, _ s: UInt8, _ v: UInt8) -> (UInt8, UInt8, UInt8) {
    if s == 0 { return (v, v, v) }
    let hf = Float(h) * 6 / 255
    let i = Int(hf.rounded(.down))
    let f = hf - Float(i)
    let fs = Float(s) / 255
    func clip(_ x: Float) -> UInt8 { UInt8(Swift.min(255, Swift.max(0, Int(x.rounded())))) }
    let p = clip(Float(v) * (1 - fs)), q = clip(Float(v) * (1 - fs * f)), t = clip(Float(v) * (1 - fs * (1 - f)))
    switch i % 6 {
    case 0: return (v, t, p)
    case 1: return (q, v, p)
    case 2: return (p, v, t)
    case 3: return (p, q, v)
    case 4: return (t, p, v)
    default: return (v, p, q)
    }
}
