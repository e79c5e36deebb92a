/// A 24-bit colour.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Parses `#rrggbb` (or `rrggbb`); nil when malformed.
    public init?(hex: String) {
        var s = Substring(hex)
        if s.hasPrefix("#") { s = s.dropFirst() }
        guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
        self.init(UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff))
    }

    public var hex: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for c in [r, g, b] {
            s.append(digits[Int(c >> 4)])
            s.append(digits[Int(c & 15)])
        }
        return s
    }

    public var description: String { hex }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the encoded values).
    public var luminance: Double {
        (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
    }

    /// Linear blend: `t = 0` gives `self`, `t = 1` gives `other`.
    public func mixed(with other: RGB, _ t: Double) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8(max(0, min(255, (Double(a) * (1 - t) + Double(b) * t).rounded())))
        }
        return RGB(m(r, other.r), m(g, other.g), m(b, other.b))
    }
}

/// A cell colour: the terminal's own default, or an RGB value that the screen maps to
/// what the terminal can show (direct colour, the 256-colour palette, or 8 colours).
public enum Color: Hashable, Sendable {
    case terminalDefault
    case rgb(RGB)

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self = .rgb(RGB(r, g, b)) }

    public var rgbValue: RGB? {
        if case .rgb(let c) = self { return c }
        return nil
    }
}

/// What the terminal can display, decided once at start-up from the terminfo entry,
/// `COLORTERM` and `NO_COLOR`.
public enum ColorMode: String, Sendable, CaseIterable {
    /// 24-bit colour (a direct-colour terminfo entry and `COLORTERM=truecolor`/`24bit`).
    case truecolor
    /// The xterm 256-colour palette.
    case palette256
    /// The 8 ANSI colours.
    case ansi8
    /// No colour: attributes only; images are drawn as shaded ASCII.
    case monochrome

    /// Decides the mode from the environment and the terminal's colour count.
    ///
    /// `NO_COLOR` (any non-empty value) wins; then fewer than 8 colours means monochrome;
    /// truecolor needs both `COLORTERM` saying so and a terminal that can show it.
    public static func detect(environment: [String: String], terminalColors: Int, directColor: Bool) -> ColorMode {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .monochrome }
        if terminalColors < 8 { return .monochrome }
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        if directColor && (colorterm == "truecolor" || colorterm == "24bit") { return .truecolor }
        if terminalColors >= 256 || directColor { return .palette256 }
        return .ansi8
    }
}

/// Colour-space conversions to terminal palettes.
public enum Palette {
    /// The 6 levels of each axis of the xterm colour cube.
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The nearest xterm-256 palette index (the 6×6×6 cube at 16 + 36r + 6g + b, or the
    /// grey ramp 232…255, whichever is closer).
    public static func index256(_ c: RGB) -> Int {
        func level(_ v: UInt8) -> Int {
            // Nearest of 0, 95, 135, 175, 215, 255.
            let x = Int(v)
            if x < 48 { return 0 }
            if x < 115 { return 1 }
            return min(5, (x - 35) / 40)
        }
        let ri = level(c.r), gi = level(c.g), bi = level(c.b)
        let cube = RGB(UInt8(cubeLevels[ri]), UInt8(cubeLevels[gi]), UInt8(cubeLevels[bi]))
        let avg = (Int(c.r) + Int(c.g) + Int(c.b)) / 3
        let greyIndex = avg > 238 ? 23 : max(0, (avg - 3) / 10)
        let greyValue = UInt8(8 + 10 * greyIndex)
        let grey = RGB(greyValue, greyValue, greyValue)
        if distance(c, grey) < distance(c, cube) { return 232 + greyIndex }
        return 16 + 36 * ri + 6 * gi + bi
    }

    /// The RGB value of xterm-256 palette entry `i` (16…255; 0…15 use the ANSI set).
    public static func rgb256(_ i: Int) -> RGB {
        if i < 16 { return ansi16[max(0, i)] }
        if i >= 232 {
            let v = UInt8(8 + 10 * (i - 232))
            return RGB(v, v, v)
        }
        let n = i - 16
        return RGB(UInt8(cubeLevels[n / 36]), UInt8(cubeLevels[(n / 6) % 6]), UInt8(cubeLevels[n % 6]))
    }

    /// The nearest of the 8 ANSI colours (0 black, 1 red, 2 green, 3 yellow, 4 blue,
    /// 5 magenta, 6 cyan, 7 white).
    public static func index8(_ c: RGB) -> Int {
        var best = 0
        var bestD = Int.max
        for i in 0..<8 {
            let d = distance(c, ansi8Reference[i])
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    static let ansi8Reference: [RGB] = [
        RGB(0, 0, 0), RGB(205, 49, 49), RGB(13, 188, 121), RGB(229, 229, 16),
        RGB(36, 114, 200), RGB(188, 63, 188), RGB(17, 168, 205), RGB(229, 229, 229),
    ]

    static let ansi16: [RGB] = ansi8Reference + [
        RGB(102, 102, 102), RGB(241, 76, 76), RGB(35, 209, 139), RGB(245, 245, 67),
        RGB(59, 142, 234), RGB(214, 112, 214), RGB(41, 184, 219), RGB(255, 255, 255),
    ]

    static func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.r) - Int(b.r), dg = Int(a.g) - Int(b.g), db = Int(a.b) - Int(b.b)
        // Weighted like perceived brightness so greys do not turn into hues.
        return 3 * dr * dr + 4 * dg * dg + 2 * db * db
    }
}
