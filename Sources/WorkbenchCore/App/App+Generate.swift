import Foundation
import Tensors

/// The generate form (G, or Generate text… in the menu): sampling settings on the left, the
/// sampled text on the right, drawn over the bottom panes so the charts stay in view while
/// the model trains. Each request goes to the session, which samples a copy of the weights
/// taken between steps (`EngineSession.generate`); with "each epoch" on, the form samples
/// again with the same settings after every epoch of the run.
extension App {
    /// The help line's entries while the form is open.
    static let generateHelp = [HelpEntry(label: "Enter", description: "sample"), HelpEntry(label: "Tab/↑↓", description: "field"),
                               HelpEntry(label: "^R", description: "each epoch"), HelpEntry(label: "Esc", description: "close")]

    /// Whether the current model and data are a language model that can sample text.
    var canGenerate: Bool {
        dataset.task == .languageModeling && SequenceModelZoo.entry(named: modelName)?.kind == .languageModel
    }

    /// Opens the form, or says why there is nothing to sample from.
    func openGenerate() {
        guard canGenerate else {
            overlay = .message(title: "Generate text", text: """
                Generate samples text from a language model; \(modelTitle) on \(dataset.name) is not one.
                Open text data (menu m → Sequence data: the arithmetic corpus, or a .txt file) with a language model (char-lstm, gpt-mini).
                """, isError: true)
            return
        }
        guard session != nil else {
            overlay = .message(title: "Generate text", text: modelError ?? "no model to sample from", isError: true)
            return
        }
        generateForm.message = nil
        overlay = .generate
    }

    /// Sends a sampling request with `settings`; `origin` says which weights it reads.
    func requestSample(_ settings: TextSampling, origin: String) {
        guard let s = session else { return }
        lastGenerationID += 1
        generateForm.pending = lastGenerationID
        generateForm.sampledTokens = 0
        generateForm.origin = origin
        generateForm.message = "sampling \(settings.maxTokens) tokens…"
        generateForm.messageIsError = false
        s.send(.generate(settings, id: lastGenerationID))
    }

    /// Which weights a request made now reads.
    var weightsOrigin: String {
        let step = steps.last?.globalStep ?? 0
        if runState.isActive { return "step \(step), training" }
        return step > 0 ? "after step \(step)" : "weights as initialised"
    }

    /// A new sample with the same settings after an epoch, while the form is open.
    func resampleAfterEpoch(_ epoch: Int) {
        guard case .generate = overlay, generateForm.resampleEachEpoch, generateForm.pending == nil, canGenerate else { return }
        requestSample(generateForm.settings, origin: "after epoch \(epoch)")
    }

    func apply(_ u: GenerationUpdate) {
        guard u.id == generateForm.pending else { return }   // an older request's late update
        switch u {
        case .progress(_, let text, let tokens):
            generateForm.output = text
            generateForm.sampledTokens = tokens
            generateForm.message = "sampling: \(tokens) of \(generateForm.settings.maxTokens) tokens…"
        case .finished(_, let text, let tokens):
            let s = generateForm.settings
            generateForm.output = text
            generateForm.sampledTokens = tokens
            generateForm.pending = nil
            generateForm.message = "\(tokens) tokens · seed \(s.seed) · temperature \(HyperparameterField.formatNumber(s.temperature))"
                + (s.topK > 0 ? " · top-\(s.topK)" : "")
            generateForm.messageIsError = false
        case .failed(_, let why):
            generateForm.pending = nil
            generateForm.message = why
            generateForm.messageIsError = true
        }
    }

    func handleGenerateKey(_ key: Key) {
        switch key {
        case .escape:
            if generateForm.pending != nil {
                session?.send(.cancelGenerate)
                generateForm.pending = nil
                generateForm.message = "sampling cancelled"
                generateForm.messageIsError = false
            }
            overlay = nil
        case .tab, .down, .backTab, .up:
            // Leaving a field checks it: a bad value is refused and the field keeps its old one.
            if generateForm.commit() != nil, generateForm.messageIsError { generateForm.message = nil }
            generateForm.move(by: key == .tab || key == .down ? 1 : -1)
        case .enter:
            guard let settings = generateForm.commit() else { return }
            requestSample(settings, origin: weightsOrigin)
        case .ctrl("r"):
            generateForm.resampleEachEpoch.toggle()
            generateForm.message = generateForm.resampleEachEpoch ? "a new sample after each epoch of the run" : "samples only on Enter"
            generateForm.messageIsError = false
        default:
            var input = generateForm.input(generateForm.selected)
            _ = input.handle(key)
            generateForm.setInput(generateForm.selected, input)
        }
    }

