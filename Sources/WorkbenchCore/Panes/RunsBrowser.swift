import Foundation
import Tensors
import WorkbenchRuns

/// A run's loss curve drawn over the live charts, in its own stable colour.
public struct RunCurve: Equatable, Sendable {
    /// Run id.
    public var id: String
    /// Legend text (`3fa2c1b lr=0.01`).
    public var label: String
    public var color: ThemeKey
    /// (global step, loss).
    public var points: [ChartPoint]
    /// The pinned baseline.
    public var isBaseline: Bool

    /// The colour of run `id`: the same every time (a hash of the id picks it).
    public static func color(for id: String) -> ThemeKey {
        let palette: [ThemeKey] = [.trainLoss, .valLoss, .valAcc, .okFg, .warningFg, .hiFg, .marker, .errorFg]
        var h: UInt32 = 2_166_136_261
        for b in id.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return palette[Int(h % UInt32(palette.count))]
    }
}

/// The Runs view (a full-screen overlay, `R`): every recorded run with its key settings and
/// results, sortable (`o`) and filterable (`/`); Space marks runs to overlay on the charts
/// (Enter), `b` pins a baseline, `d` diffs the configs of two runs, `n` renames, `t` tags,
/// `u` resumes a run from its last checkpoint, `X` deletes, `c` clears.
public struct RunsBrowser: Sendable {
    /// Sort orders, cycled by `o`.
    public enum Sort: String, CaseIterable, Sendable {
        case newest, valLoss = "val loss", test = "test", lr
    }

    /// What a key did.
    public enum Outcome: Equatable, Sendable {
        case stay
        case close
        /// Close and overlay these curves on the charts.
        case overlay([RunCurve])
        /// Close and resume `run` from its checkpoint file at `checkpoint`.
        case resume(run: RunSummary, checkpoint: String)
    }

    /// A run's name or tags being typed.
    public enum Edit: Equatable, Sendable {
        case rename(id: String)
        case tags(id: String)
    }

    public private(set) var runs: [RunSummary] = []
    /// Last-epoch validation loss per run id.
    public private(set) var valLoss: [String: Double] = [:]
    public private(set) var cursor = 0
    /// Marked run ids, in marking order.
    public private(set) var marked: [String] = []
    public private(set) var baseline: String?
    public private(set) var sort: Sort = .newest
    public private(set) var filter = ""
    public private(set) var filterInput: TextInput?
    /// The name or tags being edited (`n`, `t`) and their text.
    public private(set) var edit: (kind: Edit, input: TextInput)?
    /// The config diff on screen (two runs), nil when none.
    public private(set) var diff: RunComparison?
    public private(set) var message: String?

    public init() {}

    /// Reads the runs from `store`.
    public mutating func reload(_ store: RunStore) {
        do {
            runs = try store.runs()
            valLoss = [:]
            for r in runs { valLoss[r.id] = try store.epochs(r.id).last?.validationMetrics["loss"] }
            marked = marked.filter { id in runs.contains { $0.id == id } }
            cursor = min(cursor, max(0, visible.count - 1))
        } catch {
            message = "cannot read \(store.path): \(error)"
        }
    }

    /// The runs shown: filtered by text (model, dataset, status, id, name, tags), sorted.
    public var visible: [RunSummary] {
        let f = filter.lowercased()
        let shown = f.isEmpty ? runs : runs.filter { r in
            [r.id, r.model, r.dataset, r.status.rawValue, r.name ?? "", r.tags, r.source].contains { $0.lowercased().contains(f) }
        }
        func key(_ r: RunSummary) -> Double {
            switch sort {
            case .newest: return -r.startedAt
            case .valLoss: return valLoss[r.id] ?? .infinity
            case .test: return -(r.testMetricValues["accuracy"] ?? -(r.testLoss ?? .infinity))
            case .lr: return r.trainingConfig?.lr ?? .infinity
            }
        }
        return shown.sorted { (key($0), $0.id) < (key($1), $1.id) }
    }

