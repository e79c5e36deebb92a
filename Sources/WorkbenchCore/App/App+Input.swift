import Foundation
import Tensors

extension App {
    /// Keys that work in every pane (pane keys are tried first).
    public static let globalBindings: [KeyBinding<AppCommand>] = [
        KeyBinding([.tab], "pane", .focusNext),
        KeyBinding([.backTab], "previous pane", .focusPrevious, inHelpLine: false),
        KeyBinding([.char("1")], "focus pane", .focus(.dataset), label: "1-4", inHelpLine: false),
        KeyBinding([.char("2")], "focus the model pane", .focus(.model), listed: false),
        KeyBinding([.char("3")], "focus the charts pane", .focus(.charts), listed: false),
        KeyBinding([.char("4")], "focus the hyperparameter pane", .focus(.hyperparameters), listed: false),
        KeyBinding([.char("z")], "zoom pane", .toggleZoom, inHelpLine: false),
        KeyBinding([.char("s")], "start", .start),
        KeyBinding([.char("p")], "pause", .togglePause),
        KeyBinding([.char("x")], "stop", .stop, inHelpLine: false),
        KeyBinding([.char("n")], "new run (reset weights)", .newRun, inHelpLine: false),
        KeyBinding([.char("E")], "evaluate on test split", .evaluate, inHelpLine: false),
        KeyBinding([.char("S")], "save model…", .saveModel, inHelpLine: false),
        KeyBinding([.char("L")], "load model…", .loadModel, inHelpLine: false),
        KeyBinding([.char("T")], "choose theme…", .chooseTheme, inHelpLine: false),
        KeyBinding([.char("R")], "runs: compare, overlay, diff", .showRuns, inHelpLine: false),
        KeyBinding([.char("G")], "generate text…", .generate),
        KeyBinding([.char("m"), .function(2)], "menu", .openMenu, label: "m/F2", shortLabel: "m"),
        KeyBinding([.char("?")], "help", .showHelp),
        KeyBinding([.char("q")], "quit", .quit),
        KeyBinding([.ctrl("c")], "quit now", .interrupt, inHelpLine: false),
    ]

    /// Handles one key (or mouse event).
    public func handle(_ key: Key) {
        needsRender = true
        if key == .resize { return }
        if key == .ctrl("c") { run(.interrupt); return }
        if case .mouse(let m) = key { handleMouse(m); return }
        if overlay != nil { handleOverlayKey(key); return }
        if layout.tooSmall {
            if key == .char("q") { run(.quit) }
            return
        }
        if handlePaneKey(key) { return }
        if let cmd: AppCommand = App.globalBindings.action(for: key) { run(cmd) }
    }

    var datasetInner: Rect {
        let r = innerRect(.dataset)
        return r
    }

    func applyHyper(_ a: HyperparameterPane.Action) {
        let visible = hyperPane.visibleRows(inner: innerRect(.hyperparameters))
        let field = hyperPane.field
        switch a {
        case .up: hyperPane.move(-1, visible: visible)
        case .down: hyperPane.move(1, visible: visible)
        case .edit:
            if field.isChoice, let v = HyperparameterPane.cycled(field, shownHyper, by: 1) { commitField(field, v) }
            else { hyperPane.beginEditing(field.format(shownHyper)) }
        case .cycle(let d):
            if field.isChoice, let v = HyperparameterPane.cycled(field, shownHyper, by: d) { commitField(field, v) }
        case .submit(let text):
            if commitField(field, text) { hyperPane.editor = nil }
        case .cancel:
            hyperPane.editor = nil
            hyperPane.message = "\(field.rawValue) unchanged: \(field.format(shownHyper))"
            hyperPane.messageIsError = false
        case .resetField:
            commitField(field, field.format(TrainingConfig.editorDefaults))
        }
    }

    /// The values the editor shows: live fields follow the running training.
    public var shownHyper: TrainingConfig {
        var h = hyper
        if runState.isActive, let r = runHyper {
            h.lr = r.lr
            h.momentum = r.momentum
            h.weightDecay = r.weightDecay
        }
        return h
    }

