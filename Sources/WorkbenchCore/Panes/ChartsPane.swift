import Foundation

import Tensors

/// What the charts draw: the run's steps and its history (epochs, changes, the task's metrics).
public struct ChartData {
    /// Every step so far.
    public var steps: [StepInfo]
    /// Epochs, live changes and the task's metric list.
    public var history: MetricHistory
    /// Steps per epoch (0 when unknown), to place step markers on the epoch axis.
    public var stepsPerEpoch: Int
    /// Recorded runs drawn over the step loss (the Runs view's selection).
    public var overlays: [RunCurve]
    /// Arrival times (seconds since 1970) of the last `stepTimes.count` steps, for the wall-time axis.
    public var stepTimes: [Double]

    public init(steps: [StepInfo], history: MetricHistory, stepsPerEpoch: Int, overlays: [RunCurve] = [], stepTimes: [Double] = []) {
        self.steps = steps
        self.history = history
        self.stepsPerEpoch = stepsPerEpoch
        self.overlays = overlays
        self.stepTimes = stepTimes
    }
}

/// Live charts: loss per step (smoothed) and per-epoch train/val loss and the task's primary
/// validation metric (accuracy for classification, MAE for regression).
public struct ChartsPane: Sendable {
    public enum Series: String, CaseIterable, Sendable {
        case stepLoss = "loss"
        case trainLoss = "train"
        case valLoss = "val"
        case valAccuracy = "acc"
    }

    public enum Arrangement: String, CaseIterable, Sendable {
        case both, steps, epochs
    }

    /// The step-loss chart's x axis, cycled by `x`.
    public enum XAxis: String, CaseIterable, Sendable {
        case step, epoch
        case wall = "wall time"
    }

    public enum Action: Equatable, Sendable {
        case toggleLog, toggleLogX, nextXAxis, smoothMore, smoothLess, toggle(Series), nextArrangement
    }

    public var smoothing = 0.6
    public var logScale = false
    /// A logarithmic x axis on the step-loss chart.
    public var logX = false
    public var xAxis: XAxis = .step
    public var hidden: Set<Series> = []
    public var arrangement: Arrangement = .both

    public init() {}

    public static let bindings: [KeyBinding<Action>] = [
        KeyBinding([.char("l")], "log", .toggleLog),
        KeyBinding([.char("g")], "log x axis (step loss)", .toggleLogX, inHelpLine: false),
        KeyBinding([.char("w")], "x axis: step/epoch/wall time", .nextXAxis, inHelpLine: false),
        KeyBinding([.char("+"), .char("=")], "smoothing", .smoothMore, label: "+/-"),
        KeyBinding([.char("-")], "less smoothing", .smoothLess, inHelpLine: false),
        KeyBinding([.char("a")], "step loss on/off", .toggle(.stepLoss), inHelpLine: false),
        KeyBinding([.char("t")], "epoch train loss on/off", .toggle(.trainLoss), inHelpLine: false),
        KeyBinding([.char("v")], "val loss on/off", .toggle(.valLoss), inHelpLine: false),
        KeyBinding([.char("c")], "validation metric on/off", .toggle(.valAccuracy), inHelpLine: false),
        KeyBinding([.char("e")], "steps/epochs/both", .nextArrangement, inHelpLine: false),
        // The help line names the four toggles at once (no key of its own; the overlay lists each).
        KeyBinding([], "series", .toggle(.stepLoss), label: "a/t/v/c", inHelpLine: true, listed: false),
    ]

    public func action(for key: Key) -> Action? { ChartsPane.bindings.action(for: key) }