    /// Takes a key.
    public mutating func handle(_ key: Key, store: RunStore) -> Outcome {
        message = nil
        if var input = filterInput {
            switch input.handle(key) {
            case .editing: filterInput = input; filter = input.text
            case .submitted(let t): filter = t; filterInput = nil
            case .cancelled: filterInput = nil
            }
            cursor = min(cursor, max(0, visible.count - 1))
            return .stay
        }
        if case let (kind, typed)? = edit {
            var input = typed
            switch input.handle(key) {
            case .editing: edit = (kind, input)
            case .cancelled: edit = nil
            case .submitted(let text):
                edit = nil
                commit(kind, text.trimmingCharacters(in: .whitespaces), store: store)
            }
            return .stay
        }
        let list = visible
        let current = list.indices.contains(cursor) ? list[cursor] : nil
        switch key {
        case .up: cursor = max(0, cursor - 1)
        case .down: cursor = min(max(0, list.count - 1), cursor + 1)
        case .pageUp: cursor = max(0, cursor - 10)
        case .pageDown: cursor = min(max(0, list.count - 1), cursor + 10)
        case .char(" "):
            guard let r = current else { break }
            if let i = marked.firstIndex(of: r.id) { marked.remove(at: i) } else { marked.append(r.id) }
            cursor = min(list.count - 1, cursor + 1)
        case .char("o"):
            let all = Sort.allCases
            sort = all[((all.firstIndex(of: sort) ?? 0) + 1) % all.count]
        case .char("/"): filterInput = TextInput(filter)
        case .char("b"):
            guard let r = current else { break }
            baseline = baseline == r.id ? nil : r.id
            if baseline != nil && !marked.contains(r.id) { marked.append(r.id) }
        case .char("c"): marked = []; baseline = nil; diff = nil
        case .char("d"):
            let ids = marked.count >= 2 ? Array(marked.suffix(2)) : [marked.first, current?.id].compactMap { $0 }
            guard ids.count == 2, ids[0] != ids[1] else {
                message = "mark a run with Space, move to another, then d (or mark two)"
                break
            }
            let pair = ids.compactMap { id in runs.first { $0.id == id } }
            do { diff = try RunComparison(store: store, runs: pair) } catch {
                message = "\(error)"
            }
        case .char("X"), .delete:
            guard let r = current else { break }
            guard r.status != .running else { message = "\(r.id) is running; stop it first"; break }
            do {
                try store.delete([r.id])
                message = "deleted \(r.id)"
                if baseline == r.id { baseline = nil }
                reload(store)
            } catch { message = "\(error)" }
        case .char("n"):
            guard let r = current else { break }
            edit = (.rename(id: r.id), TextInput(r.name ?? ""))
        case .char("t"):
            guard let r = current else { break }
            edit = (.tags(id: r.id), TextInput(r.tags))
        case .char("u"):
            guard let r = current else { break }
            guard r.status != .running else { message = "\(r.id) is running" ; break }
            do {
                let cks = try store.artifacts(r.id).filter { $0.kind == "checkpoint" }
                guard let ck = cks.max(by: { ($0.step, $0.wallTime) < ($1.step, $1.wallTime) }) else {
                    message = "\(r.id) saved no checkpoint (train --checkpoint FILE, or Save checkpoint… in the menu)"
                    break
                }
                guard FileManager.default.fileExists(atPath: ck.path) else {
                    message = "\(r.id)'s checkpoint \(ck.path) is gone"
                    break
                }
                return .resume(run: r, checkpoint: ck.path)
            } catch { message = "\(error)" }
        case .char("r"): reload(store)
        case .enter:
            let ids = marked.isEmpty ? [current?.id].compactMap { $0 } : marked
            return .overlay((try? curves(ids, store: store)) ?? [])
        case .escape, .char("q"), .char("R"): return .close
        default: break
        }
        return .stay
    }

    /// Stores a typed name (empty: cleared) or comma-separated tags.
    mutating func commit(_ kind: Edit, _ text: String, store: RunStore) {
        do {
            switch kind {
            case .rename(let id):
                try store.rename(id, to: text.isEmpty ? nil : text)
                message = text.isEmpty ? "\(id): name cleared" : "\(id) renamed to \(text)"
            case .tags(let id):
                try store.setTags(id, text.split(separator: ",").map(String.init))
                message = "\(id) tags: \(text.isEmpty ? "none" : text)"
            }
            reload(store)
        } catch { message = "\(error)" }
    }

    /// The step-loss curves of `ids`, baseline first.
    public func curves(_ ids: [String], store: RunStore) throws -> [RunCurve] {
        let ordered = (baseline.map { [$0] } ?? []) + ids.filter { $0 != baseline }
        return try ordered.compactMap { id in
            guard let r = runs.first(where: { $0.id == id }) else { return nil }
            let pts = try store.steps(id).map { ChartPoint(Double($0.step), $0.loss) }
            let lr = r.trainingConfig.map { " lr=" + formatHyperparameter($0.lr) } ?? ""
            return RunCurve(id: id, label: (r.name ?? id) + lr, color: RunCurve.color(for: id), points: pts,
                            isBaseline: id == baseline)
        }
    }

    /// The table's line for run `r`.
    func line(_ r: RunSummary) -> String {
        let c = r.trainingConfig
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        let test = r.testMetricValues["accuracy"].map { String(format: "%.1f%%", $0 * 100) } ?? f(r.testLoss)
        let cols = [r.id, r.status.rawValue, c?.model ?? r.model, URL(fileURLWithPath: r.dataset).lastPathComponent,
                    c.map { formatHyperparameter($0.lr) } ?? "-", c.map { "\($0.batchSize)" } ?? "-",
                    c.map { $0.optimizer.rawValue } ?? "-", f(valLoss[r.id]), test, (r.name ?? "") + (r.tags.isEmpty ? "" : " [\(r.tags)]")]
        return Self.row(cols)
    }

    /// The table's column titles.
    static let header = row(["id", "status", "model", "data", "lr", "batch", "optim", "val loss", "test", "name/tags"])