    /// Validates and applies an edit; on error the old value is kept and the message shown.
    @discardableResult
    func commitField(_ field: HyperparameterField, _ text: String) -> Bool {
        switch field.parse(text, into: hyper) {
        case .failure(let err):
            hyperPane.message = err.message + " (kept \(field.format(shownHyper)))"
            hyperPane.messageIsError = true
            return false
        case .success(let newH):
            hyper = newH
            let value = field.format(newH)
            if field.appliesLive && runState.isActive, let s = session {
                let live: LiveHyperparameter
                switch field {
                case .learningRate: live = .learningRate(newH.lr)
                case .momentum: live = .momentum(newH.momentum)
                default: live = .weightDecay(newH.weightDecay)
                }
                s.send(.set(live))
                hyperPane.message = "\(field.rawValue) → \(value) at the next step"
            } else if runState.isActive {
                hyperPane.message = "\(field.rawValue) → \(value) on the next run"
            } else {
                hyperPane.message = "\(field.rawValue) → \(value)"
            }
            hyperPane.messageIsError = false
            if field == .seed && !runState.isActive && steps.isEmpty { session?.send(.reset(seed: newH.seed)) }
            return true
        }
    }

    func handleMouse(_ m: MouseEvent) {
        if overlay != nil {
            handleOverlayMouse(m)
            return
        }
        guard let pane = layout.pane(atX: m.x, y: m.y) else { return }
        switch m.kind {
        case .press:
            focus = pane
            if pane == .dataset { _ = datasetPane.click(x: m.x, y: m.y, inner: datasetInner) }
        case .scrollUp, .scrollDown:
            focus = pane
            let key: Key = m.kind == .scrollUp ? .up : .down
            if pane != .hyperparameters || !hyperPane.isEditing { _ = handlePaneKey(key) }
        case .release: break
        }
    }

    /// Runs a command from a key, the menu or a dialog.
    public func run(_ cmd: AppCommand) {
        needsRender = true
        switch cmd {
        case .quit:
            if runState.isActive {
                overlay = .confirm(title: "Quit", text: "A run is in progress. Stop it and quit?", onYes: .quit)
            } else {
                finish()
            }
        case .interrupt: finish()
        case .focusNext: focus = focus.next; hyperPane.editor = nil
        case .focusPrevious: focus = focus.previous; hyperPane.editor = nil
        case .focus(let p): focus = p; hyperPane.editor = nil
        case .editHyperparameter(let a): applyHyper(a)
        case .toggleZoom: zoomed.toggle()
        case .showHelp: overlay = .help(offset: 0)
        case .openMenu: overlay = .menu(selected: Menu.first(menuItems))
        case .start: start()
        case .togglePause:
            switch runState {
            case .running: session?.send(.pause)
            case .paused: session?.send(.resume)
            default: showToast("nothing to pause: press s to start a run")
            }
        case .stop:
            if runState.isActive { session?.send(.stop) } else { showToast("no run in progress") }
        case .newRun:
            if runState.isActive {
                overlay = .confirm(title: "New run", text: "Stop the current run and reset the model's weights?", onYes: .newRun)
            } else {
                newRun()
            }
        case .evaluate:
            guard let s = session else { showToast("no model to evaluate", isError: true); return }
            s.send(.evaluate)
            if dataset.task == .classification || dataset.task == .sequenceClassification { datasetPane.view = .confusion }
            // CSV and sequence data have one split: the run's validation items are evaluated.
            showToast(dataset.count(.test) > 0 ? "evaluating on the test split…" : "evaluating on the validation split…")
        case .saveModel: prompt(.saveModel, "Save model (safetensors)", defaultPath("\(modelTitle).safetensors"))
        case .loadModel: prompt(.loadModel, "Load model (safetensors)", defaultPath("\(modelTitle).safetensors"))
        case .saveCheckpoint: prompt(.saveCheckpoint, "Save checkpoint", defaultPath("\(modelTitle)-checkpoint.safetensors"))
        case .loadCheckpoint: prompt(.loadCheckpoint, "Resume from checkpoint", defaultPath("\(modelTitle)-checkpoint.safetensors"))
        case .exportMetrics: prompt(.exportMetrics, "Export metrics (CSV)", defaultPath("metrics.csv"))
        case .useEmbeddedDataset: switchDataset(services.datasets.embeddedDefault())
        case .openCIFAR10: prompt(.openCIFAR10, "Open CIFAR-10 (archive or folder)", "data/cifar-10-batches-bin")
        case .downloadDataset: chooseDownload()
        case .openCSV: prompt(.openCSV, "Open a CSV file (header row, numeric features)", "data/")
        case .openDataset:
            let recent = services.recents?.paths ?? []
            prompt(.openDataset, "Open an image folder (a subfolder per class), MNIST, Fashion-MNIST or CIFAR-10/100",
                   recent.first ?? "data/")
            if case .prompt(var p) = overlay, !recent.isEmpty {
                p.hint = "recent (↑/↓): " + recent.joined(separator: "  ")
                overlay = .prompt(p)
            }
        case .chooseTheme:
            let names = services.themes.names
            overlay = .chooser(Chooser(title: "Theme", options: names, selected: names.firstIndex(of: ctx.theme.name) ?? 0,
                                       purpose: .theme(original: ctx.theme)))
        case .chooseModel:
            let names = services.catalog.modelNames
            overlay = .chooser(Chooser(title: "Model", options: names, selected: names.firstIndex(of: modelName) ?? 0, purpose: .model))
        case .openModelFile:
            let recent = services.modelRecents?.paths ?? []
            prompt(.openModelFile, "Open a model file (.model.yaml, .yaml or .json)", recent.first ?? "models/")
            if case .prompt(var p) = overlay, !recent.isEmpty {
                p.hint = "recent (↑/↓): " + recent.joined(separator: "  ")
                overlay = .prompt(p)
            }
        case .newModelDraft:
            if runState.isActive {
                overlay = .confirm(title: "New model", text: "A run is in progress. Stop it and design a new model?", onYes: .newDraft)
            } else {
                newModelDraft()
            }
        case .saveModelFile: editModel(.save, paths: [])
        case .editModel(let action, let paths): editModel(action, paths: paths)
        case .showRuns: showRuns()
        case .chooseSequenceData: chooseSequenceData()
        case .generate: openGenerate()
        case .findLR: findLR()
        case .showGallery(let t, let p): overlay = .gallery(truth: t, predicted: p, offset: 0)
        case .publishToHub: prompt(.publishToHub, "Publish to hub folder (hub.json is created or updated)", lastHub ?? "hub")
        case .loadFromHub:
            prompt(.loadFromHub, "Load from hub (folder, file:// or https:// URL, owner/repo[:ref], git URL)", lastHub ?? "hub")
        }
    }

