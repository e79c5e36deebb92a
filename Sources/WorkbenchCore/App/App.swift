import Foundation
import Tensors
import WorkbenchRuns

/// Everything the app does in response to a key, a menu item or a mouse click.
public enum AppCommand: Equatable, Sendable {
    case quit
    /// Ctrl-C / SIGINT / SIGTERM: stop and leave at once.
    case interrupt
    case focusNext, focusPrevious
    case focus(PaneID)
    case toggleZoom
    case showHelp
    case openMenu
    case newRun, start, togglePause, stop, evaluate
    case saveModel, loadModel, saveCheckpoint, loadCheckpoint, exportMetrics
    case useEmbeddedDataset, openCIFAR10, openCSV, openDataset
    /// *Download dataset…*: CIFAR-10, CIFAR-100, MNIST or Fashion-MNIST into a folder (`App+Download.swift`).
    case downloadDataset
    /// The embedded sequence sets (language modelling, sequence classification, forecasting) or a text file.
    case chooseSequenceData
    /// The generate form: sample text from the language model, also while it trains.
    case generate
    case chooseTheme, chooseModel
    /// Model files: open one (the editor's draft), start a new design, save the draft.
    case openModelFile, newModelDraft, saveModelFile
    /// An editor key of the model pane on the marked layers (or the selected one), as draft paths.
    case editModel(ModelEditAction, paths: [[Int]])
    /// The Runs view: recorded runs, overlays, diffs.
    case showRuns
    /// The model hub: publish the current weights into a hub folder, load an entry from a hub.
    case publishToHub, loadFromHub
    /// The learning-rate range test on the current model and data.
    case findLR
    /// The misclassification gallery of one confusion-matrix cell (true class, predicted class).
    case showGallery(truth: Int, predicted: Int)
    /// An edit in the hyperparameter pane, applied to the app's settings.
    case editHyperparameter(HyperparameterPane.Action)
}

/// The services the app is wired to: the real ones, or test doubles.
public struct AppServices {
    public var datasets: DatasetProvider
    public var catalog: ModelCatalog
    public var backend: TrainingBackend
    public var themes: ThemeLibrary
    /// The run store the Runs view lists (nil: none).
    public var runs: RunStore?
    /// Datasets opened lately, offered by the dataset prompts (nil: none kept).
    public var recents: RecentPaths?
    /// Model files opened or saved lately, offered by the model-file prompts (nil: none kept).
    public var modelRecents: RecentPaths?
    /// The files *Download dataset…* fetches for a dataset: the official ones with
    /// `WORKBENCH_DATASET_MIRROR` applied by default; tests give a local server's files and digests.
    public var downloads: (ImageDatasetKind) throws -> DatasetDownload

    public init(datasets: DatasetProvider, catalog: ModelCatalog, backend: TrainingBackend, themes: ThemeLibrary,
                runs: RunStore? = nil, recents: RecentPaths? = nil, modelRecents: RecentPaths? = nil,
                downloads: @escaping (ImageDatasetKind) throws -> DatasetDownload = { try DatasetDownload.resolved($0) }) {
        self.datasets = datasets
        self.downloads = downloads
        self.catalog = catalog
        self.backend = backend
        self.themes = themes
        self.runs = runs
        self.recents = recents
        self.modelRecents = modelRecents
    }

    /// The real thing: datasets from `Tensors/Data` (Shapes10, CIFAR-10), the `Tensors`
    /// model zoo and the training engine of `Tensors/Training`.
    public static func standard(themes: ThemeLibrary = .standard(), runs: RunStore? = nil) -> AppServices {
        AppServices(datasets: TensorsDatasetProvider(), catalog: ZooModelCatalog(),
                    backend: EngineBackend(recorder: runs.map(runStoreRecorder)), themes: themes, runs: runs,
                    recents: .standard(), modelRecents: .standard(list: "recent-models"))
    }
}

/// Command-line choices for the TUI.
public struct AppOptions: Sendable {
    public var dataPath: String?
    public var model: String?
    public var theme: String?
    /// CSV data: the column to predict (default `label`).
    public var target: String?
    /// CSV data: classification (default) or regression.
    public var task: TaskKind?

    public init(dataPath: String? = nil, model: String? = nil, theme: String? = nil, target: String? = nil,
                task: TaskKind? = nil) {
        self.dataPath = dataPath
        self.model = model
        self.theme = theme
        self.target = target
        self.task = task
    }
}

