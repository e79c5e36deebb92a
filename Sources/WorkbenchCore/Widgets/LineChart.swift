import Foundation

/// A point of a chart series.
public struct ChartPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named line on a chart.
public struct ChartSeries: Sendable {
    public var name: String
    public var points: [ChartPoint]
    public var color: ThemeKey
    /// Plotted against the right axis (0…100 %) instead of the left one.
    public var rightAxis: Bool
    /// Drawn as the min/max envelope of the points in each dot column (a band of raw
    /// values behind a smoothed line) instead of a line through their mean.
    public var band: Bool

    public init(name: String, points: [ChartPoint], color: ThemeKey, rightAxis: Bool = false, band: Bool = false) {
        self.name = name
        self.points = points
        self.color = color
        self.rightAxis = rightAxis
        self.band = band
    }
}

/// A vertical mark at an x value, e.g. a learning-rate change.
public struct ChartMarker: Equatable, Sendable {
    public var x: Double
    public var label: String
    public init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}

/// A line chart drawn with braille dots (2×4 per cell) with labelled, ticked axes.
///
/// The left axis is linear or logarithmic; series marked `rightAxis` use a right axis
/// from 0 to 100 %. Each cell takes the colour of the last series drawn through it.
public struct LineChart: Sendable {
    public var series: [ChartSeries]
    public var markers: [ChartMarker]
    public var xTitle: String
    public var logScale: Bool
    /// A logarithmic x axis (points at x ≤ 0 are left out).
    public var logX: Bool
    /// Fixed x range; by default the data's range.
    public var xRange: ClosedRange<Double>?
    /// Shown in the middle when there is nothing to plot.
    public var emptyMessage: String

    public init(series: [ChartSeries], markers: [ChartMarker] = [], xTitle: String = "",
                logScale: Bool = false, logX: Bool = false, xRange: ClosedRange<Double>? = nil, emptyMessage: String = "no data yet") {
        self.series = series
        self.markers = markers
        self.xTitle = xTitle
        self.logScale = logScale
        self.logX = logX
        self.xRange = xRange
        self.emptyMessage = emptyMessage
    }

