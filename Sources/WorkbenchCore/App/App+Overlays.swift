import Foundation
import Tensors

/// What a text prompt is for.
enum PromptPurpose: Equatable {
    case saveModel, loadModel, saveCheckpoint, loadCheckpoint, exportMetrics, openCIFAR10, downloadCIFAR10, openCSV
}

struct Prompt {
    var title: String
    var purpose: PromptPurpose
    var input: TextInput
    var error: String?
}

enum ChooserPurpose {
    /// Theme chooser; Esc goes back to `original`.
    case theme(original: Theme)
    case model
    /// The column of a CSV file to predict.
    case csvTarget(path: String)
    /// Classification or regression of a CSV column.
    case csvTask(path: String, target: String)
}

struct Chooser {
    var title: String
    var options: [String]
    var selected: Int
    var purpose: ChooserPurpose
}

/// What "yes" in a confirmation does.
enum ConfirmAction: Equatable {
    case quit, newRun
    case switchModel(String)
}

/// A modal layer above the panes.
enum Overlay {
    case help(offset: Int)
    case menu(selected: Int)
    case confirm(title: String, text: String, onYes: ConfirmAction)
    case prompt(Prompt)
    case message(title: String, text: String, isError: Bool)
    case chooser(Chooser)
    case progress(title: String, fraction: Double, text: String)
}

/// A CIFAR-10 download running on a background thread.
final class DownloadTask: @unchecked Sendable {
    enum Update {
        case progress(Double, String)
        case done(String)
        case failed(String)
    }
    let updates = MessageQueue<Update>()
}

extension App {
    /// The name of the open overlay, for tests ("menu", "help", "prompt" …) or nil.
    public var overlayName: String? {
        switch overlay {
        case .none: return nil
        case .help: return "help"
        case .menu: return "menu"
        case .confirm: return "confirm"
        case .prompt: return "prompt"
        case .message: return "message"
        case .chooser: return "chooser"
        case .progress: return "progress"
        }
    }

    var menuItems: [MenuItem<AppCommand>] {
        let active = runState.isActive
        return [
            .separator("Run"),
            MenuItem("New run", hotkey: "n", shortcut: "n", action: .newRun),
            MenuItem("Start", hotkey: "s", shortcut: "s", action: .start, enabled: runState != .running),
            MenuItem("Pause", hotkey: "p", shortcut: "p", action: .togglePause, enabled: runState == .running),
            MenuItem("Resume", hotkey: "r", shortcut: "p", action: .togglePause, enabled: runState == .paused(reason: nil)),
            MenuItem("Stop", hotkey: "x", shortcut: "x", action: .stop, enabled: active),
            MenuItem("Evaluate on test split", hotkey: "e", shortcut: "E", action: .evaluate, enabled: session != nil),
            .separator("Files"),
            MenuItem("Save model…", hotkey: "w", shortcut: "S", action: .saveModel, enabled: session != nil),
            MenuItem("Load model…", hotkey: "l", shortcut: "L", action: .loadModel, enabled: session != nil),
            MenuItem("Save checkpoint…", hotkey: "c", action: .saveCheckpoint, enabled: session != nil),
            MenuItem("Resume from checkpoint…", hotkey: "k", action: .loadCheckpoint, enabled: session != nil && !active),
            MenuItem("Export metrics (CSV)…", hotkey: "v", action: .exportMetrics),
            .separator("Dataset"),
            MenuItem("Embedded default", hotkey: "d", action: .useEmbeddedDataset, enabled: !active),
            MenuItem("CIFAR-10 from path…", hotkey: "o", action: .openCIFAR10, enabled: !active),
            MenuItem("Download CIFAR-10…", hotkey: "D", action: .downloadCIFAR10, enabled: !active),
            MenuItem("CSV file…", hotkey: "f", action: .openCSV, enabled: !active),
            .separator("View"),
            MenuItem("Model…", hotkey: "M", action: .chooseModel),
            MenuItem("Theme…", hotkey: "t", shortcut: "T", action: .chooseTheme),
            MenuItem("Help", hotkey: "h", shortcut: "?", action: .showHelp),
            MenuItem("Quit", hotkey: "q", shortcut: "q", action: .quit),
        ]
    }

    func prompt(_ purpose: PromptPurpose, _ title: String, _ initial: String) {
        overlay = .prompt(Prompt(title: title, purpose: purpose, input: TextInput(initial), error: nil))
    }