/// The TUI's state and behaviour, independent of the terminal: keys in, a `Canvas` out.
///
/// All methods run on the UI thread. The training engine is reached only through
/// `TrainingSession` commands and drained events.
public final class App {
    public let services: AppServices
    public internal(set) var ctx: RenderContext
    public internal(set) var width = 80
    public internal(set) var height = 24
    public internal(set) var focus: PaneID = .dataset
    public internal(set) var zoomed = false
    public internal(set) var shouldQuit = false
    /// Set whenever the screen must be redrawn.
    public var needsRender = true

    public internal(set) var dataset: DatasetSource
    public internal(set) var datasetPane = DatasetPane()
    public internal(set) var modelName: String
    public internal(set) var modelDescription: ModelDescription?
    public internal(set) var modelError: String?
    public internal(set) var modelPane = ModelPane()
    /// The model being designed (a model file or a new design), nil for a zoo model.
    public internal(set) var modelEditor: ModelEditor?
    /// The model file the draft was opened from or saved to.
    public internal(set) var modelFilePath: String?
    /// An edit confirmed while a run was active: start the new run once it is made.
    var restartAfterEdit = false
    public internal(set) var chartsPane = ChartsPane()
    public internal(set) var hyperPane = HyperparameterPane()
    /// The Runs view's state (kept while it is closed).
    public internal(set) var runsBrowser = RunsBrowser()
    /// Recorded runs drawn over the live loss chart.
    public internal(set) var overlaidRuns: [RunCurve] = []

    /// Settings for the next run (live fields also follow the running training).
    public internal(set) var hyper = TrainingConfig.editorDefaults
    /// The settings the current run started with (live fields updated as changes apply).
    public internal(set) var runHyper: TrainingConfig?
    public internal(set) var runState: TrainingState = .idle
    public internal(set) var plan: RunPlan?
    /// The run's epochs, live changes and test result, as the engine reports them.
    public internal(set) var history = MetricHistory()
    /// Every step of the run so far (restored from a checkpoint's downsampled curve after a load).
    public internal(set) var steps: [StepInfo] = [] {
        // Restored or cleared steps have no arrival times: the times stay aligned with the tail.
        didSet { if steps.count < stepTimes.count || steps.isEmpty { stepTimes = [] } }
    }
    /// When each of the last `stepTimes.count` steps arrived (seconds since 1970), for the wall-time axis.
    public internal(set) var stepTimes: [Double] = []
    public internal(set) var evaluation: Evaluation?
    /// Smoothed training throughput (samples per second).
    public internal(set) var samplesPerSecond: Double = 0
    public internal(set) var session: TrainingSession?

    var overlay: Overlay?
    /// A short message in the status bar.
    public internal(set) var toast: (text: String, isError: Bool, until: Date)?
    /// The dataset download running in the background (`App+Download.swift`).
    var download: DownloadJob?
    /// A hub read or load running in the background, and a publish waiting for its save (`App+Hub.swift`).
    var hubTask: HubTask?
    var pendingPublish: HubPublish?
    /// The test samples the last evaluation got wrong (the misclassification gallery, `App+Gallery.swift`).
    public internal(set) var misclassified: [Misclassification] = []
    /// The hub last typed into a hub prompt (the next prompt starts from it).
    var lastHub: String?
    /// Whether the learning-rate range test is sweeping (Esc on its progress cancels it).
    public internal(set) var lrFinderRunning = false
    /// The generate form's settings and its last sample (kept while it is closed, `App+Generate.swift`).
    public internal(set) var generateForm = GenerateForm()
    /// The id of the last sampling request sent.
    var lastGenerationID = 0

