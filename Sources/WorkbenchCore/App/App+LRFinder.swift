import Foundation
import Tensors
import WorkbenchRuns

extension App {
    /// The sweep the menu's *Find learning rate…* runs: 1e-6 → 1 over 100 steps, as `workbench lr-find`.
    static let lrFinderTest: LRRangeTest? = try? LRRangeTest(minLR: 1e-6, maxLR: 1, steps: 300)

    /// Starts the range test on the session (the model's weights are put back afterwards).
    func findLR() {
        guard let s = session, let test = App.lrFinderTest else { showToast("no model to test", isError: true); return }
        guard !runState.isActive else { showToast("stop the run (x) before the range test", isError: true); return }
        s.send(.findLR(hyper, test: test))
        lrFinderRunning = true
        overlay = .progress(title: "Learning-rate range test", fraction: 0,
                            text: "lr \(formatHyperparameter(test.minLR)) → \(formatHyperparameter(test.maxLR)) over \(test.steps) steps…")
    }

    func apply(_ u: LRFindUpdate) {
        switch u {
        case .progress(let step, let of, let lr, let loss):
            if case .progress = overlay {
                overlay = .progress(title: "Learning-rate range test", fraction: Double(step) / Double(max(1, of)),
                                    text: "step \(step)/\(of): lr \(formatHyperparameter(lr)), loss \(Format.metric(loss))")
            }
        case .finished(let r):
            lrFinderRunning = false
            overlay = .lrFinder(r)
        case .failed(let why):
            lrFinderRunning = false
            overlay = .message(title: "Learning-rate range test failed", text: why, isError: true)
        case .cancelled(let steps):
            lrFinderRunning = false
            if case .progress = overlay { overlay = nil }
            showToast("range test cancelled after \(steps) steps: the weights are as they were, lr stays \(formatHyperparameter(hyper.lr))")
        }
    }

    /// Esc on the range test's progress: ends the sweep (the session puts the weights back).
    func cancelLRFinder() {
        guard lrFinderRunning else { return }
        session?.send(.cancelLRFind)
        overlay = nil
        showToast("cancelling the range test…")
    }

    func handleLRFinderKey(_ key: Key, _ r: LRRangeTest.Result) {
        switch key {
        case .char("y"), .char("Y"), .enter:
            overlay = nil
            guard let lr = r.suggested else { return }
            if commitField(.learningRate, formatHyperparameter(lr)) { showToast("lr → \(formatHyperparameter(lr)) (the range test's suggestion)") }
        case .escape, .char("n"), .char("N"), .char("q"): overlay = nil
        default: break
        }
    }

    /// Loss (raw and smoothed) against the learning rate on a log axis, the suggestion marked.
    func renderLRFinder(_ canvas: inout Canvas, _ rect: Rect, _ r: LRRangeTest.Result) {
        let inner = Box.draw(&canvas, rect, title: "Learning-rate range test", focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.normal))
        guard inner.height >= 6 else { return }
        let current = formatHyperparameter((runHyper ?? hyper).lr)
        let head = r.suggested.map { "Suggested lr \(formatHyperparameter($0)) (steepest descent of the smoothed loss); now \(current)" }
            ?? "No suggestion: the smoothed loss did not fall by 1 % over the sweep; lr stays \(current)"
        canvas.put(head, x: inner.x + 1, y: inner.y, ctx.style(.title), maxWidth: inner.width - 2)
        let note = r.diverged ? "the loss diverged at lr \(r.points.last.map { formatHyperparameter($0.lr) } ?? "?"), where the sweep stopped" : "\(r.points.count) steps"
        canvas.put(note, x: inner.x + 1, y: inner.y + 1, ctx.style(.dim), maxWidth: inner.width - 2)
        // Clip the divergent tail so the descent stays readable (as `workbench lr-find`'s plot).
        let cap = (r.points.first?.smoothed ?? .infinity) * 1.5
        let raw = r.points.map { ChartPoint($0.lr, min($0.loss, cap)) }
        let smooth = r.points.map { ChartPoint($0.lr, min($0.smoothed, cap)) }
        let chart = LineChart(series: [ChartSeries(name: "loss", points: raw, color: .graphText, band: true),
                                       ChartSeries(name: "smoothed", points: smooth, color: .stepLoss)],
                              markers: r.suggested.map { [ChartMarker(x: $0, label: "suggested")] } ?? [],
                              xTitle: "lr (log)", logX: true, emptyMessage: "no steps ran")
        chart.draw(&canvas, Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: inner.height - 3), ctx: ctx)
        let help = r.suggested == nil ? "Esc close" : "y/Enter use the suggested lr · Esc keep \(current)"
        canvas.put(help, x: inner.x + 1, y: inner.maxY - 1, ctx.style(.dim), maxWidth: inner.width - 2)
    }
}
