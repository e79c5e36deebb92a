import Tensors

/// The dataset browser for sequence data: a list of samples (text with its token ids,
/// length and class; or a window as a sparkline with its target) above the selected
/// sample drawn large (its tokens one per column; or its window as a line chart).
/// Enter gives the selected sample the whole pane.
extension DatasetPane {
    /// Whether the data are sequences (text or series) rather than images or rows.
    public var isSequence: Bool { sampleKind == .text || sampleKind == .series }

    /// Where a sequence body goes: the info line, the sample list and the selected sample's
    /// detail (none when the pane is short; the whole body when enlarged).
    static func sequenceLayout(_ body: Rect, enlarged: Bool) -> (info: Rect, list: Rect, detail: Rect?) {
        let info = Rect(x: body.x, y: body.y, width: body.width, height: min(1, body.height))
        let rest = Rect(x: body.x, y: body.y + 1, width: body.width, height: max(0, body.height - 1))
        if enlarged { return (info, Rect(x: rest.x, y: rest.y, width: rest.width, height: 0), rest) }
        guard rest.height >= 12 else { return (info, rest, nil) }
        let detailHeight = min(12, rest.height * 2 / 5)
        let list = Rect(x: rest.x, y: rest.y, width: rest.width, height: rest.height - detailHeight)
        return (info, list, Rect(x: rest.x, y: list.maxY, width: rest.width, height: detailHeight))
    }