    /// Over the bottom panes (the model and hyperparameter panes), at least 12 rows.
    func generateRect(_ screen: Rect) -> Rect {
        guard let model = layout.panes[.model], let hyper = layout.panes[.hyperparameters] else {
            return screen.centered(width: min(90, width - 2), height: min(16, height - 2))
        }
        let x = min(model.x, hyper.x), maxX = max(model.maxX, hyper.maxX), maxY = max(model.maxY, hyper.maxY)
        let y = min(model.y, maxY - 12)
        return Rect(x: x, y: max(0, y), width: maxX - x, height: maxY - max(0, y))
    }

    func renderGenerate(_ canvas: inout Canvas, _ r: Rect) {
        let f = generateForm
        let inner = Box.draw(&canvas, r, title: "Generate text", rightTitle: "\(modelTitle) · \(f.origin.isEmpty ? weightsOrigin : f.origin)",
                             focused: true, ctx: ctx)
        let bg = ctx.style(.menu)
        canvas.fill(inner, " ", bg)
        guard inner.height >= 4, inner.width >= 20 else { return }
        // Fields on the left; the text on the right (below them when narrow).
        let side = inner.width >= 64
        let formW = side ? 30 : inner.width
        let labelW = 13
        var y = inner.y
        for field in TextSampling.Field.allCases where y < inner.maxY - 2 {
            let isSel = field == f.selected
            canvas.put(field.label, x: inner.x + 1, y: y, ctx.style(isSel ? .menuSelected : .menu), maxWidth: labelW - 1)
            let input = f.input(field)
            if isSel {
                input.draw(&canvas, x: inner.x + labelW, y: y, width: formW - labelW - 1, ctx: ctx)
            } else {
                canvas.put(input.text.isEmpty ? "(empty)" : input.text, x: inner.x + labelW, y: y,
                           input.text.isEmpty ? ctx.style(.dim).with(bg: bg.bg) : bg, maxWidth: formW - labelW - 1)
            }
            y += 1
        }
        if y < inner.maxY - 2 {
            canvas.put("each epoch  " + (f.resampleEachEpoch ? "on (^R)" : "off (^R)"), x: inner.x + 1, y: y, ctx.style(.dim).with(bg: bg.bg),
                       maxWidth: formW - 1)
            y += 1
        }
        let text = side ? Rect(x: inner.x + formW + 1, y: inner.y, width: inner.width - formW - 2, height: inner.height - 2)
                        : Rect(x: inner.x + 1, y: y, width: inner.width - 2, height: max(0, inner.maxY - 2 - y))
        renderSample(&canvas, text, f)
        if let m = f.message {
            let style = f.messageIsError ? ctx.style(.error) : ctx.style(.highlight)
            canvas.put(m, x: inner.x + 1, y: inner.maxY - 2, style.with(bg: bg.bg), maxWidth: inner.width - 2)
        }
        canvas.put("Enter sample · Tab/↑↓ field · \\n in the prompt is a newline · ^R each epoch · Esc close",
                   x: inner.x + 1, y: inner.maxY - 1, ctx.style(.dim).with(bg: bg.bg), maxWidth: inner.width - 2)
    }

    /// The sampled text: real line breaks, other control characters escaped, the prompt
    /// dimmed, the last lines when it is longer than the room.
    func renderSample(_ canvas: inout Canvas, _ r: Rect, _ f: GenerateForm) {
        guard r.width > 0, r.height > 0 else { return }
        let bg = ctx.style(.menu).bg
        if f.output.isEmpty {
            canvas.put(f.pending == nil ? "Enter samples \(f.settings.maxTokens) tokens from the model" : "sampling…",
                       x: r.x, y: r.y, ctx.style(.dim).with(bg: bg), maxWidth: r.width)
            return
        }
        // Lines of (text, is prompt) runs, wrapped to the width.
        let promptLength = f.output.hasPrefix(f.settings.prompt) ? f.settings.prompt.count : 0
        var lines: [[(String, Bool)]] = [[]]
        var width = 0
        for (i, ch) in f.output.enumerated() {
            if ch == "\n" {
                lines.append([])
                width = 0
                continue
            }
            let piece = TextSample.escape(String(ch))
            let w = TextWidth.of(piece)
            if width + w > r.width {
                lines.append([])
                width = 0
            }
            let isPrompt = i < promptLength
            if let last = lines[lines.count - 1].last, last.1 == isPrompt {
                lines[lines.count - 1][lines[lines.count - 1].count - 1].0 += piece
            } else {
                lines[lines.count - 1].append((piece, isPrompt))
            }
            width += w
        }
        for (row, line) in lines.suffix(r.height).enumerated() {
            var x = r.x
            for (run, isPrompt) in line {
                x += canvas.put(run, x: x, y: r.y + row, isPrompt ? ctx.style(.dim).with(bg: bg) : ctx.style(.menu), maxWidth: r.maxX - x)
            }
        }
    }
}