    static let dotBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Draws the chart into `rect` (axes and labels included).
    public func draw(_ canvas: inout Canvas, _ rect: Rect, ctx: RenderContext) {
        guard rect.width >= 12, rect.height >= 4 else { return }
        // A log x axis is a linear one over log10(x): transform once, label with 10^t.
        let tx: (Double) -> Double = { log10($0) }
        let series = logX ? self.series.map { s in
            var s = s
            s.points = s.points.filter { $0.x > 0 }.map { ChartPoint(tx($0.x), $0.y) }
            return s
        } : self.series
        let markers = logX ? self.markers.filter { $0.x > 0 }.map { ChartMarker(x: tx($0.x), label: $0.label) } : self.markers
        let xRange = logX ? self.xRange.flatMap { r in r.lowerBound > 0 ? tx(r.lowerBound)...tx(r.upperBound) : nil } : self.xRange
        let axisStyle = ctx.style(.axis)
        let leftPoints = series.filter { !$0.rightAxis }.flatMap(\.points).filter { $0.y.isFinite && (!logScale || $0.y > 0) }
        let hasRight = series.contains { $0.rightAxis }
        let allPoints = series.flatMap(\.points).filter { $0.y.isFinite }

        // X range.
        let xlo = xRange?.lowerBound ?? allPoints.map(\.x).min() ?? 0
        var xhi = xRange?.upperBound ?? allPoints.map(\.x).max() ?? 1
        if xhi <= xlo { xhi = xlo + 1 }

        // Left Y range (in transformed space when logarithmic), expanded to nice ticks.
        let plotRowsGuess = rect.height - 2
        let tf: (Double) -> Double = logScale ? { log10(max($0, 1e-12)) } : { $0 }
        var ylo = leftPoints.map { tf($0.y) }.min() ?? 0
        var yhi = leftPoints.map { tf($0.y) }.max() ?? 1
        if yhi - ylo < 1e-9 {
            let pad = Swift.max(abs(ylo) * 0.1, logScale ? 0.5 : 0.5)
            ylo -= pad
            yhi += pad
        }
        var yTicks = LineChart.niceTicks(ylo, yhi, maxCount: Swift.max(2, Swift.min(6, plotRowsGuess / 2 + 1)), expand: true)
        if let f = yTicks.first, let l = yTicks.last, l > f { ylo = f; yhi = l }
        if !logScale && ylo < 0 && (leftPoints.allSatisfy { $0.y >= 0 }) {
            ylo = 0
            yTicks = yTicks.filter { $0 >= 0 }
        }
        let yLabels = yTicks.map { Format.compact(logScale ? pow(10, $0) : $0) }
        let leftW = (yLabels.map { TextWidth.of($0) }.max() ?? 1)
        let rightLabels = ["100%", "75%", "50%", "25%", "0%"]
        let rightW = hasRight ? 5 : 0

        let plot = Rect(x: rect.x + leftW + 1, y: rect.y, width: rect.width - leftW - 1 - (hasRight ? rightW + 1 : 0),
                        height: rect.height - 2)
        guard plot.width >= 4, plot.height >= 1 else { return }

        // Axes.
        for y in plot.y..<plot.maxY { canvas[plot.x - 1, y] = Cell("│", axisStyle) }
        canvas[plot.x - 1, plot.maxY] = Cell("└", axisStyle)
        for x in plot.x..<plot.maxX { canvas[x, plot.maxY] = Cell("─", axisStyle) }
        for (t, label) in zip(yTicks, yLabels) {
            let row = plot.y + rowFor(t, lo: ylo, hi: yhi, rows: plot.height)
            canvas.putRight(label, maxX: plot.x - 1, y: row, axisStyle)
            canvas[plot.x - 1, row] = Cell("┤", axisStyle)
        }
        if hasRight {
            let ax = plot.maxX
            for y in plot.y..<plot.maxY { canvas[ax, y] = Cell("│", axisStyle) }
            canvas[ax, plot.maxY] = Cell("┘", axisStyle)
            for (i, label) in rightLabels.enumerated() {
                let v = 1.0 - Double(i) * 0.25
                let row = plot.y + rowFor(v, lo: 0, hi: 1, rows: plot.height)
                canvas[ax, row] = Cell("├", axisStyle)
                canvas.put(label, x: ax + 1, y: row, axisStyle, maxWidth: rightW)
            }
        }
        // X ticks and labels.
        let integral = !logX && allPoints.allSatisfy { $0.x.rounded() == $0.x }
        var xTicks = LineChart.niceTicks(xlo, xhi, maxCount: Swift.max(2, plot.width / 8), expand: false)
        if integral { xTicks = Array(Set(xTicks.map { $0.rounded() })).sorted() }
        var nextFree = plot.x - 1
        let titleW = xTitle.isEmpty ? 0 : TextWidth.of(xTitle) + 1
        for t in xTicks {
            let col = plot.x + colFor(t, lo: xlo, hi: xhi, cols: plot.width)
            canvas[col, plot.maxY] = Cell("┴", axisStyle)
            let label = integral ? String(Int(t)) : Format.compact(logX ? pow(10, t) : t)
            let lw = TextWidth.of(label)
            let lx = Swift.max(col - lw / 2, plot.x - 1)
            if lx > nextFree && lx + lw <= rect.maxX - titleW {
                canvas.put(label, x: lx, y: plot.maxY + 1, axisStyle)
                nextFree = lx + lw
            }
        }
        if titleW > 0 { canvas.putRight(xTitle, maxX: rect.maxX, y: plot.maxY + 1, axisStyle) }

        if allPoints.isEmpty {
            canvas.putCentered(emptyMessage, in: plot, y: plot.y + plot.height / 2, ctx.style(.dim))
            return
        }

        // Dots.
        let dw = plot.width * 2, dh = plot.height * 4
        var bits = [UInt8](repeating: 0, count: plot.width * plot.height)
        var colors = [ThemeKey?](repeating: nil, count: plot.width * plot.height)
        func setDot(_ px: Int, _ py: Int, _ color: ThemeKey) {
            guard px >= 0, py >= 0, px < dw, py < dh else { return }
            let ci = (py / 4) * plot.width + px / 2
            bits[ci] |= LineChart.dotBits[px % 2][py % 4]
            colors[ci] = color
        }
        for m in markers where m.x >= xlo && m.x <= xhi {
            let px = Int(((m.x - xlo) / (xhi - xlo) * Double(dw - 1)).rounded())
            for py in stride(from: 0, to: dh, by: 2) { setDot(px, py, .marker) }
        }
        for s in series {
            let lo = s.rightAxis ? 0 : ylo, hi = s.rightAxis ? 1 : yhi
            let pts = s.points.filter { $0.y.isFinite && $0.x >= xlo && $0.x <= xhi && (s.rightAxis || !logScale || $0.y > 0) }
            if s.band {
                drawBand(pts, lo: lo, hi: hi, tf: s.rightAxis ? { $0 } : tf, xlo: xlo, xhi: xhi, dw: dw, dh: dh) { setDot($0, $1, s.color) }
                continue
            }
            var mapped: [(Int, Int)] = []
            // Many points: average each dot column.
            var bucketX = -1, sum = 0.0, n = 0
            func flush() {
                guard n > 0 else { return }
                let y = s.rightAxis ? sum / Double(n) : sum / Double(n)
                let py = Int(((1 - (y - lo) / (hi - lo)) * Double(dh - 1)).rounded())
                mapped.append((bucketX, Swift.min(dh - 1, Swift.max(0, py))))
            }
            for p in pts {
                let px = Int(((p.x - xlo) / (xhi - xlo) * Double(dw - 1)).rounded())
                let v = s.rightAxis ? p.y : tf(p.y)
                if px != bucketX { flush(); bucketX = px; sum = 0; n = 0 }
                sum += v
                n += 1
            }
            flush()
            if mapped.count == 1 { setDot(mapped[0].0, mapped[0].1, s.color) }
            for i in 1..<Swift.max(1, mapped.count) {
                LineChart.line(mapped[i - 1], mapped[i]) { setDot($0, $1, s.color) }
            }
        }
        for r in 0..<plot.height {
            for c in 0..<plot.width where bits[r * plot.width + c] != 0 {
                let scalar = Unicode.Scalar(0x2800 + UInt32(bits[r * plot.width + c])) ?? "⣿"
                let key = colors[r * plot.width + c] ?? .mainFg
                canvas[plot.x + c, plot.y + r] = Cell(scalar, ctx.style(.series(key)))
            }
        }
        // Marker labels on the top row, right of the mark.
        var labelFree = plot.x
        for m in markers.sorted(by: { $0.x < $1.x }) where m.x >= xlo && m.x <= xhi {
            let col = plot.x + colFor(m.x, lo: xlo, hi: xhi, cols: plot.width)
            let lx = Swift.max(col + 1, labelFree)
            let w = TextWidth.of(m.label)
            if lx + w <= plot.maxX {
                canvas.put(m.label, x: lx, y: plot.y, ctx.style(.series(.marker)))
                labelFree = lx + w + 1
            }
        }
    }