    public mutating func apply(_ a: Action) {
        switch a {
        case .toggleLog: logScale.toggle()
        case .toggleLogX: logX.toggle()
        case .nextXAxis:
            let all = XAxis.allCases
            xAxis = all[((all.firstIndex(of: xAxis) ?? 0) + 1) % all.count]
        case .smoothMore: smoothing = min(0.99, (smoothing * 100 + (smoothing >= 0.9 ? 1 : 10)).rounded() / 100)
        case .smoothLess: smoothing = max(0, (smoothing * 100 - (smoothing > 0.9 ? 1 : 10)).rounded() / 100)
        case .toggle(let s): if hidden.contains(s) { hidden.remove(s) } else { hidden.insert(s) }
        case .nextArrangement:
            let all = Arrangement.allCases
            arrangement = all[((all.firstIndex(of: arrangement) ?? 0) + 1) % all.count]
        }
    }

    public var title: String {
        "smoothing \(String(format: "%.2f", smoothing))" + (logScale ? " · log" : "") + (logX ? " · log x" : "")
            + (xAxis == .step ? "" : " · x \(xAxis.rawValue)")
    }

    public func render(_ canvas: inout Canvas, inner: Rect, history h: ChartData, ctx: RenderContext) {
        guard inner.height >= 3 else { return }
        var arrangement = self.arrangement
        if arrangement == .both && inner.height < 14 { arrangement = .steps }
        switch arrangement {
        case .both:
            let (top, bottom) = inner.splitTop(inner.height / 2)
            renderSteps(&canvas, top, h, ctx)
            renderEpochs(&canvas, bottom, h, ctx)
        case .steps: renderSteps(&canvas, inner, h, ctx)
        case .epochs: renderEpochs(&canvas, inner, h, ctx)
        }
    }

    func legend(_ canvas: inout Canvas, _ rect: Rect, _ items: [(Series, String, ThemeKey)], _ ctx: RenderContext) {
        var x = rect.x
        for (s, text, color) in items {
            let off = hidden.contains(s)
            let style = off ? ctx.style(.dim) : ctx.style(.series(color))
            x += canvas.put(off ? "○ " : "━ ", x: x, y: rect.y, style)
            x += canvas.put(text + "  ", x: x, y: rect.y, off ? ctx.style(.dim) : ctx.style(.normal))
        }
    }

