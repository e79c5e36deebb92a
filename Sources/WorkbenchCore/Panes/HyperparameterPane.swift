import Tensors
/// The hyperparameter editor: a list of fields edited inline with validation.
public struct HyperparameterPane: Sendable {
    public enum Action: Equatable, Sendable {
        case up, down
        /// Open the editor (text fields) or flip the value (choice fields).
        case edit
        case cycle(Int)
        case submit(String)
        case cancel
        case resetField
    }

    public var selected = 0
    public var offset = 0
    /// The open inline editor, if any.
    public var editor: TextInput?
    /// The last validation error or confirmation.
    public var message: String?
    public var messageIsError = false

    public init() {}

    public var field: HyperparameterField { HyperparameterField.allCases[selected] }

    public static let bindings: [KeyBinding<Action>] = [
        KeyBinding([.up], "select", .up, label: "↑↓"),
        KeyBinding([.down], "select next", .down, listed: false),
        KeyBinding([.enter], "edit", .edit),
        KeyBinding([.left], "change choice", .cycle(-1), label: "←→"),
        KeyBinding([.right], "next choice", .cycle(1), listed: false),
        KeyBinding([.char("d")], "default value", .resetField, inHelpLine: false),
    ]

    static let editorBindings: [KeyBinding<Action>] = [
        KeyBinding([.enter], "apply", .submit(""), label: "Enter"),
        KeyBinding([.escape], "cancel (keep old value)", .cancel, label: "Esc"),
    ]

    /// Whether the pane is capturing all keys (an editor is open).
    public var isEditing: Bool { editor != nil }

    /// Maps a key to an action; while editing, keys go to the editor first.
    public mutating func action(for key: Key) -> Action? {
        if var e = editor {
            let outcome = e.handle(key)
            editor = e
            switch outcome {
            case .editing: return nil
            case .submitted(let t): return .submit(t)
            case .cancelled: return .cancel
            }
        }
        return HyperparameterPane.bindings.action(for: key)
    }

    /// Opens the inline editor on the selected field with its current value.
    public mutating func beginEditing(_ value: String) {
        editor = TextInput(value)
        message = nil
    }

    public mutating func move(_ d: Int, visible: Int) {
        selected = max(0, min(HyperparameterField.allCases.count - 1, selected + d))
        offset = Scroll.offset(selected: selected, current: offset, visible: visible, count: HyperparameterField.allCases.count)
        message = nil
    }

    /// The value after cycling a choice field.
    public static func cycled(_ field: HyperparameterField, _ h: TrainingConfig, by d: Int) -> String? {
        switch field {
        case .optimizer:
            let all = OptimizerKind.allCases
            let i = all.firstIndex(of: h.optimizer) ?? 0
            return all[((i + d) % all.count + all.count) % all.count].displayName
        case .scheduler:
            let all: [SchedulerKind?] = [nil] + SchedulerKind.allCases.map { Optional($0) }
            let i = all.firstIndex(of: h.scheduler?.kind) ?? 0
            return all[((i + d) % all.count + all.count) % all.count]?.displayName ?? "none"
        case .augmentation: return h.augment ? "off" : "on"
        default: return nil
        }
    }