    /// Builds the app: opens the dataset (`--data` or the embedded default), the model
    /// (`--model` or LeNet5) and the theme (`--theme` or default). Problems with the options
    /// are shown in a message once the screen is up; the defaults are used instead.
    public init(services: AppServices, options: AppOptions = AppOptions(), colorMode: ColorMode = .truecolor) {
        self.services = services
        ctx = RenderContext(theme: .builtinDefault, colorMode: colorMode)
        var problems: [String] = []
        if let path = options.dataPath {
            do {
                if TrainingConfig.isCSV(path) {
                    dataset = try services.datasets.openCSV(path: path, target: options.target ?? "label", task: options.task ?? .classification)
                } else if TrainingConfig.isText(path) || options.task?.readsSequences == true {
                    dataset = try services.datasets.openSequence(task: options.task ?? .languageModeling, path: path, target: options.target)
                } else {
                    // CIFAR-10, MNIST, an image folder or a folder of <class>/*.txt, told apart by their files.
                    dataset = try services.datasets.openDataset(path: path)
                }
            } catch {
                problems.append("--data \(path): \(error)")
                dataset = services.datasets.embeddedDefault()
            }
        } else if let task = options.task, task.readsSequences {
            do { dataset = try services.datasets.openSequence(task: task, path: nil, target: nil) } catch {
                problems.append("--task \(task.rawValue): \(error)")
                dataset = services.datasets.embeddedDefault()
            }
        } else {
            dataset = services.datasets.embeddedDefault()
        }
        let names = services.catalog.modelNames
        let preferred = App.preferredModel(for: dataset)
        var model = names.first { $0.lowercased() == preferred } ?? names.first ?? preferred
        if let m = options.model, ModelDefinition.isModelFile(m) {
            do {
                modelEditor = ModelEditor(try App.readDraft(m))
                modelFilePath = m
                model = m
            } catch {
                problems.append("--model \(m): \(error)")
            }
        } else if let m = options.model {
            if let match = names.first(where: { $0.lowercased() == m.lowercased() }) { model = match } else {
                problems.append("--model \(m): unknown model; available: \(names.joined(separator: ", "))")
            }
        }
        modelName = model
        if let t = options.theme {
            let r = services.themes.load(t)
            ctx.theme = r.theme
            problems += r.warnings
        }
        datasetPane.reload(dataset)
        describeModel()
        makeSession()
        if !problems.isEmpty {
            overlay = .message(title: "Warning", text: problems.joined(separator: "\n"), isError: true)
        }
    }

    // MARK: Size and layout

    public var layout: Layout { Layout(width: width, height: height, zoomed: zoomed ? focus : nil) }

    /// The terminal size changed.
    public func resize(width: Int, height: Int) {
        guard width != self.width || height != self.height else { return }
        self.width = width
        self.height = height
        needsRender = true
        let inner = innerRect(.dataset)
        datasetPane.keepSelectionVisible(datasetPane.isSequence ? datasetPane.sequenceGrid(for: inner) : DatasetPane.grid(for: inner))
    }

    func innerRect(_ pane: PaneID) -> Rect {
        (layout.panes[pane] ?? Rect(x: 0, y: 0, width: 0, height: 0)).inset(1)
    }

    // MARK: Model and session

    /// Describes the model against the dataset's input; `resetView` re-opens the tree (not after an edit).
    func describeModel(resetView: Bool = true) {
        if let e = modelEditor {
            let d = DraftDescriber.describe(e.draft, inputShape: dataset.inputShape, outputs: dataset.outputs)
            modelDescription = d
            modelError = nil
            if resetView { modelPane.resetExpansion(d) }
            return
        }
        do {
            let d = try services.catalog.describe(modelName, inputShape: dataset.inputShape, numClasses: dataset.outputs,
                                                  vocabularySize: dataset.vocabulary?.size)
            modelDescription = d
            modelError = nil
            modelPane.resetExpansion(d)
        } catch {
            modelDescription = nil
            modelError = "\(modelName): \(error)"
        }
    }

    func makeSession() {
        session?.close(timeout: 2)
        session = nil
        runState = .idle
        plan = nil
        runHyper = nil
        history = MetricHistory(metrics: dataset.task.metrics)
        steps = []
        evaluation = nil
        misclassified = []
        samplesPerSecond = 0
        hyperPane.message = nil
        lrFinderRunning = false
        guard modelDescription?.canTrain == true else { return }
        if let e = modelEditor {
            guard let file = draftFile(e) else { modelError = "cannot write the model file for the session"; return }
            modelName = file
        }
        do {
            session = try services.backend.makeSession(model: modelName, dataset: dataset, seed: hyper.seed)
        } catch {
            modelError = "cannot create a training session for \(modelName): \(error)"
        }
    }

    // MARK: Events

    /// Drains engine events and background work; call it every loop iteration.
    public func tick(now: Date = Date()) {
        if let s = session {
            let events = s.drainEvents()
            if !events.isEmpty { needsRender = true }
            for e in events { apply(e) }
        }
        pollDownload()
        pollHub()
        if let t = toast, t.until < now {
            toast = nil
            needsRender = true
        }
    }

