import Tensors
/// The dataset browser: an image grid, an enlarged view, a class histogram and the
/// confusion matrix of the last evaluation.
public struct DatasetPane: Sendable {
    public enum View: String, CaseIterable, Sendable {
        case images, classes, confusion
    }

    public enum Action: Equatable, Sendable {
        case move(dx: Int, dy: Int)
        case page(Int)
        case home, end
        case toggleEnlarge
        case nextFilter, previousFilter
        case toggleSplit
        case toggleAugment
        case reroll
        case nextView
    }

    /// Thumbnail geometry for a pane's inner rectangle.
    public struct Grid: Equatable, Sendable {
        public var thumbWidth: Int
        public var thumbHeight: Int
        public var columns: Int
        public var rows: Int
        public var origin: (x: Int, y: Int)
        public var perPage: Int { columns * rows }

        public static func == (a: Grid, b: Grid) -> Bool {
            a.thumbWidth == b.thumbWidth && a.thumbHeight == b.thumbHeight && a.columns == b.columns
                && a.rows == b.rows && a.origin.x == b.origin.x && a.origin.y == b.origin.y
        }
    }

    public var split: DatasetSplit = .train
    /// Selected position in `indices`.
    public var selected = 0
    /// First visible grid row.
    public var offset = 0
    public var classFilter: Int?
    public var augmentPreview = false
    public var variant: UInt64 = 1
    public var enlarged = false
    public var view: View = .images
    /// The selected cell of the confusion matrix (true class row, predicted class column);
    /// Enter opens its misclassification gallery.
    public var confusionCell = (truth: 0, predicted: 1)
    /// Dataset indices shown (the split, filtered by class).
    public private(set) var indices: [Int] = []
    /// The dataset is a table (CSV rows) rather than images.
    public private(set) var isTable = false
    /// How the dataset's samples are shown (images, rows, text, series windows).
    public private(set) var sampleKind: SampleKind = .image
    /// The dataset's number of classes (0 for regression, forecasting and language modelling).
    public private(set) var classCount = 0
    private var counts: [DatasetSplit: [Int]] = [:]

    public init() {}

    /// Recomputes the filtered indices after the dataset, split or filter changed.
    public mutating func reload(_ dataset: DatasetSource) {
        isTable = dataset.sampleKind == .table
        sampleKind = dataset.sampleKind
        classCount = dataset.classNames.count
        if isTable { enlarged = false }
        let n = dataset.count(split)
        if let c = classFilter {
            indices = (0..<n).filter { dataset.label(split, $0) == c }
        } else {
            indices = Array(0..<n)
        }
        selected = min(selected, max(0, indices.count - 1))
        if counts[split] == nil { counts[split] = dataset.classCounts(split) }
    }

    /// Forgets cached counts (a new dataset).
    public mutating func reset(_ dataset: DatasetSource) {
        counts = [:]
        selected = 0
        offset = 0
        classFilter = nil
        reload(dataset)
    }

    public func classCounts(_ dataset: DatasetSource) -> [Int] { counts[split] ?? dataset.classCounts(split) }

    /// The dataset index of the selected sample.
    public var selectedIndex: Int? { indices.isEmpty ? nil : indices[min(selected, indices.count - 1)] }

    public static let bindings: [KeyBinding<Action>] = [
        KeyBinding([.char("f")], "filter", .nextFilter),
        KeyBinding([.char("t")], "split", .toggleSplit),
        KeyBinding([.char("a")], "augment", .toggleAugment),
        KeyBinding([.char("v")], "view", .nextView),
        KeyBinding([.enter, .char(" ")], "enlarge", .toggleEnlarge, label: "Enter"),
        KeyBinding([.left], "move", .move(dx: -1, dy: 0), label: "←↑↓→"),
        KeyBinding([.right], "move right", .move(dx: 1, dy: 0), listed: false),
        KeyBinding([.up], "move up", .move(dx: 0, dy: -1), listed: false),
        KeyBinding([.down], "move down", .move(dx: 0, dy: 1), listed: false),
        KeyBinding([.pageUp], "page", .page(-1), label: "PgUp/PgDn", inHelpLine: false),
        KeyBinding([.pageDown], "next page", .page(1), listed: false),
        KeyBinding([.home], "first/last", .home, label: "Home/End", inHelpLine: false),
        KeyBinding([.end], "last", .end, listed: false),
        KeyBinding([.char("F")], "previous class filter", .previousFilter, inHelpLine: false),
        KeyBinding([.char("r")], "new augmentation draw", .reroll, inHelpLine: false),
    ]