    func renderSteps(_ canvas: inout Canvas, _ rect: Rect, _ h: ChartData, _ ctx: RenderContext) {
        let raw = h.steps.map { $0.loss }
        let smooth = LineChart.smooth(raw, smoothing)
        let last = h.steps.last.map { Format.metric($0.loss) } ?? "—"
        let lastSmooth = smooth.last.map(Format.metric) ?? "—"
        legend(&canvas, rect, [(.stepLoss, "loss \(lastSmooth) (raw \(last))", .stepLoss)], ctx)
        var series: [ChartSeries] = []
        let spe = Double(max(1, h.stepsPerEpoch))
        let x = xValue(h)
        if !hidden.contains(.stepLoss) {
            let xs = x.values
            if smoothing > 0 {
                // The raw values as their min/max envelope behind the smoothed line.
                series.append(ChartSeries(name: "raw", points: zip(xs, raw).compactMap { x, y in x.map { ChartPoint($0, y) } },
                                          color: .graphText, band: true))
            }
            series.append(ChartSeries(name: "loss", points: zip(xs, smooth).compactMap { x, y in x.map { ChartPoint($0, y) } }, color: .stepLoss))
        }
        // Recorded runs have steps only: on the epoch axis they are placed by this run's steps per epoch.
        for c in h.overlays where xAxis != .wall {
            series.insert(ChartSeries(name: c.id, points: zip(c.points, LineChart.smooth(c.points.map(\.y), smoothing))
                .map { ChartPoint(xAxis == .epoch ? $0.x / spe : $0.x, $1) }, color: c.color), at: 0)
        }
        if !h.overlays.isEmpty {
            // The runs' legend after the live one: a mark in each run's colour.
            var x = rect.x + 2 + TextWidth.of("loss \(lastSmooth) (raw \(last))") + 2
            for c in h.overlays where x < rect.maxX {
                x += canvas.put(c.isBaseline ? "★ " : "━ ", x: x, y: rect.y, ctx.style(.series(c.color)))
                x += canvas.put(c.label + "  ", x: x, y: rect.y, ctx.style(.normal), maxWidth: max(0, rect.maxX - x))
            }
        }
        let markers = xAxis == .wall ? [] : h.history.changes.map { ChartMarker(x: xAxis == .epoch ? Double($0.step) / spe : Double($0.step),
                                                                                    label: $0.change.label) }
        let chart = LineChart(series: series, markers: markers, xTitle: x.title, logScale: logScale, logX: logX,
                              emptyMessage: h.steps.isEmpty ? "start a run (s) to see the loss" : "series hidden")
        chart.draw(&canvas, Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1), ctx: ctx)
    }

    func renderEpochs(_ canvas: inout Canvas, _ rect: Rect, _ h: ChartData, _ ctx: RenderContext) {
        let epochs = h.history.epochs
        let e = epochs.last
        let metric = h.history.metrics.first
        func shown(_ v: Double?) -> String {
            guard let v, let metric else { return "—" }
            return metric.isFraction ? String(format: "%.1f%%", v * 100) : Format.metric(v)
        }
        func value(_ m: EpochSummary) -> Double? { metric.flatMap { m.validation?[$0.name] } }
        legend(&canvas, rect, [
            (.trainLoss, "train " + (e.map { Format.metric($0.trainLoss) } ?? "—"), .trainLoss),
            (.valLoss, "val " + (e?.valLoss.map(Format.metric) ?? "—"), .valLoss),
            (.valAccuracy, (metric?.label ?? "metric") + " " + shown(e.flatMap(value)), .valAcc),
        ], ctx)
        var series: [ChartSeries] = []
        let xs = epochs.map { Double($0.epoch) }
        if !hidden.contains(.trainLoss) {
            series.append(ChartSeries(name: "train", points: zip(xs, epochs).map { ChartPoint($0, $1.trainLoss) }, color: .trainLoss))
        }
        if !hidden.contains(.valLoss) {
            series.append(ChartSeries(name: "val", points: zip(xs, epochs).compactMap { x, m in m.valLoss.map { ChartPoint(x, $0) } }, color: .valLoss))
        }
        if !hidden.contains(.valAccuracy) {
            series.append(ChartSeries(name: metric?.label ?? "metric", points: zip(xs, epochs).compactMap { x, m in value(m).map { ChartPoint(x, $0) } },
                                      color: .valAcc, rightAxis: metric?.isFraction ?? true))
        }
        let spe = Double(max(1, h.stepsPerEpoch))
        let markers = h.stepsPerEpoch > 0 ? h.history.changes.map { ChartMarker(x: Double($0.step - 1) / spe + 1, label: $0.change.label) } : []
        let xr: ClosedRange<Double>? = epochs.count == 1 ? 0.5...1.5 : nil
        let chart = LineChart(series: series, markers: markers, xTitle: "epoch", logScale: logScale, xRange: xr,
                              emptyMessage: "epoch metrics appear after the first epoch")
        chart.draw(&canvas, Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1), ctx: ctx)
    }
}

extension ChartsPane {
    /// Each step's x on the chosen axis (nil: not placeable, e.g. a restored step without an
    /// arrival time on the wall-time axis) and the axis title.
    func xValue(_ h: ChartData) -> (values: [Double?], title: String) {
        switch xAxis {
        case .step: return (h.steps.map { Double($0.globalStep) }, "step")
        case .epoch:
            let spe = Double(max(1, h.stepsPerEpoch))
            return (h.steps.map { Double($0.globalStep) / spe }, "epoch")
        case .wall:
            let missing = h.steps.count - h.stepTimes.count
            let t0 = h.stepTimes.first ?? 0
            return (h.steps.indices.map { i in i < missing ? nil : h.stepTimes[i - missing] - t0 }, "seconds")
        }
    }
}
