import Foundation

/// Horizontal bars with eighth-block precision, e.g. a class histogram.
public enum Bars {
    static let eighths: [Unicode.Scalar] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// A bar `width` cells long showing `fraction` (0…1).
    public static func bar(fraction: Double, width: Int) -> String {
        guard width > 0 else { return "" }
        let f = max(0, min(1, fraction.isFinite ? fraction : 0))
        let eighthsTotal = Int((f * Double(width * 8)).rounded())
        var s = String(repeating: "█", count: eighthsTotal / 8)
        if eighthsTotal % 8 > 0 { s.unicodeScalars.append(eighths[eighthsTotal % 8 - 1]) }
        return s
    }

    /// One row per item: label, bar, value text. `values` are scaled to the largest (or `maxValue`).
    public static func draw(_ canvas: inout Canvas, _ rect: Rect, labels: [String], values: [Double],
                            valueText: [String], maxValue: Double? = nil, highlight: Int? = nil,
                            barColor: ThemeKey = .histBar, ctx: RenderContext) {
        guard !rect.isEmpty else { return }
        let labelW = min(max(4, labels.map { TextWidth.of($0) }.max() ?? 4), max(4, rect.width / 3))
        let valueW = valueText.map { TextWidth.of($0) }.max() ?? 0
        let barW = rect.width - labelW - valueW - 2
        let top = maxValue ?? values.max() ?? 1
        for (i, label) in labels.enumerated() where i < rect.height {
            let y = rect.y + i
            let isHi = highlight == i
            let labelStyle = ctx.style(isHi ? .selected : .normal)
            canvas.put(TextWidth.pad(label, to: labelW), x: rect.x, y: y, labelStyle)
            if barW > 0 {
                let frac = top > 0 ? values[i] / top : 0
                canvas.put(bar(fraction: frac, width: barW), x: rect.x + labelW + 1, y: y, ctx.style(.series(barColor)))
            }
            if i < valueText.count { canvas.putRight(valueText[i], maxX: rect.maxX, y: y, ctx.style(.dim)) }
        }
    }
}

/// A confusion matrix drawn as a heat map: rows are true classes, columns predictions.
public enum Heatmap {
    /// Draws `matrix` (rows: true class, columns: predicted) with class labels; `selected`
    /// (row, column) is drawn reversed.
    public static func draw(_ canvas: inout Canvas, _ rect: Rect, matrix: [[Int]], labels: [String],
                            selected: (truth: Int, predicted: Int)? = nil, ctx: RenderContext) {
        let n = matrix.count
        guard n > 0, rect.height >= 2 else { return }
        let labelW = min(6, max(3, labels.map { TextWidth.of($0) }.max() ?? 3))
        let cellW = max(2, min(6, (rect.width - labelW - 1) / n))
        let maxCount = max(1, matrix.flatMap { $0 }.max() ?? 1)
        // Header row: predicted class initials / short names.
        canvas.put(TextWidth.pad("t\\p", to: labelW), x: rect.x, y: rect.y, ctx.style(.dim))
        for j in 0..<n {
            let name = j < labels.count ? labels[j] : String(j)
            canvas.put(TextWidth.pad(String(name.prefix(cellW - 1)), to: cellW), x: rect.x + labelW + 1 + j * cellW, y: rect.y, ctx.style(.dim))
        }
        let low = ctx.theme[.heatLow].rgbValue ?? RGB(0, 0, 0)
        let high = ctx.theme[.heatHigh].rgbValue ?? RGB(255, 255, 255)
        for i in 0..<n where i + 1 < rect.height {
            let y = rect.y + 1 + i
            let name = i < labels.count ? labels[i] : String(i)
            canvas.put(TextWidth.pad(String(name.prefix(labelW)), to: labelW), x: rect.x, y: y, ctx.style(.dim))
            let rowTotal = max(1, matrix[i].reduce(0, +))
            for j in 0..<n {
                let v = j < matrix[i].count ? matrix[i][j] : 0
                let text = TextWidth.pad(v == 0 ? "·" : Format.compact(Double(v)), to: cellW - 1) + " "
                var style: Style
                if ctx.colorMode == .monochrome {
                    style = Style(attrs: Double(v) / Double(rowTotal) > 0.5 ? .reverse : [])
                } else {
                    let t = sqrt(Double(v) / Double(maxCount))
                    let bg = low.mixed(with: high, t)
                    style = Style(fg: .rgb(bg.luminance > 0.5 ? RGB(0, 0, 0) : RGB(255, 255, 255)), bg: .rgb(bg), attrs: i == j ? .bold : [])
                }
                if let s = selected, s.truth == i, s.predicted == j { style = style.adding(.reverse) }
                canvas.put(text, x: rect.x + labelW + 1 + j * cellW, y: y, style, maxWidth: cellW)
            }
        }
    }
}

/// A progress meter: "██████▌      42%".
public enum Meter {
    public static func draw(_ canvas: inout Canvas, x: Int, y: Int, width: Int, fraction: Double, ctx: RenderContext) {
        guard width > 6 else { return }
        let pct = String(format: "%3.0f%%", max(0, min(1, fraction)) * 100)
        let barW = width - 5
        let bar = Bars.bar(fraction: fraction, width: barW)
        canvas.fill(Rect(x: x, y: y, width: barW, height: 1), "·", ctx.style(.dim))
        canvas.put(bar, x: x, y: y, ctx.style(.series(.histBar)))
        canvas.put(" " + pct, x: x + barW, y: y, ctx.style(.normal))
    }
}
