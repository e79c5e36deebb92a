import Foundation
import Tensors
import WorkbenchRuns

extension App {
    /// Draws the whole screen into `canvas` (its size is the terminal's).
    public func render(into canvas: inout Canvas) {
        needsRender = false
        canvas.colorMode = ctx.colorMode
        canvas.fill(canvas.bounds, " ", ctx.style(.normal))
        let layout = Layout(width: canvas.width, height: canvas.height, zoomed: zoomed ? focus : nil)
        if layout.tooSmall {
            let lines = ["Terminal too small: \(canvas.width)×\(canvas.height).",
                         "workbench needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight).",
                         "Enlarge the window, or press q to quit."]
            for (i, l) in lines.enumerated() {
                canvas.putCentered(l, in: canvas.bounds, y: max(0, canvas.height / 2 - 1 + i), ctx.style(i == 0 ? .warning : .normal))
            }
            return
        }
        for pane in PaneID.allCases {
            guard let rect = layout.panes[pane], !rect.isEmpty else { continue }
            canvas.clipped(to: rect) { c in renderPane(pane, rect, &c) }
        }
        renderStatusBar(&canvas, layout.statusBar)
        renderHelpLine(&canvas, layout.helpLine)
        renderOverlay(&canvas)
    }

    /// The charts' view of the run.
    var chartData: ChartData {
        ChartData(steps: steps, history: history, stepsPerEpoch: plan?.stepsPerEpoch ?? steps.last?.stepsPerEpoch ?? 0,
                  overlays: overlaidRuns, stepTimes: stepTimes)
    }

    /// "● RUNNING │ epoch 2/10 │ step 120/700 │ 1,234 img/s │ ETA 00:45 │ loss 1.2345 │ lr 0.01".
    public var statusFields: [String] {
        let last = steps.last
        let stepsDone = last?.globalStep ?? 0
        var f = [runState.label]
        if let p = plan {
            f.append("epoch \(last?.epoch ?? 1)/\(p.epochs)")
            f.append("step \(stepsDone)/\(p.totalSteps)")
        } else {
            f.append("epoch -/\(hyper.epochs)")
            f.append("step 0/-")
        }
        let unit = dataset.inputShape.count == 3 ? "img/s" : "samples/s"
        f.append(samplesPerSecond > 0 ? "\(Format.grouped(Int(samplesPerSecond.rounded()))) \(unit)" : "- \(unit)")
        if let p = plan, samplesPerSecond > 0, runState.isActive {
            let remaining = Double(max(0, p.totalSteps - stepsDone) * p.batchSize) / samplesPerSecond
            f.append("ETA " + Format.duration(remaining))
        } else {
            f.append("ETA --:--")
        }
        f.append("loss " + (last.map { Format.metric($0.loss) } ?? "-"))
        f.append("lr " + HyperparameterField.formatNumber(shownHyper.lr))
        return f
    }

    func renderStatusBar(_ canvas: inout Canvas, _ r: Rect) {
        let style = ctx.style(.status)
        canvas.fill(r, " ", style)
        var fields = statusFields
        fields[0] = "● " + fields[0]
        // Drop the least important fields until the rest fit: lr, img/s, ETA, epoch, loss.
        var shown = Array(fields.indices)
        let sep = " │ "
        func width() -> Int { shown.reduce(0) { $0 + TextWidth.of(fields[$1]) } + (shown.count - 1) * TextWidth.of(sep) + 2 }
        for drop in [6, 3, 4, 1, 5] where width() > r.width { shown.removeAll { $0 == drop } }
        let stateStyle: Style
        switch runState {
        case .running: stateStyle = ctx.style(.ok).with(bg: style.bg).adding(.bold)
        case .paused(nil): stateStyle = ctx.style(.warning).with(bg: style.bg).adding(.bold)
        case .paused: stateStyle = ctx.style(.error).with(bg: style.bg)
        case .failed: stateStyle = ctx.style(.error).with(bg: style.bg)
        default: stateStyle = style.adding(.bold)
        }
        var x = r.x + 1
        for (n, i) in shown.enumerated() {
            if n > 0 { x += canvas.put(sep, x: x, y: r.y, style.adding(.dim)) }
            x += canvas.put(fields[i], x: x, y: r.y, i == 0 ? stateStyle : style)
        }
        let right = "\(dataset.name) · \(modelDescription?.name ?? modelName) · \(ctx.theme.name) "
        if r.maxX - x > TextWidth.of(right) + 3 { canvas.putRight(right, maxX: r.maxX, y: r.y, style.adding(.dim)) }
    }