    /// The list's geometry in a pane's inner rectangle (one sample per row).
    func sequenceGrid(for inner: Rect) -> Grid {
        let body = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: max(0, inner.height - 1))
        let list = DatasetPane.sequenceLayout(body, enlarged: enlarged).list
        return Grid(thumbWidth: list.width, thumbHeight: 0, columns: 1, rows: list.height, origin: (list.x, list.y))
    }

    /// The info line: vocabulary and special tokens, then the item count and length (text);
    /// the window and horizon (series). Most important first: a narrow pane cuts the end.
    func sequenceInfo(_ dataset: DatasetSource) -> String {
        let n = Format.grouped(dataset.count(split))
        let length = dataset.inputShape.first ?? 0
        if let v = dataset.vocabulary {
            let items = dataset.task == .languageModeling ? "\(n) windows of \(length) tokens" : "\(n) texts of up to \(length) tokens"
            return "vocabulary \(v.size) (\(v.kind)) · specials \(v.specials.joined(separator: " ")) · \(items)"
        }
        return "\(n) windows of \(length) values → next \(dataset.outputs) · standardised"
    }

    func renderSequences(_ canvas: inout Canvas, _ body: Rect, focused: Bool, dataset: DatasetSource, ctx: RenderContext) {
        let (info, list, detail) = DatasetPane.sequenceLayout(body, enlarged: enlarged)
        canvas.put(sequenceInfo(dataset), x: info.x, y: info.y, ctx.style(.dim), maxWidth: info.width)
        if indices.isEmpty {
            canvas.putCentered("no samples in the \(split.rawValue) split", in: body, y: body.y + body.height / 2, ctx.style(.dim))
            return
        }
        let indexWidth = max(3, String(dataset.count(split)).count)
        let first = min(offset, max(0, indices.count - 1))
        for row in 0..<list.height {
            let i = first + row
            guard i < indices.count else { break }
            let idx = indices[i]
            let isSelected = i == selected
            let style = isSelected ? ctx.style(focused ? .selected : .selectedUnfocused) : ctx.style(.normal)
            let y = list.y + row
            if isSelected { canvas.fill(Rect(x: list.x, y: y, width: list.width, height: 1), " ", style) }
            var x = list.x
            x += canvas.put(TextWidth.pad(String(idx), to: indexWidth) + " ", x: x, y: y, isSelected ? style : ctx.style(.dim), maxWidth: list.maxX - x)
            if let s = dataset.textSample(split, idx) {
                drawTextRow(&canvas, s, x: x, y: y, maxX: list.maxX, style: style, selected: isSelected, dataset: dataset, ctx: ctx)
            } else if let w = dataset.seriesWindow(split, idx) {
                let target = w.targets.map(Format.metric).joined(separator: " ")
                let sparkWidth = max(0, min(w.values.count, list.maxX - x - TextWidth.of(target) - 3))
                x += canvas.put(Sparkline.text(w.values, width: sparkWidth), x: x, y: y, isSelected ? style : ctx.style(.series(.stepLoss)),
                                maxWidth: list.maxX - x)
                canvas.put(" → " + target, x: x, y: y, isSelected ? style : ctx.style(.highlight), maxWidth: list.maxX - x)
            }
        }
        guard let detail, let idx = selectedIndex else { return }
        if let s = dataset.textSample(split, idx) {
            renderTextDetail(&canvas, detail, s, index: idx, dataset: dataset, ctx: ctx)
        } else if let w = dataset.seriesWindow(split, idx) {
            renderSeriesDetail(&canvas, detail, w, index: idx, ctx: ctx)
        }
    }

    /// One list row of text: length, class (classification) or next token (language
    /// modelling), the escaped text cut to fit, then the token ids as far as they fit.
    func drawTextRow(_ canvas: inout Canvas, _ s: TextSample, x x0: Int, y: Int, maxX: Int, style: Style, selected: Bool,
                     dataset: DatasetSource, ctx: RenderContext) {
        var x = x0
        let dim = selected ? style : ctx.style(.dim)
        x += canvas.put(TextWidth.pad("L\(s.length)", to: 5), x: x, y: y, dim, maxWidth: maxX - x)
        if let l = s.label {
            let name = l < dataset.classNames.count ? dataset.classNames[l] : "#\(l)"
            let w = min(12, dataset.classNames.map { TextWidth.of($0) }.max() ?? 4)
            x += canvas.put(TextWidth.pad(String(name.prefix(w)), to: w) + " ", x: x, y: y, selected ? style : ctx.style(.highlight),
                            maxWidth: maxX - x)
        }
        let next = s.nextToken.map { " → " + $0 } ?? ""
        let room = maxX - x - TextWidth.of(next)
        // The text gets up to two thirds of the room, the ids the rest.
        let ids = s.tokens.map(String.init).joined(separator: " ")
        let textRoom = min(TextWidth.of(s.escapedText), max(8, ids.isEmpty ? room : room * 2 / 3))
        x += canvas.put(TextWidth.truncate(s.escapedText, to: textRoom), x: x, y: y, style, maxWidth: max(0, room))
        if !next.isEmpty { x += canvas.put(next, x: x, y: y, selected ? style : ctx.style(.highlight), maxWidth: maxX - x) }
        if maxX - x > 6 {
            canvas.put("  " + TextWidth.truncate(ids, to: maxX - x - 2), x: x, y: y, dim, maxWidth: maxX - x)
        }
    }

    /// The selected text large: its header, the text wrapped, then its tokens one per column
    /// with their ids below (and, for a window, the next-token target under each).
    func renderTextDetail(_ canvas: inout Canvas, _ r: Rect, _ s: TextSample, index: Int, dataset: DatasetSource, ctx: RenderContext) {
        guard r.height >= 2, r.width >= 8 else { return }
        Box.rule(&canvas, x: r.x, y: r.y, width: r.width, caption: "#\(index)", ctx: ctx)
        var header = "\(s.length) tokens"
        if let l = s.label { header += " · class " + (l < dataset.classNames.count ? dataset.classNames[l] : "#\(l)") + " (\(l))" }
        if let next = s.nextToken { header += " · next token " + next }
        var y = r.y + 1
        canvas.put(header, x: r.x, y: y, ctx.style(.title), maxWidth: r.width)
        y += 1
        // The text, wrapped, at most a third of the detail.
        let text = s.escapedText
        let textRows = max(1, min((r.height - 2) / 3, (TextWidth.of(text) + r.width - 1) / max(1, r.width)))
        var rest = Substring(text)
        for _ in 0..<textRows where y < r.maxY && !rest.isEmpty {
            var line = ""
            while let ch = rest.first, TextWidth.of(line + String(ch)) <= r.width { line.append(ch); rest.removeFirst() }
            canvas.put(line, x: r.x, y: y, ctx.style(.normal), maxWidth: r.width)
            y += 1
        }
        // Token columns: piece / id (/ → target), each column as wide as its widest entry.
        let rowsPerBand = s.targetPieces == nil ? 2 : 3
        var x = r.x
        let labels = s.targetPieces == nil ? ["tok", "id"] : ["in", "id", "→"]
        let labelW = 4
        func startBand() {
            for (k, l) in labels.enumerated() where y + k < r.maxY {
                canvas.put(l, x: r.x, y: y + k, ctx.style(.dim), maxWidth: labelW)
            }
            x = r.x + labelW
        }
        guard y + rowsPerBand <= r.maxY else { return }
        startBand()
        for (k, id) in s.tokens.enumerated() {
            let piece = TextSample.escape(s.pieces[k])
            let target = s.targetPieces.map { TextSample.escape($0[k]) }
            let w = max(TextWidth.of(piece), String(id).count, target.map { TextWidth.of($0) } ?? 0)
            if x + w > r.maxX {
                y += rowsPerBand + 1
                guard y + rowsPerBand <= r.maxY else { return }
                startBand()
            }
            canvas.put(piece, x: x, y: y, ctx.style(.normal))
            canvas.put(String(id), x: x, y: y + 1, ctx.style(.dim))
            if let target { canvas.put(target, x: x, y: y + 2, ctx.style(.highlight)) }
            x += w + 1
        }
    }

    /// The selected window as a line chart: its values and, after them, the target(s).
    func renderSeriesDetail(_ canvas: inout Canvas, _ r: Rect, _ w: SeriesWindow, index: Int, ctx: RenderContext) {
        guard r.height >= 3 else { return }
        Box.rule(&canvas, x: r.x, y: r.y, width: r.width, caption: "#\(index) → " + w.targets.map(Format.metric).joined(separator: " "), ctx: ctx)
        let values = w.values.enumerated().map { ChartPoint(Double($0.offset), $0.element) }
        let last = values.last.map { [$0] } ?? []
        let targets = last + w.targets.enumerated().map { ChartPoint(Double(w.values.count + $0.offset), $0.element) }
        let chart = LineChart(series: [ChartSeries(name: "window", points: values, color: .stepLoss),
                                       ChartSeries(name: "target", points: targets, color: .valAcc)],
                              xTitle: "step (window, then target)")
        chart.draw(&canvas, Rect(x: r.x, y: r.y + 1, width: r.width, height: r.height - 1), ctx: ctx)
    }
}