    static func row(_ cols: [String]) -> String {
        let widths = [8, 12, 10, 10, 8, 6, 8, 9, 8, 20]
        return zip(cols, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ")
    }

    /// Draws the view in `rect`: the table, then the marked runs' loss curves or the config diff.
    public func render(_ canvas: inout Canvas, _ rect: Rect, smoothing: Double, store: RunStore?, ctx: RenderContext) {
        let inner = Box.draw(&canvas, rect, title: "Runs" + (store.map { " — \($0.path)" } ?? ""),
                             rightTitle: "sort \(sort.rawValue)" + (filter.isEmpty ? "" : " · filter \"\(filter)\""), focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.normal))
        guard inner.height >= 6 else { return }
        let tableH = max(3, inner.height / 2 - 1)
        canvas.put("  " + Self.header, x: inner.x, y: inner.y, ctx.style(.title), maxWidth: inner.width)
        let list = visible
        if list.isEmpty {
            canvas.put(runs.isEmpty ? "  no runs recorded yet: start one with s" : "  no run matches the filter",
                       x: inner.x, y: inner.y + 1, ctx.style(.dim))
        }
        let rows = tableH - 1
        let off = Scroll.offset(selected: cursor, current: 0, visible: rows, count: list.count)
        for (row, i) in (off..<list.count).enumerated() where row < rows {
            let r = list[i]
            let y = inner.y + 1 + row
            let style = i == cursor ? ctx.style(.selected) : ctx.style(.normal)
            if i == cursor { canvas.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), " ", style) }
            let mark = r.id == baseline ? "★" : marked.contains(r.id) ? "●" : " "
            canvas.put(mark, x: inner.x, y: y, marked.contains(r.id) ? ctx.style(.series(RunCurve.color(for: r.id))) : style)
            canvas.put(" " + line(r), x: inner.x + 1, y: y, style, maxWidth: inner.width - 1)
        }
        let bottom = Rect(x: inner.x, y: inner.y + tableH, width: inner.width, height: inner.height - tableH - 1)
        if let diff {
            let lines = diff.table(onlyDifferences: true).split(separator: "\n").map(String.init)
            canvas.put("config diff (d):", x: bottom.x, y: bottom.y, ctx.style(.title))
            for (i, l) in lines.enumerated() where i + 1 < bottom.height {
                canvas.put(l, x: bottom.x, y: bottom.y + 1 + i, l.hasPrefix("*") ? ctx.style(.highlight) : ctx.style(.normal), maxWidth: bottom.width)
            }
        } else if let store, let curves = try? curves(marked, store: store), !curves.isEmpty {
            RunsBrowser.drawCurves(&canvas, bottom, curves, smoothing: smoothing, logScale: false, ctx: ctx)
        } else {
            canvas.putCentered("mark runs with Space to compare their loss curves", in: bottom, y: bottom.y + bottom.height / 2, ctx.style(.dim))
        }
        let help = filterInput != nil ? "type to filter · Enter keep · Esc cancel"
            : "Space mark · Enter overlay · b baseline · d diff · o sort · / filter · n rename · t tags · u resume · X delete · Esc close"
        if case let (kind, input)? = edit {
            let label: String
            switch kind {
            case .rename(let id): label = "name of \(id): "
            case .tags(let id): label = "tags of \(id) (comma-separated): "
            }
            let w = canvas.put(label, x: inner.x, y: inner.maxY - 1, ctx.style(.highlight))
            input.draw(&canvas, x: inner.x + w, y: inner.maxY - 1, width: min(40, max(1, inner.width - w - 1)), ctx: ctx)
        } else if let input = filterInput {
            canvas.put("/", x: inner.x, y: inner.maxY - 1, ctx.style(.highlight))
            input.draw(&canvas, x: inner.x + 1, y: inner.maxY - 1, width: min(30, inner.width - 2), ctx: ctx)
            canvas.put(help, x: inner.x + 33, y: inner.maxY - 1, ctx.style(.dim), maxWidth: max(0, inner.width - 33))
        } else {
            canvas.put(message ?? help, x: inner.x, y: inner.maxY - 1, message == nil ? ctx.style(.dim) : ctx.style(.warning), maxWidth: inner.width)
        }
    }

    /// A legend line (one entry per run, in its colour) and the curves smoothed with TensorBoard's debiased EMA.
    static func drawCurves(_ canvas: inout Canvas, _ rect: Rect, _ curves: [RunCurve], smoothing: Double, logScale: Bool,
                           ctx: RenderContext) {
        var x = rect.x
        for c in curves {
            x += canvas.put(c.isBaseline ? "★ " : "━ ", x: x, y: rect.y, ctx.style(.series(c.color)))
            let last = LineChart.smooth(c.points.map(\.y), smoothing).last.map(Format.metric) ?? "—"
            x += canvas.put("\(c.label) \(last)  ", x: x, y: rect.y, ctx.style(.normal))
        }
        let series = curves.map { c in
            ChartSeries(name: c.id, points: zip(c.points, LineChart.smooth(c.points.map(\.y), smoothing)).map { ChartPoint($0.x, $1) },
                        color: c.color)
        }
        LineChart(series: series, xTitle: "step", logScale: logScale)
            .draw(&canvas, Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1), ctx: ctx)
    }
}