    /// The action bound to `key`.
    public func action(for key: Key) -> Action? { activeBindings.action(for: key) }

    /// Applies `action`; `inner` is the pane's inner rectangle (for the grid geometry).
    public mutating func apply(_ action: Action, dataset: DatasetSource, inner: Rect) {
        let grid = isTable ? DatasetPane.tableGrid(for: inner) : isSequence ? sequenceGrid(for: inner) : DatasetPane.grid(for: inner)
        let cols = max(1, grid.columns)
        let last = max(0, indices.count - 1)
        switch action {
        case .move(let dx, let dy) where view == .confusion:
            let n = max(1, dataset.classNames.count)
            confusionCell = (max(0, min(n - 1, confusionCell.truth + dy)), max(0, min(n - 1, confusionCell.predicted + dx)))
        case .move(let dx, let dy):
            if view == .classes && dx == 0 {
                moveFilter(by: dy, classes: dataset.classNames.count)
                reload(dataset)
            } else {
                selected = max(0, min(last, selected + dx + dy * (enlarged ? 1 : cols)))
            }
        case .page(let d): selected = max(0, min(last, selected + d * max(1, grid.perPage)))
        case .home: selected = 0
        case .end: selected = last
        case .toggleEnlarge:
            if view == .images { if !isTable { enlarged.toggle() } } else { view = .images }
        case .nextFilter, .previousFilter:
            moveFilter(by: action == .nextFilter ? 1 : -1, classes: dataset.classNames.count)
            selected = 0
            offset = 0
            reload(dataset)
        case .toggleSplit:
            split = split == .train ? .test : .train
            selected = 0
            offset = 0
            reload(dataset)
        case .toggleAugment: augmentPreview.toggle()
        case .reroll:
            variant &+= 1
            augmentPreview = true
        case .nextView:
            let all = View.allCases
            view = all[((all.firstIndex(of: view) ?? 0) + 1) % all.count]
        }
        keepSelectionVisible(isSequence ? sequenceGrid(for: inner) : grid)
    }

    private mutating func moveFilter(by d: Int, classes: Int) {
        // nil (all) → 0 → 1 … → classes-1 → nil
        let cur = classFilter.map { $0 + 1 } ?? 0
        let next = ((cur + d) % (classes + 1) + classes + 1) % (classes + 1)
        classFilter = next == 0 ? nil : next - 1
    }

    mutating func keepSelectionVisible(_ grid: Grid) {
        guard grid.columns > 0, grid.rows > 0 else { return }
        let row = selected / grid.columns
        let total = (indices.count + grid.columns - 1) / grid.columns
        offset = Scroll.offset(selected: row, current: offset, visible: grid.rows, count: total)
    }

    /// Selects the thumbnail under a click; returns whether one was hit.
    public mutating func click(x: Int, y: Int, inner: Rect) -> Bool {
        guard view == .images, !enlarged else { return false }
        if isSequence {
            let g = sequenceGrid(for: inner)
            let i = offset + y - g.origin.y
            guard y >= g.origin.y, y - g.origin.y < g.rows, i < indices.count else { return false }
            selected = i
            return true
        }
        let g = DatasetPane.grid(for: inner)
        guard g.columns > 0 else { return false }
        let cx = (x - g.origin.x) / (g.thumbWidth + 1), cy = (y - g.origin.y) / (g.thumbHeight + 1)
        guard x >= g.origin.x, y >= g.origin.y, cx < g.columns, cy < g.rows else { return false }
        let i = (offset + cy) * g.columns + cx
        guard i < indices.count else { return false }
        selected = i
        return true
    }