    func apply(_ e: SessionEvent) {
        switch e {
        case .training(let t): apply(t)
        case .fileFinished(.saveModel, let path, let error) where pendingPublish?.weights == path:
            finishPublish(error: error)
        case .fileFinished(let op, let path, let error):
            if let error = error {
                toast = nil
                overlay = .message(title: "Could not \(op.rawValue)", text: error + (op == .loadModel || op == .loadCheckpoint ? "\nThe current model is unchanged." : ""), isError: true)
            } else {
                let verb: String
                switch op {
                case .saveModel: verb = "saved model to"
                case .loadModel: verb = "loaded model from"
                case .saveCheckpoint: verb = "saved checkpoint to"
                case .loadCheckpoint: verb = "loaded checkpoint"
                }
                if op == .loadCheckpoint {
                    runState = .idle
                    showToast("loaded checkpoint \(path) (\(history.epochs.count) epochs done): s continues", seconds: 8)
                } else {
                    showToast("\(verb) \(path)")
                }
            }
        case .lrFind(let u): apply(u)
        case .misclassified(let m): misclassified = m
        case .generated(let u): apply(u)
        case .historyRestored(let h, let p):
            history = h
            steps = StepLossRecorder.steps(h.stepLosses)
            if let p = p { plan = p }
        }
    }

    func apply(_ e: TrainingEvent) {
        switch e {
        case .started(let p):
            plan = p
            if p.startEpoch > 0 || p.startStep > 0 {
                // Resumed from a checkpoint: keep the restored curves up to where it was taken.
                steps.removeAll { $0.globalStep > p.startStep }
                history.epochs.removeAll { $0.epoch > p.startEpoch }
                history.changes.removeAll { $0.step > p.startStep }
            } else {
                history = MetricHistory(metrics: dataset.task.metrics)
                steps = []
            }
            evaluation = nil
            misclassified = []
            samplesPerSecond = 0
            if toast?.text.hasPrefix("starting") == true { toast = nil }
        case .step(let m):
            steps.append(m)
            stepTimes.append(Date().timeIntervalSince1970)
            samplesPerSecond = samplesPerSecond == 0 ? m.samplesPerSecond : 0.9 * samplesPerSecond + 0.1 * m.samplesPerSecond
        case .epochEnded(let m):
            history.epochs.append(m)
            resampleAfterEpoch(m.epoch)
        case .stateChanged(let s):
            runState = s
            switch s {
            case .finished:
                showToast("run finished" + (evaluation.flatMap(\.accuracy).map { String(format: ": test accuracy %.1f%%", $0 * 100) } ?? ""))
            case .failed(let why): overlay = .message(title: "Training failed", text: why, isError: true)
            case .paused(let why?): offerRollback(why)
            default: break
            }
        case .hyperparameterChanged(let live, let step):
            history.changes.append(HyperparameterChange(step: step, change: live))
            hyperPane.message = "\(HyperparameterField(live).rawValue) \(HyperparameterField.formatNumber(live.value)) from step \(step)"
            hyperPane.messageIsError = false
            switch live {
            case .learningRate(let v): runHyper?.lr = v
            case .momentum(let v): runHyper?.momentum = v
            case .weightDecay(let v): runHyper?.weightDecay = v
            }
        case .evaluated(let r):
            evaluation = r
            misclassified = []   // the gallery's samples follow (E), or belong to an older evaluation
            if r.split == "test" { history.test = r }
            if !runState.isActive { showToast(Self.summary(r)) }
        case .message(let m):
            showToast(m)
        }
    }

    /// `test accuracy 61.2%, loss 1.0843` (or the task's metrics).
    static func summary(_ r: Evaluation) -> String {
        let metrics = r.metrics.sorted { $0.key < $1.key }.map { k, v in
            k == "accuracy" ? String(format: "accuracy %.1f%%", v * 100) : String(format: "%@ %.4g", k, v)
        }
        return "\(r.split) " + (metrics + [String(format: "loss %.4f", r.loss)]).joined(separator: ", ")
    }

    func showToast(_ text: String, isError: Bool = false, seconds: Double = 5) {
        toast = (text, isError, Date().addingTimeInterval(seconds))
        needsRender = true
    }

    /// Fields edited for the next run whose value differs from the running one.
    public var pendingNextRun: Set<HyperparameterField> {
        guard runState.isActive, let r = runHyper else { return [] }
        return Set(HyperparameterField.allCases.filter { !$0.appliesLive && $0.format(r) != $0.format(hyper) })
    }
}