    func finish() {
        download?.cancel()
        session?.close(timeout: 3)
        shouldQuit = true
    }

    func start() {
        switch runState {
        case .running: showToast("already running")
        case .paused: session?.send(.resume)
        default:
            guard let d = modelDescription else {
                overlay = .message(title: "Cannot start", text: modelError ?? "no model", isError: true)
                return
            }
            if let f = d.failure {
                overlay = .message(title: "Cannot start",
                                   text: "\(d.name) does not fit the input \(Format.shape(dataset.inputShape)) of \(dataset.name):\n\(f.layerPath): \(f.message)\nPick another model (o in the model pane).",
                                   isError: true)
                return
            }
            guard let s = session else { showToast("no training session", isError: true); return }
            hyperPane.editor = nil
            runHyper = hyper
            s.send(.start(hyper))
            showToast(runState == .idle ? "starting: preparing \(dataset.name) and \(modelName)…" : "starting a new run from the current weights…")
        }
    }

    func newRun() {
        session?.send(.reset(seed: hyper.seed))
        runState = .idle
        plan = nil
        runHyper = nil
        history = MetricHistory(metrics: dataset.task.metrics)
        steps = []
        evaluation = nil
        misclassified = []
        showToast("new run: weights re-initialised (seed \(hyper.seed))")
    }

    func defaultPath(_ file: String) -> String { "runs/" + file }

    func switchDataset(_ d: DatasetSource) {
        dataset = d
        if let path = d.location { services.recents?.add(path) }
        datasetPane.reset(d)
        // Image models cannot read table rows (and the reverse): pick the zoo's model for the data.
        let wanted = App.preferredModel(for: d)
        if modelEditor == nil, !App.model(modelName, fits: d), services.catalog.modelNames.contains(wanted) { modelName = wanted }
        describeModel()
        makeSession()
        showToast("dataset: \(d.name)")
    }

    func switchModel(_ name: String) {
        modelEditor = nil
        modelFilePath = nil
        modelName = name
        describeModel()
        makeSession()
        if let d = modelDescription, let f = d.failure {
            showToast("\(name) does not fit this dataset: \(f.layerPath)", isError: true)
        } else {
            showToast("model: \(name)")
        }
    }
}