    /// The entries the help line shows now: the focused pane's keys (left) and the global
    /// keys (right); overlays show their own.
    public var helpLineEntries: (pane: [HelpEntry], global: [HelpEntry]) {
        if let o = overlay {
            switch o {
            case .menu: return ([HelpEntry(label: "↑↓", description: "select"), HelpEntry(label: "Enter", description: "choose"),
                                 HelpEntry(label: "letter", description: "pick"), HelpEntry(label: "Esc", description: "close")], [])
            case .prompt: return ([HelpEntry(label: "Enter", description: "confirm"), HelpEntry(label: "Esc", description: "cancel"),
                                   HelpEntry(label: "←→", description: "move"), HelpEntry(label: "^U", description: "clear")], [])
            case .confirm: return ([HelpEntry(label: "y", description: "yes"), HelpEntry(label: "n", description: "no")], [])
            case .chooser: return ([HelpEntry(label: "↑↓", description: "select"), HelpEntry(label: "Enter", description: "choose"),
                                    HelpEntry(label: "Esc", description: "cancel")], [])
            case .help: return ([HelpEntry(label: "↑↓", description: "scroll"), HelpEntry(label: "any key", description: "close")], [])
            case .message, .progress: return ([HelpEntry(label: "Enter", description: "close")], [])
            case .download: return ([HelpEntry(label: "Esc/c", description: "cancel (the part is kept)"),
                                     HelpEntry(label: "h", description: "hide")], [])
            case .gallery: return ([HelpEntry(label: "↑↓/PgUp/PgDn", description: "scroll"), HelpEntry(label: "←→", description: "other cell"),
                                    HelpEntry(label: "Esc", description: "close")], [])
            case .lrFinder: return ([HelpEntry(label: "y/Enter", description: "use the suggested lr"),
                                     HelpEntry(label: "Esc", description: "keep the lr")], [])
            case .runs: return ([HelpEntry(label: "Space", description: "mark"), HelpEntry(label: "Enter", description: "overlay"),
                                 HelpEntry(label: "d", description: "diff"), HelpEntry(label: "Esc", description: "close")], [])
            case .layerPicker: return ([HelpEntry(label: "type", description: "search"), HelpEntry(label: "↑↓", description: "select"),
                                        HelpEntry(label: "Enter", description: "add"), HelpEntry(label: "Esc", description: "cancel")], [])
            case .generate: return (App.generateHelp, [])
            case .layerForm: return ([HelpEntry(label: "↑↓/Tab", description: "field"), HelpEntry(label: "Enter", description: "apply"),
                                      HelpEntry(label: "Esc", description: "cancel")], [])
            }
        }
        if layout.tooSmall { return ([], [HelpEntry(label: "q", description: "quit")]) }
        let pane = focusedPaneHelp
        if focus == .hyperparameters && hyperPane.isEditing { return (pane, []) }
        // Start, pause or resume, whichever applies now.
        let global = App.globalBindings.filter { b in
            guard b.inHelpLine else { return false }
            if b.action == .start { return !runState.isActive }
            if b.action == .togglePause { return runState.isActive }
            if b.action == .generate { return dataset.task == .languageModeling }
            return true
        }
        return (pane, global.map { b in
            var h = b.help
            if b.action == .togglePause, case .paused = runState { h.description = "resume" }
            return h
        })
    }

    func renderHelpLine(_ canvas: inout Canvas, _ r: Rect) {
        canvas.fill(r, " ", ctx.style(.help))
        let entries = helpLineEntries
        func width(_ e: HelpEntry) -> Int { TextWidth.of(e.shortLabel) + 1 + TextWidth.of(e.description) + 2 }
        // Global keys on the right, as many as fit (from the end: quit and help stay).
        var global: [HelpEntry] = []
        var globalW = 0
        for e in entries.global.reversed() where globalW + width(e) <= r.width - 2 {
            global.insert(e, at: 0)
            globalW += width(e)
        }
        var x = r.x + 1
        var paneLimit = r.maxX - globalW - 1
        if let t = toast {
            // A message replaces the pane's keys for a few seconds (and the global keys too
            // when it needs their room).
            if overlay != nil || TextWidth.of(t.text) > paneLimit - x {
                global = []
                paneLimit = r.maxX - 1
            }
            let style = t.isError ? ctx.style(.error) : ctx.style(.ok)
            canvas.put(t.text, x: x, y: r.y, style, maxWidth: max(1, paneLimit - x))
        } else {
            for e in entries.pane {
                if x + width(e) > paneLimit { break }
                x += canvas.put(e.shortLabel, x: x, y: r.y, ctx.style(.helpKey))
                x += canvas.put(" " + e.description + "  ", x: x, y: r.y, ctx.style(.help))
            }
        }
        x = r.maxX - globalW
        for e in global {
            x += canvas.put(e.shortLabel, x: x, y: r.y, ctx.style(.helpKey))
            x += canvas.put(" " + e.description + "  ", x: x, y: r.y, ctx.style(.help))
        }
    }
}
