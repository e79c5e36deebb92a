import Foundation

/// A bordered box with a title, like btop's panes.
public enum Box {
    /// Draws a rounded box on `rect` with `title` on the top edge (and `rightTitle` at the
    /// right end of it), fills the inside with the background, and returns the inner rectangle.
    @discardableResult
    public static func draw(_ canvas: inout Canvas, _ rect: Rect, title: String, rightTitle: String = "",
                            focused: Bool, ctx: RenderContext) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let border = ctx.style(focused ? .borderFocused : .border)
        canvas.fill(rect, " ", ctx.style(.normal))
        let x0 = rect.x, x1 = rect.maxX - 1, y0 = rect.y, y1 = rect.maxY - 1
        for x in (x0 + 1)..<x1 {
            canvas[x, y0] = Cell("─", border)
            canvas[x, y1] = Cell("─", border)
        }
        for y in (y0 + 1)..<y1 {
            canvas[x0, y] = Cell("│", border)
            canvas[x1, y] = Cell("│", border)
        }
        canvas[x0, y0] = Cell("╭", border)
        canvas[x1, y0] = Cell("╮", border)
        canvas[x0, y1] = Cell("╰", border)
        canvas[x1, y1] = Cell("╯", border)
        let titleStyle = ctx.style(focused ? .titleFocused : .title)
        var used = 0
        if !title.isEmpty && rect.width > 6 {
            used = canvas.put(" " + title + " ", x: x0 + 2, y: y0, titleStyle, maxWidth: rect.width - 4)
        }
        if !rightTitle.isEmpty {
            let room = rect.width - 6 - used
            if room > 3 {
                let t = TextWidth.truncate(" " + rightTitle + " ", to: room)
                canvas.put(t, x: x1 - 1 - TextWidth.of(t), y: y0, ctx.style(focused ? .highlight : .dim))
            }
        }
        return rect.inset(1)
    }

    /// A horizontal rule across `rect`'s row `y` with a caption.
    public static func rule(_ canvas: inout Canvas, x: Int, y: Int, width: Int, caption: String, ctx: RenderContext) {
        let style = ctx.style(.border)
        for i in 0..<width { canvas[x + i, y] = Cell("─", style) }
        if !caption.isEmpty { canvas.put(" " + caption + " ", x: x + 1, y: y, ctx.style(.dim), maxWidth: width - 2) }
    }
}

/// Number formatting for axes, legends and the status bar.
public enum Format {
    /// A short number: "1.23", "0.0123", "12.3k", "1e-05".
    public static func compact(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1_000_000 { return trim(String(format: "%.1f", v / 1_000_000)) + "M" }
        if a >= 10_000 { return trim(String(format: "%.1f", v / 1000)) + "k" }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return trim(String(format: "%.1f", v)) }
        if a >= 1 { return trim(String(format: "%.2f", v)) }
        if a >= 0.001 { return trim(String(format: "%.4f", v)) }
        return String(format: "%.0e", v)
    }

    /// A loss or metric value with 4 decimals: "2.3026", "0.0451" (tiny values in e-notation).
    public static func metric(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        let a = abs(v)
        if a >= 1000 { return String(format: "%.0f", v) }
        if a >= 0.001 || a == 0 { return String(format: "%.4f", v) }
        return String(format: "%.3e", v)
    }

    /// "1,234,567" style integer grouping (PyTorch summaries use commas).
    public static func grouped(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Short parameter count: "61.7k", "11.2M", "840".
    public static func params(_ n: Int) -> String {
        if n >= 1_000_000 { return trim(String(format: "%.2f", Double(n) / 1e6)) + "M" }
        if n >= 10_000 { return trim(String(format: "%.1f", Double(n) / 1e3)) + "k" }
        return String(n)
    }

    /// Short byte size: "840 B", "3.1 KB", "1.25 MB" (powers of 1024).
    public static func bytes(_ n: Int) -> String {
        if n >= 1 << 20 { return trim(String(format: "%.2f", Double(n) / 1_048_576)) + " MB" }
        if n >= 1 << 10 { return trim(String(format: "%.1f", Double(n) / 1024)) + " KB" }
        return "\(n) B"
    }

    /// "6×28×28": a shape without its batch dimension.
    public static func dims(_ s: [Int]) -> String { s.dropFirst().map(String.init).joined(separator: "×") }

    /// "[1, 6, 28, 28]".
    public static func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    /// "1:02:03" or "02:03".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) }
        return String(format: "%02d:%02d", s / 60, s % 60)
    }

    static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
