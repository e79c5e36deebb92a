import Foundation
import Tensors

/// What the model pane's editor keys ask for.
public enum ModelEditAction: Equatable, Sendable {
    case add, delete, moveUp, moveDown, duplicate, arguments, wrap, undo, redo, save
}

/// The searchable catalogue the editor adds a layer from.
struct LayerPicker {
    var filter = TextInput()
    var selected = 0
    /// Where the layer goes: below this layer, or first inside it when it is an open or empty container.
    var at: [Int]?
    var matches: [String] { LayerCatalogue.search(filter.text) }
}

/// The form of one layer's arguments, validated as typed.
struct LayerForm {
    var path: [Int]
    var type: String
    var names: [String]
    var inputs: [TextInput]
    var selected = 0
    /// What the values give (the layer's output) or why they are refused.
    var message = ""
    var messageIsError = false
}

extension App {
    // MARK: Opening, new, saving

    /// Reads a model file as a draft; the error names the file, the line and the layer.
    static func readDraft(_ path: String) throws -> ModelDraft {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelDefinitionError("\(path): no such file") }
        guard let text = String(data: data, encoding: .utf8) else { throw ModelDefinitionError("\(path): the model file is not UTF-8 text") }
        return try ModelDraft(text: text, file: path)
    }

    /// Opens the model file at `path` as the model (and the editor's draft). A file that cannot be
    /// read is an error for the prompt; one that does not fit the data is shown as a message and
    /// the current model is kept. Returns the prompt's error, or nil.
    func openModelFile(_ path: String) -> String? {
        if let err = UserFiles.fileToReadProblem(path) { return err }
        let draft: ModelDraft
        do { draft = try App.readDraft(path) } catch {
            overlay = .message(title: "Cannot open the model file", text: "\(error)\nThe current model (\(modelTitle)) is kept.", isError: true)
            return nil
        }
        let d = DraftDescriber.describe(draft, inputShape: dataset.inputShape, outputs: dataset.outputs)
        if d.failure != nil {
            // The file's own build names its lines (the draft's text is laid out anew).
            var why = d.failure?.message ?? ""
            do {
                let def = try ModelDefinition(text: String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self), file: path)
                _ = try withMetaInit { try def.build(inputShape: dataset.inputShape, outputs: dataset.outputs) }
            } catch {
                why = "\(error)"
            }
            overlay = .message(title: "The model file does not fit \(dataset.name)",
                               text: "\(why)\nThe current model (\(modelTitle)) is kept.", isError: true)
            return nil
        }
        overlay = nil
        services.modelRecents?.add(path)
        modelEditor = ModelEditor(draft)
        modelFilePath = path
        modelName = path
        describeModel()
        makeSession()
        focus = .model
        showToast("model file \(path): \(draft.name), \(Format.grouped(d.totalParameters)) params")
        return nil
    }

    /// Starts a new design from the template for the data (asks first while a run is active).
    func newModelDraft() {
        modelEditor = ModelEditor(LayerCatalogue.template(inputShape: dataset.inputShape))
        modelFilePath = nil
        draftChanged(select: [0], reset: true)
        focus = .model
        showToast("new model: edit it in the model pane (a add, d delete, f arguments, u undo, W save)")
    }

    /// Writes the draft to `path` (atomically); the prompt's error, or nil.
    func saveModelFile(_ path: String) -> String? {
        guard var e = modelEditor else { return "no model file to save: open one or start a new one" }
        if let err = UserFiles.prepareFileToWrite(path) { return err }
        do { try UserFiles.write(e.draft.yaml().text, to: path) } catch { return "\(path): \(error)" }
        e.saved(name: e.draft.name)
        modelEditor = e
        modelFilePath = path
        services.modelRecents?.add(path)
        overlay = nil
        showToast("saved model file \(path)")
        return nil
    }

    /// The model's name for messages: the draft's or the zoo model's.
    var modelTitle: String { modelEditor?.draft.name ?? modelName }

    /// The model file a session trains for the draft: the opened file while unchanged, else the
    /// draft written to a scratch file (the run's weights record its text).
    func draftFile(_ e: ModelEditor) -> String? {
        if !e.isModified, let f = modelFilePath { return f }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-models-\(ProcessInfo.processInfo.processIdentifier)")
        let path = dir.appendingPathComponent("\(e.draft.name).model.yaml").path
        guard UserFiles.makeParentFolder(path) == nil, (try? UserFiles.write(e.draft.yaml().text, to: path)) != nil else { return nil }
        return path
    }

    // MARK: Edits

    /// An editor key of the model pane on `paths` (the marked layers, or the selected one).
    func editModel(_ action: ModelEditAction, paths: [[Int]], confirmed: Bool = false) {
        guard let e = modelEditor else {
            overlay = .confirm(title: "Edit the model",
                               text: "\(modelName) is a zoo model (Swift code). Start a new model file to design in the model pane?",
                               onYes: .newDraft)
            return
        }
        let changes = ![ModelEditAction.save].contains(action)
        if changes && runState.isActive && !confirmed {
            overlay = .confirm(title: "The model is training",
                               text: "Changing its architecture stops this run and starts a new one with the edited model. Go on?",
                               onYes: .editModel(action, paths: paths))
            return
        }
        restartAfterEdit = changes && runState.isActive
        let selected = paths.last ?? []
        switch action {
        case .add:
            overlay = .layerPicker(LayerPicker(at: selected.isEmpty ? nil : selected))
        case .delete: applyDraftEdit(.delete(selected))
        case .moveUp: applyDraftEdit(.move(selected, by: -1))
        case .moveDown: applyDraftEdit(.move(selected, by: 1))
        case .duplicate: applyDraftEdit(.duplicate(selected))
        case .wrap:
            applyDraftEdit(.wrapInResidual(paths))
            modelPane.marked = []
        case .arguments: openLayerForm(selected)
        case .undo, .redo:
            var ed = e
            guard action == .undo ? ed.undo() : ed.redo() else { return showToast("nothing to \(action == .undo ? "undo" : "redo")") }
            modelEditor = ed
            draftChanged(select: nil)
            showToast(action == .undo ? "undone" : "redone")
        case .save:
            prompt(.saveModelFile, "Save model file (.model.yaml)", modelFilePath ?? "models/\(e.draft.name).model.yaml")
        }
    }

    /// Makes `edit` on the draft; refused edits leave it as it was, with a message.
    @discardableResult
    func applyDraftEdit(_ edit: DraftEdit) -> [Int]? {
        guard var e = modelEditor else { return nil }
        do {
            let at = try e.apply(edit)
            modelEditor = e
            draftChanged(select: at)
            return at
        } catch {
            showToast("\(error)", isError: true)
            restartAfterEdit = false
            return nil
        }
    }

    /// After a change of the draft: describe it, select `select`, make a session for it, and
    /// (when it replaced a training run) start the new run.
    func draftChanged(select: [Int]?, reset: Bool = false) {
        modelPane.marked = []
        describeModel(resetView: reset)
        if let d = modelDescription {
            let visible = ModelPane.treeHeight(inner: innerRect(.model), description: d)
            if let p = select { modelPane.select(path: p, description: d, visibleRows: visible) }
            else { modelPane.keepSelection(description: d, visibleRows: visible) }
        }
        makeSession()
        if restartAfterEdit {
            restartAfterEdit = false
            if modelDescription?.canTrain == true { start() }
        }
    }

    // MARK: Layer picker

    func handleLayerPickerKey(_ key: Key, _ picker: LayerPicker) {
        var p = picker
        let matches = p.matches
        switch key {
        case .up: p.selected = max(0, p.selected - 1)
        case .down: p.selected = min(max(0, matches.count - 1), p.selected + 1)
        case .pageUp: p.selected = max(0, p.selected - 10)
        case .pageDown: p.selected = min(max(0, matches.count - 1), p.selected + 10)
        case .escape:
            overlay = nil
            restartAfterEdit = false
            return
        case .enter:
            guard p.selected < matches.count else { return showToast("no layer matches '\(p.filter.text)'", isError: true) }
            overlay = nil
            addLayer(matches[p.selected], at: p.at)
            return
        default:
            _ = p.filter.handle(key)
            p.selected = 0
        }
        overlay = .layerPicker(p)
    }

    /// Adds a `type` layer below `at` (first inside it when it is an open or empty container);
    /// opens its form when it needs arguments to build.
    func addLayer(_ type: String, at: [Int]?) {
        let layer = LayerCatalogue.starter(type)
        let edit: DraftEdit
        if let at, let target = modelEditor?.draft.layer(at: at), target.isContainer,
           target.children.isEmpty || modelPane.expanded.contains(at.map(String.init).joined(separator: ".")) {
            edit = .insertFirst(layer, into: at)
        } else {
            edit = .insert(layer, below: at)
        }
        guard let path = applyDraftEdit(edit) else { return }
        if modelDescription?.failure?.layerPath == path.map(String.init).joined(separator: "."), !layer.isContainer {
            openLayerForm(path)
        } else {
            showToast("added \(type)")
        }
    }

    func renderLayerPicker(_ canvas: inout Canvas, _ r: Rect, _ p: LayerPicker) {
        let inner = Box.draw(&canvas, r, title: "Add a layer", rightTitle: "\(p.matches.count) layers", focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.menu))
        canvas.put("Search:", x: inner.x + 1, y: inner.y, ctx.style(.menu))
        p.filter.draw(&canvas, x: inner.x + 9, y: inner.y, width: inner.width - 10, ctx: ctx)
        let list = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: max(0, inner.height - 3))
        let matches = p.matches
        let off = Scroll.offset(selected: p.selected, current: 0, visible: list.height, count: matches.count)
        for (row, i) in (off..<matches.count).enumerated() where row < list.height {
            let isSel = i == p.selected
            let style = ctx.style(isSel ? .menuSelected : .menu)
            let y = list.y + row
            canvas.fill(Rect(x: list.x, y: y, width: list.width, height: 1), " ", style)
            let name = matches[i]
            canvas.put((isSel ? "▸ " : "  ") + name, x: list.x, y: y, style, maxWidth: 22)
            let args = LayerCatalogue.containers.contains(name) ? (name == "Residual" ? "x + block(x)" : "a block of layers")
                : LayerCatalogue.arguments(of: name).joined(separator: ", ")
            canvas.put(args, x: list.x + 23, y: y, isSel ? style : ctx.style(.dim).with(bg: style.bg), maxWidth: list.width - 24)
        }
        if matches.isEmpty { canvas.put("no layer matches", x: list.x + 2, y: list.y, ctx.style(.dim).with(bg: ctx.style(.menu).bg)) }
        canvas.put("type to search · ↑↓ choose · Enter add · Esc cancel", x: inner.x + 1, y: inner.maxY - 1,
                   ctx.style(.dim).with(bg: ctx.style(.menu).bg), maxWidth: inner.width - 2)
    }

    // MARK: Argument form

    func openLayerForm(_ path: [Int]) {
        guard let layer = modelEditor?.draft.layer(at: path), !path.isEmpty else { return showToast("select a layer first", isError: true) }
        var names = LayerCatalogue.arguments(of: layer.type)
        names += layer.arguments.map(\.name).filter { !names.contains($0) }
        guard !names.isEmpty else {
            restartAfterEdit = false
            return showToast(layer.isContainer ? "\(layer.type) has no arguments: its layers are edited in the tree" : "\(layer.type) has no arguments")
        }
        var form = LayerForm(path: path, type: layer.type, names: names, inputs: names.map { TextInput(layer.argument($0) ?? "") })
        // Start at the first required argument that is missing, else the first.
        if let failure = modelDescription?.failure, failure.layerPath == path.map(String.init).joined(separator: "."),
           let i = names.firstIndex(where: { failure.message.contains("missing argument \($0)") }) { form.selected = i }
        validate(&form)
        overlay = .layerForm(form)
    }

    /// The arguments the form's fields give (empty fields: PyTorch's defaults).
    static func arguments(_ form: LayerForm) -> [DraftArgument] {
        zip(form.names, form.inputs).compactMap { name, input in
            let v = input.text.trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : DraftArgument(name, v)
        }
    }

    /// Checks the form's values: each must be one YAML value, and the layer must build on its input.
    /// Returns whether they can be applied; the form's message says what they give or what is wrong.
    @discardableResult
    func validate(_ form: inout LayerForm) -> Bool {
        for (name, input) in zip(form.names, form.inputs) where !input.text.trimmingCharacters(in: .whitespaces).isEmpty {
            let node = try? DefinitionNode.parse("v: " + input.text, file: "value")
            if node?["v"] == nil || node?["v"]?.map != nil {
                form.message = "\(name): '\(input.text)' is not a value (a number, a word, true/false or a list like [3, 5])"
                form.messageIsError = true
                return false
            }
        }
        guard var e = modelEditor else { return false }
        do { try e.apply(.setArguments(form.path, App.arguments(form))) } catch {
            form.message = "\(error)"
            form.messageIsError = true
            return false
        }
        let d = DraftDescriber.describe(e.draft, inputShape: dataset.inputShape, outputs: dataset.outputs)
        let p = form.path.map(String.init).joined(separator: ".")
        if let f = d.failure, f.layerPath == p {
            form.message = f.message
            form.messageIsError = true
            return false
        }
        var node: ModelInfo? = d.root
        for i in form.path { node = node.flatMap { $0.children.indices.contains(i) ? $0.children[i] : nil } }
        form.message = "output " + (node?.outputShape.map(Format.dims) ?? "?") + " · " + Format.grouped(node?.totalParameters ?? 0) + " params"
            + (d.failure.map { " · then \($0.layerPath) breaks: \($0.message)" } ?? "")
        form.messageIsError = false
        return true
    }

    func handleLayerFormKey(_ key: Key, _ form: LayerForm) {
        var f = form
        switch key {
        case .up, .backTab: f.selected = (f.selected + f.names.count - 1) % f.names.count
        case .down, .tab: f.selected = (f.selected + 1) % f.names.count
        case .escape:
            overlay = nil
            restartAfterEdit = false
            showToast("\(f.type) arguments unchanged")
            return
        case .enter:
            guard validate(&f) else {
                f.message = "refused, the arguments are kept: " + f.message
                overlay = .layerForm(f)
                return
            }
            overlay = nil
            if applyDraftEdit(.setArguments(f.path, App.arguments(f))) != nil { showToast("\(f.type): \(f.message)") }
            return
        default:
            _ = f.inputs[f.selected].handle(key)
            validate(&f)
        }
        overlay = .layerForm(f)
    }

    func renderLayerForm(_ canvas: inout Canvas, _ r: Rect, _ f: LayerForm) {
        let where_ = f.path.map(String.init).joined(separator: ".")
        let inner = Box.draw(&canvas, r, title: "\(f.type) arguments", rightTitle: "layer \(where_)", focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.menu))
        let nameW = min(22, (f.names.map { TextWidth.of($0) }.max() ?? 8) + 2)
        let rows = max(1, inner.height - 4)
        let off = Scroll.offset(selected: f.selected, current: 0, visible: rows, count: f.names.count)
        for (row, i) in (off..<f.names.count).enumerated() where row < rows {
            let y = inner.y + row
            canvas.put(f.names[i], x: inner.x + 1, y: y, ctx.style(i == f.selected ? .menuSelected : .menu), maxWidth: nameW - 1)
            if i == f.selected {
                f.inputs[i].draw(&canvas, x: inner.x + 1 + nameW, y: y, width: inner.width - nameW - 2, ctx: ctx)
            } else {
                let t = f.inputs[i].text
                canvas.put(t.isEmpty ? "(default)" : t, x: inner.x + 1 + nameW, y: y,
                           t.isEmpty ? ctx.style(.dim).with(bg: ctx.style(.menu).bg) : ctx.style(.menu), maxWidth: inner.width - nameW - 2)
            }
        }
        let style = f.messageIsError ? ctx.style(.error) : ctx.style(.highlight)
        for (i, line) in wrap(f.message, width: inner.width - 2).prefix(2).enumerated() {
            canvas.put(line, x: inner.x + 1, y: inner.maxY - 3 + i, style.with(bg: ctx.style(.menu).bg))
        }
        canvas.put("↑↓/Tab field · Enter apply · Esc cancel · empty = PyTorch's default, auto = from the input",
                   x: inner.x + 1, y: inner.maxY - 1, ctx.style(.dim).with(bg: ctx.style(.menu).bg), maxWidth: inner.width - 2)
    }
}