    // MARK: Keys

    func handleOverlayKey(_ key: Key) {
        guard let o = overlay else { return }
        switch o {
        case .help(let off):
            switch key {
            case .up: overlay = .help(offset: max(0, off - 1))
            case .down: overlay = .help(offset: off + 1)
            case .pageUp: overlay = .help(offset: max(0, off - 10))
            case .pageDown: overlay = .help(offset: off + 10)
            default: overlay = nil
            }
        case .menu(var sel):
            let items = menuItems
            switch Menu.handle(key, items: items, selected: &sel) {
            case .none: overlay = .menu(selected: sel)
            case .close: overlay = nil
            case .choose(let cmd):
                overlay = nil
                run(cmd)
            }
        case .confirm(_, _, let yes):
            switch key {
            case .char("y"), .char("Y"), .enter:
                overlay = nil
                confirm(yes)
            case .char("n"), .char("N"), .escape, .char("q"):
                overlay = nil
            default: break
            }
        case .prompt(var p):
            switch p.input.handle(key) {
            case .editing:
                p.error = nil
                overlay = .prompt(p)
            case .cancelled: overlay = nil
            case .submitted(let text):
                let path = text.trimmingCharacters(in: .whitespaces)
                if path.isEmpty {
                    p.error = "enter a path"
                    overlay = .prompt(p)
                } else if let err = submitPrompt(p.purpose, path) {
                    p.error = err
                    overlay = .prompt(p)
                }
            }
        case .message:
            if [.enter, .escape, .char(" "), .char("q")].contains(key) { overlay = nil }
        case .chooser(var c):
            switch key {
            case .up, .down:
                c.selected = max(0, min(c.options.count - 1, c.selected + (key == .up ? -1 : 1)))
                overlay = .chooser(c)
                if case .theme = c.purpose { previewTheme(c.options[c.selected]) }
            case .enter:
                overlay = nil
                choose(c)
            case .escape, .char("q"):
                overlay = nil
                if case .theme(let original) = c.purpose { ctx.theme = original }
            default: break
            }
        case .progress:
            if key == .escape { overlay = nil }
        }
    }

    func confirm(_ a: ConfirmAction) {
        switch a {
        case .quit: finish()
        case .newRun: newRun()
        case .switchModel(let m): switchModel(m)
        }
    }

    func previewTheme(_ name: String) {
        let r = services.themes.load(name)
        ctx.theme = r.theme
    }

    func choose(_ c: Chooser) {
        guard c.selected < c.options.count else { return }
        let name = c.options[c.selected]
        switch c.purpose {
        case .theme:
            let r = services.themes.load(name)
            ctx.theme = r.theme
            if !r.warnings.isEmpty {
                overlay = .message(title: "Theme warning", text: r.warnings.joined(separator: "\n"), isError: true)
            } else {
                showToast("theme: \(name)")
            }
        case .csvTarget(let path):
            let numeric = Set(["price", "target", "value", "y"])
            let guess = numeric.contains(name.lowercased()) ? 1 : 0
            overlay = .chooser(Chooser(title: "Predict \(name) by", options: ["classification", "regression"], selected: guess,
                                       purpose: .csvTask(path: path, target: name)))
        case .csvTask(let path, let target):
            let task: TaskKind = name == "regression" ? .regression : .classification
            do {
                let d = try services.datasets.openCSV(path: path, target: target, task: task)
                overlay = nil
                switchDataset(d)
            } catch {
                overlay = .message(title: "Cannot open \(path)", text: "\(error)", isError: true)
            }
        case .model:
            guard name != modelName else { return }
            if runState.isActive {
                overlay = .confirm(title: "Switch model", text: "Stop the current run and switch to \(name)?", onYes: .switchModel(name))
            } else {
                switchModel(name)
            }
        }
    }