    func rowFor(_ v: Double, lo: Double, hi: Double, rows: Int) -> Int {
        guard hi > lo, rows > 1 else { return 0 }
        return Swift.min(rows - 1, Swift.max(0, Int(((1 - (v - lo) / (hi - lo)) * Double(rows - 1)).rounded())))
    }

    func colFor(_ v: Double, lo: Double, hi: Double, cols: Int) -> Int {
        guard hi > lo, cols > 1 else { return 0 }
        return Swift.min(cols - 1, Swift.max(0, Int(((v - lo) / (hi - lo) * Double(cols - 1)).rounded())))
    }

    /// "Nice" tick values (1, 2, 5 × 10ⁿ steps) covering [lo, hi]; with `expand` the first and
    /// last ticks enclose the range, otherwise they lie inside it.
    public static func niceTicks(_ lo: Double, _ hi: Double, maxCount: Int, expand: Bool) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let maxCount = Swift.max(2, maxCount)
        // The smallest 1-2-5 step that gives at most `maxCount` ticks.
        let base = pow(10, floor(log10((hi - lo) / Double(maxCount)))) / 10
        var step = base
        search: for e in 0..<6 {
            for m in [1.0, 2.0, 5.0] {
                step = m * base * pow(10, Double(e))
                let first = expand ? floor(lo / step + 1e-9) : ceil(lo / step - 1e-9)
                let last = expand ? ceil(hi / step - 1e-9) : floor(hi / step + 1e-9)
                if Int(last - first) + 1 <= maxCount { break search }
            }
        }
        let start = expand ? floor(lo / step + 1e-9) * step : ceil(lo / step - 1e-9) * step
        let end = expand ? ceil(hi / step - 1e-9) * step : floor(hi / step + 1e-9) * step
        var ticks: [Double] = []
        var i = 0
        while true {
            let t = start + Double(i) * step
            if t > end + step * 1e-6 || ticks.count > 50 { break }
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            i += 1
        }
        return ticks
    }

    /// Bresenham's line from `a` to `b`.
    static func line(_ a: (Int, Int), _ b: (Int, Int), _ plot: (Int, Int) -> Void) {
        var x0 = a.0, y0 = a.1
        let x1 = b.0, y1 = b.1
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            plot(x0, y0)
            if x0 == x1 && y0 == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x0 += sx }
            if e2 <= dx { err += dx; y0 += sy }
        }
    }

    /// Exponential moving average with TensorBoard's debiasing: `smoothing` 0 returns the
    /// values unchanged, 0.99 is very smooth.
    public static func smooth(_ values: [Double], _ smoothing: Double) -> [Double] {
        guard smoothing > 0 else { return values }
        var out: [Double] = []
        out.reserveCapacity(values.count)
        var last = 0.0
        var weight = 0.0
        for v in values {
            guard v.isFinite else { out.append(v); continue }
            last = last * smoothing + (1 - smoothing) * v
            weight = weight * smoothing + (1 - smoothing)
            out.append(last / weight)
        }
        return out
    }
}

extension LineChart {
    /// The min/max envelope of `pts` (sorted by x): in each dot column, every dot between the
    /// lowest and the highest value that falls in it.
    func drawBand(_ pts: [ChartPoint], lo: Double, hi: Double, tf: (Double) -> Double, xlo: Double, xhi: Double,
                  dw: Int, dh: Int, dot: (Int, Int) -> Void) {
        func row(_ v: Double) -> Int { Swift.min(dh - 1, Swift.max(0, Int(((1 - (v - lo) / (hi - lo)) * Double(dh - 1)).rounded()))) }
        var column = -1, low = Double.infinity, high = -Double.infinity
        func flush() {
            guard column >= 0, low <= high else { return }
            for py in row(high)...row(low) { dot(column, py) }
        }
        for p in pts {
            let px = Int(((p.x - xlo) / (xhi - xlo) * Double(dw - 1)).rounded())
            if px != column { flush(); column = px; low = .infinity; high = -.infinity }
            let v = tf(p.y)
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }
        flush()
    }
}