    /// The largest thumbnail size that fits: full size (32×16 cells) when at least 8 fit,
    /// else half (16×8), 12×6 or 8×4; each thumbnail has a label row below it, below the
    /// header row.
    public static func grid(for inner: Rect) -> Grid {
        let sizes = [(32, 16), (16, 8), (12, 6), (8, 4)]
        for (i, (w, h)) in sizes.enumerated() {
            let cols = (inner.width + 1) / (w + 1)
            let rows = (inner.height - 1) / (h + 1)
            let needed = i == 0 ? 8 : (i == sizes.count - 1 ? 1 : 2)
            if cols >= 1 && rows >= 1 && cols * rows >= needed {
                let used = cols * (w + 1) - 1
                return Grid(thumbWidth: w, thumbHeight: h, columns: cols, rows: rows,
                            origin: (inner.x + max(0, (inner.width - used) / 2), inner.y + 1))
            }
        }
        return Grid(thumbWidth: 0, thumbHeight: 0, columns: 0, rows: 0, origin: (inner.x, inner.y))
    }

    /// Table geometry: one row per sample below the tab row and the column header.
    static func tableGrid(for inner: Rect) -> Grid {
        Grid(thumbWidth: inner.width, thumbHeight: 0, columns: 1, rows: max(0, inner.height - 2), origin: (inner.x, inner.y + 2))
    }

    public func title(_ dataset: DatasetSource) -> String {
        let filter = classFilter.map { " · " + ($0 < dataset.classNames.count ? dataset.classNames[$0] : "#\($0)") } ?? ""
        return "\(split.rawValue)\(filter) \(indices.isEmpty ? 0 : selected + 1)/\(indices.count)"
    }