    /// Acts on a confirmed path; returns an error to show in the prompt, or nil when done.
    func submitPrompt(_ purpose: PromptPurpose, _ path: String) -> String? {
        let fm = FileManager.default
        switch purpose {
        case .saveModel, .saveCheckpoint:
            guard let s = session else { return "no model" }
            if let err = makeParentFolder(path) { return err }
            overlay = nil
            s.send(.file(purpose == .saveModel ? .saveModel : .saveCheckpoint, path: path))
            showToast("saving \(path)…")
        case .loadModel, .loadCheckpoint:
            guard fm.fileExists(atPath: path) else { return "\(path): no such file" }
            guard let s = session else { return "no model" }
            overlay = nil
            s.send(.file(purpose == .loadModel ? .loadModel : .loadCheckpoint, path: path))
            showToast("loading \(path)…")
        case .exportMetrics:
            if let err = makeParentFolder(path) { return err }
            do {
                try AtomicFile.write(Data(metricsCSV().utf8), to: URL(fileURLWithPath: path))
                overlay = nil
                showToast("exported \(steps.count) steps, \(history.epochs.count) epochs to \(path)")
            } catch {
                return "\(path): \(error)"
            }
        case .openCIFAR10:
            do {
                let d = try services.datasets.openCIFAR10(path: path)
                overlay = nil
                switchDataset(d)
            } catch {
                return "\(error)"
            }
        case .downloadCIFAR10:
            startDownload(into: path)
        case .openCSV:
            do {
                let columns = try services.datasets.csvColumns(path: path)
                guard !columns.isEmpty else { return "\(path): no columns in the header" }
                let last = columns.firstIndex(of: "label") ?? columns.count - 1
                overlay = .chooser(Chooser(title: "Column to predict", options: columns, selected: last,
                                           purpose: .csvTarget(path: path)))
            } catch {
                return "\(error)"
            }
        }
        return nil
    }

