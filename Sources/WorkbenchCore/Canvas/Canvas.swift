/// Text attributes of a cell.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let underline = TextAttributes(rawValue: 4)
    public static let reverse = TextAttributes(rawValue: 8)
    public static let italic = TextAttributes(rawValue: 16)
}

/// Foreground, background and attributes of a cell.
public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attrs: TextAttributes

    public init(fg: Color = .terminalDefault, bg: Color = .terminalDefault, attrs: TextAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attrs = attrs
    }

    public static let plain = Style()

    public func with(fg: Color) -> Style { var s = self; s.fg = fg; return s }
    public func with(bg: Color) -> Style { var s = self; s.bg = bg; return s }
    public func adding(_ a: TextAttributes) -> Style { var s = self; s.attrs.formUnion(a); return s }
}

/// One terminal cell: a column-wide character and its style.
///
/// A double-width character occupies its cell and the next one, which holds
/// `Cell.continuation` so the screen skips it.
public struct Cell: Hashable, Sendable {
    public var char: Unicode.Scalar
    public var style: Style

    public init(_ char: Unicode.Scalar = " ", _ style: Style = .plain) {
        self.char = char
        self.style = style
    }

    /// The marker stored in the right half of a double-width character.
    public static let continuationScalar: Unicode.Scalar = "\u{0}"
    public var isContinuation: Bool { char == Cell.continuationScalar }
}

/// An in-memory grid of cells that panes draw into; the screen flushes it to the
/// terminal, tests read it back as text and styles.
///
/// Writes outside `clip` (initially the whole canvas) are dropped, so a pane drawing
/// into its rectangle cannot damage its neighbours.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// What the terminal can show; renderers choose glyphs by it (e.g. ASCII images in monochrome).
    public var colorMode: ColorMode
    /// Writes outside this rectangle are ignored.
    public var clip: Rect

    public init(width: Int, height: Int, colorMode: ColorMode = .truecolor, fill: Cell = Cell()) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.colorMode = colorMode
        cells = Array(repeating: fill, count: self.width * self.height)
        clip = Rect(x: 0, y: 0, width: self.width, height: self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return Cell() }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height, clip.contains(x: x, y: y) else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Runs `body` with writes restricted to `rect` (intersected with the current clip).
    public mutating func clipped(to rect: Rect, _ body: (inout Canvas) -> Void) {
        let saved = clip
        clip = clip.intersection(rect)
        body(&self)
        clip = saved
    }

    /// Fills `rect` with `char` in `style`.
    public mutating func fill(_ rect: Rect, _ char: Unicode.Scalar = " ", _ style: Style) {
        let r = rect.intersection(clip)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x] = Cell(char, style) }
        }
    }

    /// Changes only the style of the cells in `rect`, keeping their characters.
    public mutating func restyle(_ rect: Rect, _ transform: (Style) -> Style) {
        let r = rect.intersection(clip)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x].style = transform(cells[y * width + x].style) }
        }
    }

    /// Writes `text` starting at (`x`, `y`), at most `maxWidth` columns (default: to the
    /// clip edge). Text that does not fit ends with `…`. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, _ style: Style, maxWidth: Int? = nil) -> Int {
        let limit = min(maxWidth ?? Int.max, clip.maxX - x)
        guard limit > 0, y >= clip.y, y < clip.maxY else { return 0 }
        let total = TextWidth.of(text)
        let truncate = total > limit
        var col = 0
        for ch in text {
            guard let scalar = ch.unicodeScalars.first else { continue }
            let w = TextWidth.of(scalar)
            if w == 0 { continue }
            if truncate && col + w > limit - 1 {
                self[x + col, y] = Cell("…", style)
                return col + 1
            }
            if col + w > limit { break }
            self[x + col, y] = Cell(scalar, style)
            if w == 2 { self[x + col + 1, y] = Cell(Cell.continuationScalar, style) }
            col += w
        }
        return col
    }

    /// Writes `text` right-aligned so that it ends just before column `maxX`.
    @discardableResult
    public mutating func putRight(_ text: String, maxX: Int, y: Int, _ style: Style) -> Int {
        put(text, x: maxX - TextWidth.of(text), y: y, style)
    }

    /// Writes `text` centred in `rect`'s row `y`.
    public mutating func putCentered(_ text: String, in rect: Rect, y: Int, _ style: Style) {
        let w = min(TextWidth.of(text), rect.width)
        put(text, x: rect.x + (rect.width - w) / 2, y: y, style, maxWidth: rect.width)
    }

    // MARK: Reading back (tests, e2e debugging)

    /// Row `y` as a string (continuation cells omitted).
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = String.UnicodeScalarView()
        for x in 0..<width where !cells[y * width + x].isContinuation { s.append(cells[y * width + x].char) }
        return String(s)
    }

    /// The whole canvas as lines of text.
    public var text: String { (0..<height).map { row($0) }.joined(separator: "\n") }

    /// The text of `rect`, one line per row.
    public func text(in rect: Rect) -> String {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return "" }
        return (r.y..<r.maxY).map { y in
            var s = String.UnicodeScalarView()
            for x in r.x..<r.maxX where !cells[y * width + x].isContinuation { s.append(cells[y * width + x].char) }
            return String(s)
        }.joined(separator: "\n")
    }

    /// The position of the first occurrence of `needle` (searching row by row).
    public func find(_ needle: String) -> (x: Int, y: Int)? {
        for y in 0..<height {
            let line = Array(row(y))
            let n = Array(needle)
            guard n.count <= line.count, !n.isEmpty else { continue }
            for x in 0...(line.count - n.count) where Array(line[x..<(x + n.count)]) == n { return (x, y) }
        }
        return nil
    }

    public func contains(_ needle: String) -> Bool { find(needle) != nil }
}

/// Display width of text in terminal columns (0 for combining marks, 2 for East Asian
/// wide characters and most emoji, else 1). Independent of the C locale so tests and
/// the screen agree.
public enum TextWidth {
    public static func of(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v) || wideSymbols.contains(v) {
            return 2
        }
        return 1
    }

    /// Symbols below U+3000 that terminals draw two columns wide (emoji presentation).
    static let wideSymbols: Set<UInt32> = {
        let single: [UInt32] = [
            0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE, 0x2614, 0x2615,
            0x267F, 0x2693, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA,
            0x26F2, 0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753,
            0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55,
        ]
        return Set(single).union(0x2648...0x2653)
    }()

    public static func of(_ text: String) -> Int {
        var w = 0
        for ch in text { if let s = ch.unicodeScalars.first { w += of(s) } }
        return w
    }

    /// `text` cut to at most `width` columns, ending in `…` when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var out = ""
        var w = 0
        for ch in text {
            let cw = ch.unicodeScalars.first.map { of($0) } ?? 0
            if w + cw > width - 1 { break }
            out.append(ch)
            w += cw
        }
        return out + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    public static func pad(_ text: String, to width: Int) -> String {
        let t = truncate(text, to: width)
        return t + String(repeating: " ", count: max(0, width - of(t)))
    }
}