    /// Draws the fields. `values` are the shown (effective) values; `pending` the next-run
    /// fields whose new value waits for the next run.
    /// `stepsPerEpoch` (the current run's plan, when known) sizes the lr curve
    /// preview of per-batch schedulers.
    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, values: TrainingConfig,
                       runActive: Bool, pending: Set<HyperparameterField>, stepsPerEpoch: Int? = nil, ctx: RenderContext) {
        guard !inner.isEmpty else { return }
        let fields = HyperparameterField.allCases
        let messageLines = messageLines(width: inner.width)
        let hint = inner.height >= fields.count + messageLines.count + 1
        let visible = visibleRows(inner: inner)
        let offset = Scroll.offset(selected: selected, current: self.offset, visible: visible, count: fields.count)
        let nameW = min(17, max(8, inner.width / 2 - 2))
        let tagW = inner.width >= 34 ? 10 : 0
        let valueW = max(4, inner.width - nameW - tagW - 2)
        for (row, i) in (offset..<fields.count).enumerated() where row < visible {
            let f = fields[i]
            let y = inner.y + row
            let isSel = i == selected
            let base = isSel ? ctx.style(focused ? .selected : .selectedUnfocused) : ctx.style(.normal)
            canvas.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), " ", base)
            canvas.put((isSel ? "▸" : " ") + f.rawValue, x: inner.x, y: y, base, maxWidth: nameW)
            if isSel, let e = editor {
                e.draw(&canvas, x: inner.x + nameW + 1, y: y, width: valueW, ctx: ctx)
            } else {
                let v = f.format(values) + (f.isChoice && isSel ? " ◂▸" : "")
                canvas.put(v, x: inner.x + nameW + 1, y: y, isSel ? base : ctx.style(.highlight), maxWidth: valueW)
            }
            if tagW > 0 {
                let tag: String
                var style = isSel ? base : ctx.style(.dim)
                if f.appliesLive {
                    tag = "next step"
                    if !isSel && runActive { style = ctx.style(.ok) }
                } else {
                    tag = pending.contains(f) ? "*next run" : "next run"
                    if pending.contains(f) && !isSel { style = ctx.style(.warning) }
                }
                canvas.putRight(tag, maxX: inner.maxX, y: y, style)
            }
        }
        var fy = inner.y + min(visible, fields.count)
        for line in messageLines where fy < inner.maxY {
            canvas.put(line, x: inner.x, y: fy, ctx.style(messageIsError ? .error : .ok), maxWidth: inner.width)
            fy += 1
        }
        let preview = Self.lrPreview(values, stepsPerEpoch: stepsPerEpoch, width: inner.width)
        if !preview.isEmpty && fy + preview.count + (hint ? 1 : 0) <= inner.maxY {
            for (i, line) in preview.enumerated() {
                canvas.put(line, x: inner.x, y: fy + i, ctx.style(i == 0 ? .highlight : .dim), maxWidth: inner.width)
            }
        }
        if hint, fy < inner.maxY {
            let text = isEditing ? "Enter apply · Esc keep old value" : "next step: changes a running training"
            canvas.put(text, x: inner.x, y: inner.maxY - 1, ctx.style(.dim), maxWidth: inner.width)
        }
    }

    /// The learning-rate curve of the settings' scheduler over the planned
    /// run, as two lines (`lr ▇▇▇▄▄▄▁▁▁`, `0.001 → 1e-05 over 10 epochs`), or
    /// none without a scheduler or with arguments that do not build it.
    /// Epoch-based schedulers draw one value per epoch; per-batch ones
    /// (`OneCycleLR`, `CyclicLR`) every step of `stepsPerEpoch` (50 before a run plans it).
    public static func lrPreview(_ h: TrainingConfig, stepsPerEpoch: Int?, width: Int) -> [String] {
        guard let s = h.scheduler, width > 4 else { return [] }
        let perBatch = s.kind.stepsPerBatch
        let steps = perBatch ? Swift.max(1, stepsPerEpoch ?? 50) : 1
        guard let curve = try? s.learningRates(lr: h.lr, epochs: h.epochs, stepsPerEpoch: steps), let first = curve.first,
              let last = curve.last else { return [] }
        let span = perBatch ? "\(curve.count) steps" : "\(h.epochs) epochs"
        return ["lr " + Sparkline.text(curve, width: width - 3),
                "\(formatHyperparameter(first)) → \(formatHyperparameter(last)) over \(span), min \(formatHyperparameter(curve.min() ?? first))"]
    }

    func messageLines(width: Int) -> [String] {
        guard let m = message else { return [] }
        return Array(wrap(m, width: width).prefix(2))
    }

    /// Rows available for the field list.
    public func visibleRows(inner: Rect) -> Int {
        let n = HyperparameterField.allCases.count
        let msg = messageLines(width: inner.width).count
        let hint = inner.height >= n + msg + 1 ? 1 : 0
        return max(1, inner.height - msg - hint)
    }

}
