import Foundation
import Tensors
import WorkbenchRuns

extension App {
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
            let errorLines = min(4, max(1, (p.error ?? p.hint).map { wrap($0, width: w - 4).count } ?? 1))
            return screen.centered(width: w, height: min(height - 2, 6 + errorLines))
        case .message(_, let text, _):
            let w = min(width - 4, 72)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrap(String($0), width: w - 4) }
            return screen.centered(width: w, height: min(height - 2, lines.count + 4))
        case .chooser(let c):
            let w = max(30, (c.options.map { TextWidth.of($0) }.max() ?? 10) + 8)
            return screen.centered(width: min(w, width - 4), height: min(height - 2, c.options.count + 2))
        case .progress: return screen.centered(width: min(60, width - 4), height: 5)
        case .download: return downloadRect
        case .runs: return Rect(x: 0, y: 0, width: width, height: max(1, height - 1))
        case .lrFinder: return screen.centered(width: min(90, width - 2), height: min(24, height - 2))
        case .gallery: return Rect(x: 0, y: 0, width: width, height: max(1, height - 1))
        case .layerPicker: return screen.centered(width: min(90, width - 4), height: min(24, height - 2))
        case .layerForm(let f): return screen.centered(width: min(80, width - 4), height: min(height - 2, f.names.count + 6))
        case .generate: return generateRect(screen)
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
            if let e = p.error ?? p.hint {
                let lines = wrap(e, width: inner.width - 2)
                let style = p.error != nil ? ctx.style(.error) : ctx.style(.dim)
                for (i, line) in lines.enumerated() where inner.y + 2 + i < inner.maxY - 1 {
                    let last = inner.y + 2 + i == inner.maxY - 2 && i < lines.count - 1
                    canvas.put(last ? TextWidth.truncate(line + " …", to: inner.width - 2) : line, x: inner.x + 1, y: inner.y + 2 + i,
                               style.with(bg: ctx.style(.menu).bg), maxWidth: inner.width - 2)
                }
            }
            canvas.put("Enter confirm · Tab complete · Esc cancel · ^U clear", x: inner.x + 1, y: inner.maxY - 1, ctx.style(.dim).with(bg: ctx.style(.menu).bg))
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
            canvas.putRight(lrFinderRunning ? "Esc cancel " : "Esc hide ", maxX: inner.maxX, y: inner.maxY - 1, ctx.style(.dim).with(bg: ctx.style(.menu).bg))
        case .download: renderDownload(&canvas, r)
        case .runs: runsBrowser.render(&canvas, r, smoothing: chartsPane.smoothing, store: services.runs, ctx: ctx)
        case .lrFinder(let result): renderLRFinder(&canvas, r, result)
        case .gallery(let t, let p, let off): renderGallery(&canvas, r, truth: t, predicted: p, offset: off)
        case .layerPicker(let p): renderLayerPicker(&canvas, r, p)
        case .layerForm(let f): renderLayerForm(&canvas, r, f)
        case .generate: renderGenerate(&canvas, r)
        }
    }

    /// Help text lines from the key bindings, grouped.
    public var helpSections: [(title: String, entries: [HelpEntry])] {
        [("Global", App.globalBindings.map(\.help)),
         ("1 Dataset", DatasetPane.bindings.helpEntries()),
         ("2 Model", ModelPane.bindings.helpEntries() + ModelPane.editorBindings.helpEntries()),
         ("3 Charts", ChartsPane.bindings.helpEntries()),
         ("4 Hyperparameters", HyperparameterPane.bindings.helpEntries() + HyperparameterPane.editorBindings.map(\.help))]
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