    // MARK: Rendering

    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, dataset: DatasetSource,
                       evaluation: Evaluation?, ctx: RenderContext) {
        guard !inner.isEmpty else { return }
        // Header: view tabs and toggles.
        var x = inner.x
        for v in View.allCases {
            let style = v == view ? ctx.style(focused ? .selected : .selectedUnfocused) : ctx.style(.dim)
            let label = isTable ? (v == .images ? "rows" : v == .classes && dataset.task == .regression ? "targets" : v.rawValue)
                : isSequence ? (v == .images ? (sampleKind == .series ? "windows" : "samples") : v == .classes && sampleKind == .series ? "targets" : v.rawValue)
                : v.rawValue
            x += canvas.put(label, x: x, y: inner.y, style, maxWidth: inner.maxX - x)
            x += 1
        }
        let flags = isTable ? (dataset.target.map { "predict \($0) (\(dataset.task.rawValue))" } ?? "")
            : isSequence ? dataset.task.rawValue : (augmentPreview ? "augmented" : "original")
        if inner.maxX - x > TextWidth.of(flags) {
            canvas.putRight(flags, maxX: inner.maxX, y: inner.y, ctx.style(augmentPreview ? .warning : .dim))
        }
        let body = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
        switch view {
        case .images where isTable:
            renderTable(&canvas, body, focused: focused, dataset: dataset, ctx: ctx)
        case .images where isSequence:
            renderSequences(&canvas, body, focused: focused, dataset: dataset, ctx: ctx)
        case .classes where (isTable && dataset.task == .regression) || sampleKind == .series:
            renderTargets(&canvas, body, dataset: dataset, ctx: ctx)
        case .classes where dataset.task == .languageModeling:
            canvas.putCentered("no classes: a language model predicts the next token (vocabulary \(dataset.outputs))", in: body,
                               y: body.y + body.height / 2, ctx.style(.dim))
        case .images:
            if enlarged { renderEnlarged(&canvas, body, dataset: dataset, ctx: ctx) }
            else { renderGrid(&canvas, inner, focused: focused, dataset: dataset, ctx: ctx) }
        case .classes: renderClasses(&canvas, body, dataset: dataset, evaluation: evaluation, ctx: ctx)
        case .confusion:
            if let cm = evaluation?.confusion {
                Heatmap.draw(&canvas, body, matrix: (0..<cm.classes).map { t in (0..<cm.classes).map { cm[t, $0] } },
                             labels: dataset.classNames, selected: focused ? confusionCell : nil, ctx: ctx)
                if focused && body.height > cm.classes + 2 {
                    canvas.put("←↑↓→ cell · Enter: its misclassified images", x: body.x, y: body.y + cm.classes + 1, ctx.style(.dim),
                               maxWidth: body.width)
                }
            } else if dataset.task != .classification && dataset.task != .sequenceClassification {
                canvas.putCentered("no confusion matrix: \(dataset.task.rawValue) has no classes", in: body, y: body.y + body.height / 2, ctx.style(.dim))
            } else {
                canvas.putCentered("no evaluation yet: press E (or finish a run)", in: body, y: body.y + body.height / 2, ctx.style(.dim))
            }
        }
    }

    /// CSV rows: a column header, then one line per sample (the selected one highlighted),
    /// columns as wide as their header or values, the predicted column last.
    func renderTable(_ canvas: inout Canvas, _ body: Rect, focused: Bool, dataset: DatasetSource, ctx: RenderContext) {
        let names = dataset.columnNames
        guard !names.isEmpty, body.height >= 2 else { return }
        let visible = body.height - 1
        let first = min(offset, max(0, indices.count - 1))
        let shown = indices.isEmpty ? [] : Array(indices[first..<min(indices.count, first + visible)])
        let rows = shown.map { dataset.row(split, $0) }
        var widths = names.map { min(14, TextWidth.of($0)) }
        for r in rows { for (i, v) in r.enumerated() where i < widths.count { widths[i] = min(14, max(widths[i], TextWidth.of(v))) } }
        let indexWidth = max(3, String(dataset.count(split)).count)
        func line(_ cells: [String], y: Int, style: Style, lastStyle: Style) {
            var x = body.x
            x += canvas.put(cells[0].padding(toLength: indexWidth, withPad: " ", startingAt: 0), x: x, y: y, style, maxWidth: body.maxX - x)
            for (i, c) in cells.dropFirst().enumerated() where x < body.maxX {
                x += canvas.put(" ", x: x, y: y, style, maxWidth: body.maxX - x)
                let w = widths[min(i, widths.count - 1)]
                let text = TextWidth.of(c) > w ? String(c.prefix(w - 1)) + "…" : c
                let padded = String(repeating: " ", count: max(0, w - TextWidth.of(text))) + text
                x += canvas.put(padded, x: x, y: y, i == cells.count - 2 ? lastStyle : style, maxWidth: body.maxX - x)
            }
        }
        line(["#"] + names, y: body.y, style: ctx.style(.dim), lastStyle: ctx.style(.highlight))
        for (k, r) in rows.enumerated() {
            let isSelected = first + k == selected
            let style = isSelected ? ctx.style(focused ? .selected : .selectedUnfocused) : ctx.style(.normal)
            line([String(shown[k])] + r, y: body.y + 1 + k, style: style, lastStyle: isSelected ? style : ctx.style(.highlight))
        }
        if rows.isEmpty {
            canvas.putCentered("no rows in the \(split.rawValue) split", in: body, y: body.y + body.height / 2, ctx.style(.dim))
        }
    }

    /// Regression targets as a histogram of 10 equal-width bins over their range.
    func renderTargets(_ canvas: inout Canvas, _ body: Rect, dataset: DatasetSource, ctx: RenderContext) {
        let values = (0..<dataset.count(split)).compactMap { dataset.targetValue(split, $0) }
        guard let lo = values.min(), let hi = values.max() else {
            canvas.putCentered("no targets in the \(split.rawValue) split", in: body, y: body.y + body.height / 2, ctx.style(.dim))
            return
        }
        let bins = 10
        let width = hi > lo ? (hi - lo) / Double(bins) : 1
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[min(bins - 1, Int((v - lo) / width))] += 1 }
        let labels = (0..<bins).map { Format.metric(lo + Double($0) * width) + "…" }
        Bars.draw(&canvas, body, labels: labels, values: counts.map(Double.init), valueText: counts.map { Format.grouped($0) },
                  highlight: nil, ctx: ctx)
    }

    func image(_ dataset: DatasetSource, _ i: Int) -> RGBImage {
        augmentPreview ? dataset.augmentedImage(split, i, variant: variant) : dataset.image(split, i)
    }

    func renderGrid(_ canvas: inout Canvas, _ inner: Rect, focused: Bool, dataset: DatasetSource, ctx: RenderContext) {
        let g = DatasetPane.grid(for: inner)
        guard g.columns > 0 else {
            canvas.put("(pane too small for images)", x: inner.x, y: inner.y + 1, ctx.style(.dim))
            return
        }
        if indices.isEmpty {
            canvas.put("no images in \(split.rawValue) for this filter", x: inner.x, y: inner.y + 1, ctx.style(.dim))
            return
        }
        for r in 0..<g.rows {
            for c in 0..<g.columns {
                let i = (offset + r) * g.columns + c
                guard i < indices.count else { break }
                let idx = indices[i]
                let x = g.origin.x + c * (g.thumbWidth + 1), y = g.origin.y + r * (g.thumbHeight + 1)
                ImageView.draw(&canvas, image(dataset, idx), x: x, y: y, columns: g.thumbWidth, rows: g.thumbHeight)
                let l = dataset.label(split, idx)
                let name = l < dataset.classNames.count ? dataset.classNames[l] : "#\(l)"
                let isSel = i == selected
                let style = isSel ? ctx.style(focused ? .selected : .selectedUnfocused) : ctx.style(.dim)
                let text = TextWidth.pad(isSel ? "▸" + name : " " + name, to: g.thumbWidth)
                canvas.put(text, x: x, y: y + g.thumbHeight, style, maxWidth: g.thumbWidth)
            }
        }
    }

    func renderEnlarged(_ canvas: inout Canvas, _ body: Rect, dataset: DatasetSource, ctx: RenderContext) {
        guard let idx = selectedIndex, body.width > 4, body.height > 1 else { return }
        let img = image(dataset, idx)
        let l = dataset.label(split, idx)
        let name = l < dataset.classNames.count ? dataset.classNames[l] : "#\(l)"
        let lines = ["#\(idx)  \(name) (\(l))", "\(split.rawValue) split", "\(img.width)×\(img.height) px",
                     augmentPreview ? "augmented: crop + flip" : "as stored"]
        let infoW = min(24, lines.map { TextWidth.of($0) }.max() ?? 0)
        // Scale so the image keeps its shape (a cell is one pixel wide and two tall); whole
        // multiples of the pixel grid when it is at least full size. The details go beside
        // the image, or below it when that leaves room for a larger image.
        func scale(_ w: Int, _ h: Int) -> Double {
            let f = min(4, min(Double(w) / Double(img.width), 2 * Double(h) / Double(img.height)))
            return f >= 1 ? f.rounded(.down) : f
        }
        let beside = scale(body.width - infoW - 2, body.height), below = scale(body.width, body.height - lines.count)
        let infoBeside = beside >= below && beside >= 0.5
        // Below: all the details if the image can still be drawn at half size, else the first line.
        let shown = infoBeside || below >= 0.5 ? lines : [lines[0]]
        let f = infoBeside ? beside : scale(body.width, body.height - shown.count)
        let cols = max(1, Int(Double(img.width) * f)), rows = max(1, Int(Double(img.height) * f / 2))
        ImageView.draw(&canvas, img, x: body.x, y: body.y, columns: cols, rows: rows)
        for (i, line) in shown.enumerated() {
            let style = ctx.style(i == 0 ? .title : .dim)
            if infoBeside { canvas.put(line, x: body.x + cols + 2, y: body.y + i, style, maxWidth: body.maxX - body.x - cols - 2) }
            else { canvas.put(line, x: body.x, y: body.y + rows + i, style, maxWidth: body.width) }
        }
    }

    func renderClasses(_ canvas: inout Canvas, _ body: Rect, dataset: DatasetSource, evaluation: Evaluation?, ctx: RenderContext) {
        let counts = classCounts(dataset)
        let acc = evaluation?.confusion?.perClassAccuracy
        let texts = counts.enumerated().map { i, n -> String in
            var t = Format.grouped(n)
            if let a = acc, i < a.count { t += a[i].map { String(format: "  %3.0f%%", $0 * 100) } ?? "     -" }
            return t
        }
        var area = body
        if acc != nil && body.height > counts.count {
            canvas.putRight("count  accuracy", maxX: body.maxX, y: body.y, ctx.style(.dim))
            area = Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1)
        }
        Bars.draw(&canvas, area, labels: dataset.classNames, values: counts.map(Double.init), valueText: texts,
                  highlight: classFilter, ctx: ctx)
    }
}