    /// Creates the folder a file will be written into; returns an error message on failure.
    func makeParentFolder(_ path: String) -> String? {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            return isDir.boolValue ? nil : "\(dir) is a file, not a folder"
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return nil
        } catch {
            return "cannot create the folder \(dir): \(error.localizedDescription)"
        }
    }

    /// Metrics as CSV: one row per step (`kind` step) and per epoch (`kind` epoch).
    public func metricsCSV() -> String {
        var lines = ["kind,epoch,step,loss,val_loss,val_accuracy,learning_rate"]
        for s in steps {
            lines.append("step,\(s.epoch),\(s.globalStep),\(s.loss),,,\(s.lr)")
        }
        let spe = max(1, plan?.stepsPerEpoch ?? steps.last?.stepsPerEpoch ?? 1)
        for e in history.epochs {
            lines.append("epoch,\(e.epoch),\(e.epoch * spe),\(e.trainLoss),\(e.valLoss.map { "\($0)" } ?? ""),\(e.valAccuracy.map { "\($0)" } ?? ""),")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func startDownload(into dir: String) {
        let task = DownloadTask()
        download = task
        overlay = .progress(title: "Download CIFAR-10", fraction: 0, text: "starting…")
        let provider = services.datasets
        let updates = task.updates
        Thread.detachNewThread {
            do {
                let path = try provider.downloadCIFAR10(into: dir) { f, m in updates.push(.progress(f, m)) }
                updates.push(.done(path))
            } catch {
                updates.push(.failed("\(error)"))
            }
        }
    }

    func pollDownload() {
        guard let task = download else { return }
        for u in task.updates.drain() {
            needsRender = true
            switch u {
            case .progress(let f, let m):
                if case .progress = overlay { overlay = .progress(title: "Download CIFAR-10", fraction: f, text: m) }
            case .done(let path):
                download = nil
                if case .progress = overlay { overlay = nil }
                do { switchDataset(try services.datasets.openCIFAR10(path: path)) } catch {
                    overlay = .message(title: "Could not open the download", text: "\(error)", isError: true)
                }
            case .failed(let m):
                download = nil
                overlay = .message(title: "Download failed", text: m, isError: true)
            }
        }
    }

    // MARK: Mouse

    func handleOverlayMouse(_ m: MouseEvent) {
        guard m.kind == .press, let o = overlay else { return }
        let r = overlayRect
        guard r.contains(x: m.x, y: m.y) else {
            switch o {
            case .menu, .help, .chooser: overlay = nil
            default: break
            }
            return
        }
        if case .menu = o {
            let items = menuItems
            let i = m.y - r.y - 1
            if i >= 0, i < items.count, items[i].enabled, let a = items[i].action {
                overlay = nil
                run(a)
            }
        } else if case .chooser(var c) = o {
            let i = m.y - r.y - 1
            if i >= 0, i < c.options.count {
                c.selected = i
                overlay = nil
                choose(c)
            }
        }
    }

    // MARK: Drawing

    /// Where the current overlay is drawn (for mouse hits).
    var overlayRect: Rect {
        guard let o = overlay else { return Rect(x: 0, y: 0, width: 0, height: 0) }
        let screen = Rect(x: 0, y: 0, width: width, height: height)
        switch o {
        case .help: return screen.centered(width: min(100, width - 2), height: height - 2)
        case .menu:
            let s = Menu.size(menuItems, title: "Menu")
            return screen.centered(width: s.width, height: min(s.height, height))
        case .confirm(_, let text, _):
            let w = min(width - 4, max(40, TextWidth.of(text) + 6))
            return screen.centered(width: w, height: 3 + wrap(text, width: w - 4).count + 1)
        case .prompt(let p):
            // Room for an error of up to 4 lines under the input.
            let w = min(72, width - 4)
            let errorLines = min(4, max(1, p.error.map { wrap($0, width: w - 4).count } ?? 1))
            return screen.centered(width: w, height: min(height - 2, 6 + errorLines))
        case .message(_, let text, _):
            let w = min(width - 4, 72)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrap(String($0), width: w - 4) }
            return screen.centered(width: w, height: min(height - 2, lines.count + 4))
        case .chooser(let c):
            let w = max(30, (c.options.map { TextWidth.of($0) }.max() ?? 10) + 8)
            return screen.centered(width: min(w, width - 4), height: min(height - 2, c.options.count + 2))
        case .progress: return screen.centered(width: min(60, width - 4), height: 5)
        }
    }

    func renderOverlay(_ canvas: inout Canvas) {
        guard let o = overlay else { return }
        let r = overlayRect
        switch o {
        case .help(let off): renderHelp(&canvas, r, offset: off)
        case .menu(let sel): Menu.draw(&canvas, r, title: "Menu", items: menuItems, selected: sel, ctx: ctx)
        case .confirm(let title, let text, _):
            let inner = Box.draw(&canvas, r, title: title, focused: true, ctx: ctx)
            canvas.fill(inner, " ", ctx.style(.menu))
            for (i, line) in wrap(text, width: inner.width - 2).enumerated() {
                canvas.put(line, x: inner.x + 1, y: inner.y + i, ctx.style(.menu))
            }
            let y = inner.maxY - 1
            var x = inner.x + 1
            x += canvas.put("y", x: x, y: y, ctx.style(.menuKey))
            x += canvas.put(" yes   ", x: x, y: y, ctx.style(.menu))
            x += canvas.put("n", x: x, y: y, ctx.style(.menuKey))
            canvas.put(" no", x: x, y: y, ctx.style(.menu))
        case .prompt(let p):
            let inner = Box.draw(&canvas, r, title: p.title, focused: true, ctx: ctx)
            canvas.fill(inner, " ", ctx.style(.menu))
            canvas.put("Path:", x: inner.x + 1, y: inner.y, ctx.style(.menu))
            p.input.draw(&canvas, x: inner.x + 1, y: inner.y + 1, width: inner.width - 2, ctx: ctx)
            if let e = p.error {
                let lines = wrap(e, width: inner.width - 2)
                for (i, line) in lines.enumerated() where inner.y + 2 + i < inner.maxY - 1 {
                    let last = inner.y + 2 + i == inner.maxY - 2 && i < lines.count - 1
                    canvas.put(last ? TextWidth.truncate(line + " …", to: inner.width - 2) : line, x: inner.x + 1, y: inner.y + 2 + i,
                               ctx.style(.error).with(bg: ctx.style(.menu).bg), maxWidth: inner.width - 2)
                }
            }
            canvas.put("Enter confirm · Esc cancel · ^U clear", x: inner.x + 1, y: inner.maxY - 1, ctx.style(.dim).with(bg: ctx.style(.menu).bg))
        case .message(let title, let text, let isError):
            let inner = Box.draw(&canvas, r, title: title, focused: true, ctx: ctx)
            canvas.fill(inner, " ", ctx.style(.menu))
            let style = isError ? ctx.style(.error).with(bg: ctx.style(.menu).bg) : ctx.style(.menu)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrap(String($0), width: inner.width - 2) }
            let room = inner.height - 1
            if lines.count > room && room >= 2 {
                // Keep the last line (what happens next), mark what is left out.
                let last = lines[lines.count - 1]
                let hidden = lines.count - room + 1
                lines = Array(lines.prefix(room - 2)) + ["… \(hidden) more line\(hidden == 1 ? "" : "s")", last]
            }
            for (i, line) in lines.enumerated() where i < room {
                canvas.put(line, x: inner.x + 1, y: inner.y + i, i == lines.count - 2 && line.hasPrefix("… ") ? ctx.style(.dim).with(bg: ctx.style(.menu).bg) : style)
            }
            canvas.putRight("Enter ok ", maxX: inner.maxX, y: inner.maxY - 1, ctx.style(.dim).with(bg: ctx.style(.menu).bg))
        case .chooser(let c):
            let inner = Box.draw(&canvas, r, title: c.title, focused: true, ctx: ctx)
            canvas.fill(inner, " ", ctx.style(.menu))
            let off = Scroll.offset(selected: c.selected, current: 0, visible: inner.height, count: c.options.count)
            for (row, i) in (off..<c.options.count).enumerated() where row < inner.height {
                let style = ctx.style(i == c.selected ? .menuSelected : .menu)
                canvas.fill(Rect(x: inner.x, y: inner.y + row, width: inner.width, height: 1), " ", style)
                canvas.put((i == c.selected ? "▸ " : "  ") + c.options[i], x: inner.x, y: inner.y + row, style)
            }
        case .progress(let title, let f, let text):
            let inner = Box.draw(&canvas, r, title: title, focused: true, ctx: ctx)
            canvas.fill(inner, " ", ctx.style(.menu))
            Meter.draw(&canvas, x: inner.x + 1, y: inner.y, width: inner.width - 2, fraction: f, ctx: ctx)
            canvas.put(text, x: inner.x + 1, y: inner.y + 1, ctx.style(.menu), maxWidth: inner.width - 2)
            canvas.putRight("Esc hide ", maxX: inner.maxX, y: inner.maxY - 1, ctx.style(.dim).with(bg: ctx.style(.menu).bg))
        }
    }

    /// Help text lines from the key bindings, grouped.
    public var helpSections: [(title: String, entries: [HelpEntry])] {
        [("Global", App.globalBindings.map(\.help)),
         ("1 Dataset", DatasetPane.bindings.map(\.help)),
         ("2 Model", ModelPane.bindings.map(\.help)),
         ("3 Charts", ChartsPane.bindings.map(\.help)),
         ("4 Hyperparameters", HyperparameterPane.bindings.map(\.help) + HyperparameterPane.editorBindings.map(\.help))]
    }

    func renderHelp(_ canvas: inout Canvas, _ r: Rect, offset: Int) {
        let inner = Box.draw(&canvas, r, title: "Help — keys", rightTitle: "any key closes", focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.menu))
        var blocks: [[(String, String, Bool)]] = []
        for (title, entries) in helpSections {
            var b: [(String, String, Bool)] = [(title, "", true)]
            for e in entries { b.append((e.label, e.description, false)) }
            b.append(("", "", false))
            blocks.append(b)
        }
        // Two columns when there is room, sections kept whole.
        let total = blocks.reduce(0) { $0 + $1.count }
        var columns: [[(String, String, Bool)]] = [blocks.flatMap { $0 }]
        if inner.width >= 70 && total > inner.height {
            var left: [(String, String, Bool)] = [], right: [(String, String, Bool)] = []
            for b in blocks {
                if left.count + b.count <= (total + 1) / 2 || left.isEmpty { left += b } else { right += b }
            }
            columns = [left, right]
        }
        let colW = inner.width / columns.count
        let keyW = 11
        let tallest = columns.map(\.count).max() ?? 0
        let off = min(offset, max(0, tallest - inner.height))
        for (ci, lines) in columns.enumerated() {
            let x0 = inner.x + ci * colW
            for (row, i) in (off..<lines.count).enumerated() where row < inner.height {
                let (a, b, isTitle) = lines[i]
                let y = inner.y + row
                if isTitle {
                    canvas.put(a, x: x0 + 1, y: y, ctx.style(.titleFocused).with(bg: ctx.style(.menu).bg), maxWidth: colW - 1)
                } else {
                    canvas.put(a, x: x0 + 2, y: y, ctx.style(.menuKey), maxWidth: keyW)
                    canvas.put(b, x: x0 + 3 + keyW, y: y, ctx.style(.menu), maxWidth: colW - keyW - 4)
                }
            }
        }
    }
}
