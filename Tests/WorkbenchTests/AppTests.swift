import Tensors
import Foundation
import XCTest
@testable import WorkbenchCore

/// Pane rendering and behaviour, driven by keys and engine events, checked on the canvas.
final class AppTests: XCTestCase {
    // MARK: Launch and layout

    func testLaunchAt80x24ShowsEveryPaneStatusAndHelp() {
        let (app, _) = makeApp()
        let c = app.draw()
        XCTAssertShows(c, "1 Dataset: shapes")
        XCTAssertShows(c, "2 Model")
        XCTAssertShows(c, "3 Charts")
        XCTAssertShows(c, "4 Hyperparameters")
        XCTAssertShows(c, "LeNet5 · 62,006 params")
        XCTAssertShows(c, "conv1: Conv2d")
        XCTAssertShows(c, "6×28×28")
        XCTAssertShows(c, "learning rate")
        XCTAssertShows(c, "start a run (s)")
        XCTAssertEqual(c.find("● IDLE")?.y, 22)
        XCTAssertTrue(c.row(23).contains("q quit"), c.row(23))
        XCTAssertTrue(c.row(23).contains("f filter"), c.row(23))
        // Three 12×6 thumbnails with their class labels.
        XCTAssertEqual(c.row(2).filter { $0 == "▀" }.count, 36)
        XCTAssertShows(c, "▸" + SyntheticShapesDataset.classes[SyntheticShapesDataset().label(.train, 0)])
    }

    func testLaunchAt200x50UsesTheSpace() {
        let (app, _) = makeApp(width: 200, height: 50)
        let c = app.draw()
        XCTAssertShows(c, "fc3: Linear")
        XCTAssertShows(c, "input 3×32×32 · total 62,006 params")
        XCTAssertShows(c, "epoch metrics appear after the first epoch")
        // 4 thumbnails of 16×8 across (5 rows of them).
        XCTAssertEqual(c.row(2).filter { $0 == "▀" }.count, 64)
        XCTAssertTrue(c.row(48).contains("● IDLE"))
    }

    func testBelowMinimumSizeSaysSoInsteadOfDrawing() {
        let (app, _) = makeApp(width: 50, height: 15)
        let c = app.draw()
        XCTAssertShows(c, "Terminal too small: 50×15.")
        XCTAssertShows(c, "at least 60×18")
        XCTAssertNotShows(c, "Dataset")
        app.press(.char("s"))
        XCTAssertFalse(app.shouldQuit)
        app.press(.char("q"))
        XCTAssertTrue(app.shouldQuit)
    }

    func testResizeRelaysOut() {
        let (app, _) = makeApp()
        XCTAssertEqual(app.draw().find("2 Model")?.y, 11)
        app.resize(width: 120, height: 40)
        let c = app.draw()
        XCTAssertEqual(c.width, 120)
        XCTAssertEqual(c.find("2 Model")?.y, 19)
        XCTAssertEqual(c.find("● IDLE")?.y, 38)
    }

    // MARK: Focus

    func testFocusByTabNumberAndMouse() {
        let (app, _) = makeApp()
        XCTAssertEqual(app.focus, .dataset)
        app.press(.tab)
        XCTAssertEqual(app.focus, .model)
        app.press(.backTab, .backTab)
        XCTAssertEqual(app.focus, .hyperparameters)
        app.press(.char("3"))
        XCTAssertEqual(app.focus, .charts)
        app.press(.mouse(MouseEvent(x: 5, y: 15, kind: .press)))
        XCTAssertEqual(app.focus, .model)
        // The focused pane's border takes the theme's focus colour.
        let c = app.draw()
        XCTAssertEqual(c[0, 11].style.fg, app.ctx.theme[.focusBorder])
        XCTAssertEqual(c[0, 0].style.fg, app.ctx.theme[.divLine])
        XCTAssertTrue(c.row(23).contains("o other model"), c.row(23))
    }

    func testZoomTogglesFocusedPane() {
        let (app, _) = makeApp()
        app.press(.char("2"), .char("z"))
        let c = app.draw()
        XCTAssertShows(c, "2 Model (zoomed, z restores)")
        XCTAssertNotShows(c, "3 Charts")
        XCTAssertShows(c, "fc3: Linear")
        app.press(.char("z"))
        XCTAssertShows(app.draw(), "3 Charts")
    }

    // MARK: Dataset browser

    func testArrowKeysPagingAndEnlargedView() {
        let (app, _) = makeApp()
        let ds = SyntheticShapesDataset()
        XCTAssertShows(app.draw(), "train 1/5000")
        app.press(.right, .right)
        XCTAssertShows(app.draw(), "train 3/5000")
        app.press(.down)  // 3 per row at 80×24
        XCTAssertShows(app.draw(), "train 6/5000")
        app.press(.pageDown)
        XCTAssertShows(app.draw(), "train 9/5000")
        app.press(.end)
        XCTAssertShows(app.draw(), "train 5000/5000")
        app.press(.home, .right, .enter)
        let c = app.draw()
        let l = ds.label(.train, 1)
        XCTAssertShows(c, "#1  \(SyntheticShapesDataset.classes[l]) (\(l))")
        // The enlarged image keeps its shape: 16 columns × 8 rows in the 38×8 body here.
        XCTAssertEqual(c.row(2).filter { $0 == "▀" }.count, 16)
        XCTAssertEqual(c.row(9).filter { $0 == "▀" }.count, 16)
        // Larger panes show it at 2× (64 columns).
        app.resize(width: 200, height: 50)
        XCTAssertEqual(app.draw().row(2).filter { $0 == "▀" }.count, 64)
        app.resize(width: 80, height: 24)
        app.press(.enter)
        XCTAssertEqual(app.draw().row(2).filter { $0 == "▀" }.count, 36)
    }

    func testClassFilterAndSplit() {
        let (app, _) = makeApp()
        app.press(.char("f"))
        var c = app.draw()
        XCTAssertShows(c, "train · circle 1/500")
        XCTAssertTrue(app.datasetPane.indices.allSatisfy { SyntheticShapesDataset().label(.train, $0) == 0 })
        XCTAssertNotShows(c, "square")
        app.press(.char("F"), .char("F"))
        XCTAssertShows(app.draw(), "train · dots 1/500")
        app.press(.char("f"))
        XCTAssertShows(app.draw(), "train 1/5000")
        app.press(.char("t"))
        c = app.draw()
        XCTAssertShows(c, "test 1/1000")
    }

    func testClassHistogramAndAccuracyAfterEvaluation() {
        let (app, backend) = makeApp(width: 120, height: 40)
        app.press(.char("v"))
        var c = app.draw()
        XCTAssertShows(c, "circle")
        XCTAssertShows(c, "500")
        XCTAssertNotShows(c, "accuracy")
        // An evaluation: class 0 all right, class 1 half right.
        var m = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        m[0][0] = 10
        m[1][1] = 5
        m[1][2] = 5
        backend.last.pending = [.training(.evaluated(evaluation(m)))]
        app.tick()
        c = app.draw()
        XCTAssertShows(c, "count  accuracy")
        XCTAssertShows(c, "500  100%")
        XCTAssertShows(c, "500   50%")
        app.press(.char("v"))
        c = app.draw()
        XCTAssertShows(c, "t\\p")
        XCTAssertShows(c, "10")
    }

    func testAugmentationPreviewChangesTheImages() {
        let (app, _) = makeApp()
        let before = app.draw()
        app.press(.char("a"))
        let after = app.draw()
        XCTAssertShows(after, "augmented")
        let region = Rect(x: 1, y: 2, width: 38, height: 6)
        var differ = 0
        for y in region.y..<region.maxY { for x in region.x..<region.maxX where before[x, y] != after[x, y] { differ += 1 } }
        XCTAssertGreaterThan(differ, 20)
        app.press(.char("a"))
        XCTAssertEqual(app.draw().cells, before.cells)
    }

    func testImagesUseDatasetColoursAndAsciiInMonochrome() {
        // Truecolor shows the pixels as they are (256 and 8 colours dither them: DitherTests).
        let (app, _) = makeApp(colorMode: .truecolor)
        let ds = SyntheticShapesDataset()
        let c = app.draw()
        let grid = DatasetPane.grid(for: Rect(x: 1, y: 1, width: 38, height: 9))
        let thumb = ds.image(.train, 0).resized(width: 12, height: 12)
        let cell = c[grid.origin.x, grid.origin.y]
        XCTAssertEqual(cell.char, "▀")
        XCTAssertEqual(cell.style.fg, .rgb(thumb.pixel(0, 0)))
        XCTAssertEqual(cell.style.bg, .rgb(thumb.pixel(0, 1)))

        let (mono, _) = makeApp(colorMode: .monochrome)
        let m = mono.draw()
        XCTAssertFalse(m.cells.contains { $0.style.fg != .terminalDefault || $0.style.bg != .terminalDefault })
        XCTAssertFalse(m.cells.contains { $0.char == "▀" })
        XCTAssertTrue(ImageView.asciiRamp.contains(m[grid.origin.x, grid.origin.y].char))
        // The selected thumbnail label is shown reversed.
        XCTAssertEqual(m[grid.origin.x, grid.origin.y + 6].style.attrs, .reverse)
    }

    // MARK: Model pane

    func testModelTreeExpandCollapseAndChooseAnother() {
        let (app, backend) = makeApp(width: 120, height: 40)
        app.press(.char("2"))
        app.press(.left)  // collapse the root
        var c = app.draw()
        XCTAssertShows(c, "▸ LeNet5")
        XCTAssertNotShows(c, "conv1")
        app.press(.right, .down)
        XCTAssertShows(app.draw(), "conv1: Conv2d")
        app.press(.char("o"))
        c = app.draw()
        XCTAssertShows(c, "▸ LeNet5")
        XCTAssertEqual(app.overlayName, "chooser")
        app.press(.down, .enter)
        XCTAssertEqual(app.modelName, "MLP")
        XCTAssertEqual(backend.sessions.count, 2)
        XCTAssertTrue(backend.sessions[0].closed)
        c = app.draw()
        XCTAssertShows(c, "MLP · 1,707,274 params")
        XCTAssertShows(c, "▾ layers: Sequential")
        app.press(.char("e"))
        XCTAssertShows(app.draw(), "0: Linear")
    }

    func testModelThatDoesNotFitShowsFailingLayerAndCannotStart() {
        let (app, backend) = makeApp(width: 120, height: 40, options: AppOptions(model: "alexnet"))
        XCTAssertEqual(app.modelName, "AlexNet")
        var c = app.draw()
        XCTAssertShows(c, "12: MaxPool2d")
        XCTAssertShows(c, "✗ features.12: max_pool2d: input [1, 256, 1, 1] is smaller")
        XCTAssertShows(c, "than kernel 3×3")
        XCTAssertShows(c, "cannot train")
        // The failing layer is selected (in view) and the explanation is in the error colour.
        XCTAssertEqual(app.modelPane.rows(app.modelDescription!)[app.modelPane.selected].path, "features.12")
        let mark = c.find("✗ features.12")
        XCTAssertEqual(c[mark?.x ?? 0, mark?.y ?? 0].style, app.ctx.style(.error))
        XCTAssertTrue(backend.sessions.isEmpty)
        app.press(.char("s"))
        c = app.draw()
        XCTAssertEqual(app.overlayName, "message")
        XCTAssertShows(c, "Cannot start")
        XCTAssertShows(c, "does not fit the input [3, 32, 32]")
    }

    func testUnknownModelOptionWarnsAndUsesLeNet() {
        let (app, _) = makeApp(options: AppOptions(model: "Nope"))
        XCTAssertEqual(app.modelName, "LeNet5")
        let c = app.draw()
        XCTAssertShows(c, "--model Nope: unknown model")
        app.press(.enter)
        XCTAssertNil(app.overlayName)
    }

    // MARK: Training, charts and status

    func startRun(_ app: App, _ backend: RecordingBackend, steps: Int = 3) {
        app.press(.char("s"))
        let s = backend.last
        s.pending = [.training(.started(RunPlan(epochs: 2, stepsPerEpoch: 10, trainSamples: 640, validationSamples: 64, batchSize: 64))),
                     .training(.stateChanged(.running))]
        s.pending += (1...steps).map { step($0, loss: 2.0 / Double($0)) }
        app.tick()
    }

    func testStartSendsSettingsAndStatusBarFollowsSteps() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        XCTAssertEqual(backend.last.commands, [.start(TrainingConfig.editorDefaults)])
        let c = app.draw()
        let status = c.row(22)
        for part in ["● RUNNING", "epoch 1/2", "step 3/20", "1,000 img/s", "ETA 00:01", "loss 0.6667"] {
            XCTAssertTrue(status.contains(part), "\(part) not in \(status)")
        }
        XCTAssertShows(c, "loss ")
        XCTAssertTrue(c.text.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28ff }, "no braille dots")
        XCTAssertTrue(c.row(23).contains("p pause"), c.row(23))
    }

    func testEpochChartAndLegendAfterEpochs() {
        let (app, backend) = makeApp(width: 200, height: 50)
        startRun(app, backend, steps: 10)
        backend.last.pending = [.training(.epochEnded(epochSummary(1, trainLoss: 1.5, valLoss: 1.25, valAccuracy: 0.625))),
                                .training(.epochEnded(epochSummary(2, trainLoss: 1.0, valLoss: 1.125, valAccuracy: 0.75)))]
        app.tick()
        let c = app.draw()
        XCTAssertShows(c, "train 1.0000")
        XCTAssertShows(c, "val 1.1250")
        XCTAssertShows(c, "acc 75.0%")
        XCTAssertShows(c, "100%")
        XCTAssertShows(c, "epoch")
    }

    func testChartKeysToggleLogSmoothingAndSeries() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        app.press(.char("3"), .char("l"), .char("+"))
        var c = app.draw()
        XCTAssertShows(c, "smoothing 0.70 · log")
        app.press(.char("-"), .char("-"))
        XCTAssertShows(app.draw(), "smoothing 0.50")
        app.press(.char("a"))
        c = app.draw()
        XCTAssertShows(c, "○ loss")
        XCTAssertShows(c, "series hidden")
    }

    func testLearningRateChangeMidRunIsSentAndMarked() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        app.press(.char("4"), .enter, .ctrl("u"))
        app.type("0.05")
        app.press(.enter)
        XCTAssertEqual(backend.last.commands.last, .set(.learningRate(0.05)))
        var c = app.draw()
        XCTAssertShows(c, "learning rate → 0.05 at the next step")
        backend.last.pending = [.training(.hyperparameterChanged(.learningRate(0.05), step: 4)), step(4, loss: 0.4, lr: 0.05), step(5, loss: 0.3, lr: 0.05)]
        app.tick()
        c = app.draw()
        XCTAssertShows(c, "lr=0.05")
        XCTAssertShows(c, "learning rate    0.05")
        XCTAssertShows(c, "learning rate 0.05 from step 4")
        XCTAssertEqual(app.history.changes.first?.step, 4)
    }

    /// A checkpoint brings back the curves (lr markers too); a run resumed from it keeps them
    /// up to its last whole epoch.
    func testCheckpointHistoryIsRestoredAndKeptWhenTheRunResumes() {
        let (app, backend) = makeApp()
        let steps = (1...25).map { step($0, loss: 3.0 / Double($0), epoch: ($0 - 1) / 10 + 1, lr: $0 <= 12 ? 0.01 : 0.05) }
        let epochs = [epochSummary(1, trainLoss: 1, valLoss: 1, valAccuracy: 0.5),
                      epochSummary(2, trainLoss: 0.5, valLoss: 0.75, valAccuracy: 0.6)]
        // A checkpoint's history: the per-step loss series and the live change it recorded.
        let infos = stepInfos(steps)
        let series = StepLossSeries(steps: infos.map(\.globalStep), losses: infos.map(\.loss), learningRates: infos.map(\.lr),
                                    stepsPerEpoch: 10)
        let restored = MetricHistory(epochs: epochs, stepLosses: series,
                                     changes: [HyperparameterChange(step: 13, change: .learningRate(0.05))])
        backend.last.pending = [.historyRestored(restored,
                                                 plan: RunPlan(epochs: 5, stepsPerEpoch: 10, trainSamples: 0, validationSamples: 0, batchSize: 64,
                                                               startEpoch: 2, startStep: 20)),
                                .fileFinished(.loadCheckpoint, path: "runs/c.safetensors", error: nil)]
        app.tick()
        XCTAssertEqual(app.steps.count, 25)
        XCTAssertEqual(app.steps.map(\.globalStep), Array(1...25))
        XCTAssertEqual(app.steps.map(\.epoch), infos.map(\.epoch))
        XCTAssertEqual(app.history.epochs.map(\.epoch), [1, 2])
        XCTAssertEqual(app.history.changes.map(\.step), [13])
        XCTAssertEqual(app.history.changes.map(\.change.label), ["lr=0.05"])
        XCTAssertEqual(app.runState, .idle)
        var c = app.draw()
        XCTAssertShows(c, "loaded checkpoint runs/c.safetensors (2 epochs done): s continues")
        XCTAssertShows(c, "lr=0.05")
        XCTAssertShows(c, "step 25/50")
        // The engine repeats the partial third epoch: steps 21… are dropped, then continue.
        app.press(.char("s"))
        backend.last.pending = [.training(.started(RunPlan(epochs: 5, stepsPerEpoch: 10, trainSamples: 640, validationSamples: 64, batchSize: 64,
                                                           startEpoch: 2, startStep: 20))),
                                .training(.stateChanged(.running)), step(21, loss: 0.2, epoch: 3)]
        app.tick()
        XCTAssertEqual(app.steps.map(\.globalStep), Array(1...21))
        XCTAssertEqual(app.history.epochs.count, 2)
        XCTAssertEqual(app.history.changes.count, 1)
        c = app.draw()
        XCTAssertShows(c, "step 21/50")
        // A new run (startEpoch 0) starts from empty curves.
        app.press(.char("x"))
        backend.last.pending = [.training(.stateChanged(.stopped))]
        app.tick()
        app.press(.char("s"))
        backend.last.pending = [.training(.started(RunPlan(epochs: 5, stepsPerEpoch: 10, trainSamples: 640, validationSamples: 64, batchSize: 64)))]
        app.tick()
        XCTAssertTrue(app.steps.isEmpty)
        XCTAssertTrue(app.history.epochs.isEmpty)
        XCTAssertTrue(app.history.changes.isEmpty)
    }

    func testFinishedRunReportsTestAccuracy() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        backend.last.pending = [.training(.evaluated(evaluation([[3, 1], [0, 4]]))), .training(.stateChanged(.finished))]
        app.tick()
        XCTAssertShows(app.draw(), "run finished: test accuracy 87.5%")
    }

    func testLongErrorMessageKeepsItsLastLineAndSaysWhatIsCut() {
        let (app, backend) = makeApp()
        let lines = (1...40).map { "mismatch \($0)" }.joined(separator: "\n")
        backend.last.pending = [.fileFinished(.loadModel, path: "m.safetensors", error: lines)]
        app.tick()
        let c = app.draw()
        XCTAssertShows(c, "mismatch 1")
        XCTAssertShows(c, "more lines")
        XCTAssertShows(c, "The current model is unchanged.")
        XCTAssertNotShows(c, "mismatch 40")
    }

    func testNarrowModelTitleUsesCompactCount() {
        let (app, _) = makeApp(width: 80, height: 24)
        let c = app.draw()
        XCTAssertTrue(c.row(11).contains("LeNet5 · "), c.row(11))
        XCTAssertFalse(c.row(11).contains("…"), c.row(11))
    }

    func testEnlargedImageUsesLargePanes() {
        let (app, _) = makeApp(width: 200, height: 50)
        app.press(.enter)
        let c = app.draw()
        // 2× the 32×32 image (64 columns, 32 rows) with its details below.
        let inner = app.innerRect(.dataset)
        let firstRow = c.text(in: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1))
        XCTAssertEqual(firstRow.filter { $0 == "▀" }.count, 64, firstRow)
        XCTAssertShows(c, "as stored")
    }

    func testBadValueIsRejectedInlineAndOldValueKept() {
        let (app, backend) = makeApp(width: 120, height: 40)
        app.press(.char("4"), .enter, .ctrl("u"))
        app.type("fast")
        app.press(.enter)
        var c = app.draw()
        XCTAssertShows(c, "learning rate must be a number, got \"fast\"")
        XCTAssertTrue(app.hyperPane.isEditing, "the editor stays open to fix the value")
        app.press(.ctrl("u"))
        app.type("-1")
        app.press(.enter)
        XCTAssertShows(app.draw(), "learning rate must be > 0")
        app.press(.escape)
        c = app.draw()
        XCTAssertFalse(app.hyperPane.isEditing)
        XCTAssertEqual(app.hyper.lr, 0.001)
        XCTAssertShows(c, "learning rate unchanged: 0.001")
        // Batch size: whole numbers only.
        app.press(.down, .down, .down, .down, .enter, .ctrl("u"))
        app.type("12.5")
        app.press(.enter)
        XCTAssertShows(app.draw(), "batch size must be a whole number")
        XCTAssertEqual(app.hyper.batchSize, 16)
        XCTAssertTrue(backend.last.commands.isEmpty)
    }

    func testNextRunFieldsAreMarkedPendingAndChoicesCycle() throws {
        let (app, backend) = makeApp(width: 120, height: 40)
        startRun(app, backend)
        app.press(.char("4"))
        for _ in 0..<4 { app.press(.down) }
        app.press(.enter, .ctrl("u"))
        app.type("128")
        app.press(.enter)
        var c = app.draw()
        XCTAssertShows(c, "batch size → 128 on the next run")
        XCTAssertShows(c, "*next run")
        XCTAssertEqual(app.pendingNextRun, [.batchSize])
        XCTAssertEqual(backend.last.commands, [.start(TrainingConfig.editorDefaults)])
        // Optimizer cycles with → and wraps with ←.
        app.press(.up, .right)
        XCTAssertEqual(app.hyper.optimizer, .adam)
        app.press(.left, .left)
        let last = try XCTUnwrap(OptimizerKind.allCases.last)
        XCTAssertEqual(app.hyper.optimizer, last)
        c = app.draw()
        XCTAssertShows(c, last.displayName)
    }

    func testPauseResumeStopAndNewRun() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        app.press(.char("p"))
        XCTAssertEqual(backend.last.commands.last, .pause)
        backend.last.pending = [.training(.stateChanged(.paused(reason: nil)))]
        app.tick()
        XCTAssertShows(app.draw(), "● PAUSED")
        XCTAssertTrue(app.draw().row(23).contains("p resume"))
        app.press(.char("p"))
        XCTAssertEqual(backend.last.commands.last, .resume)
        app.press(.char("x"))
        XCTAssertEqual(backend.last.commands.last, .stop)
        backend.last.pending = [.training(.stateChanged(.stopped))]
        app.tick()
        app.press(.char("n"))
        XCTAssertEqual(backend.last.commands.last, .reset(seed: 0))
        XCTAssertTrue(app.steps.isEmpty)
        XCTAssertShows(app.draw(), "● IDLE")
    }

    func testFailedStepPausesWithMessage() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        backend.last.pending = [.training(.stateChanged(.paused(reason: "step 4: loss is nan; lower the learning rate and resume")))]
        app.tick()
        let c = app.draw()
        XCTAssertShows(c, "Training paused")
        XCTAssertShows(c, "loss is nan")
        XCTAssertShows(c, "● FAILED")
    }

    // MARK: Quit

    func testQuitIsConfirmedWhileTraining() {
        let (app, backend) = makeApp()
        startRun(app, backend)
        app.press(.char("q"))
        XCTAssertShows(app.draw(), "A run is in progress. Stop it and quit?")
        app.press(.char("n"))
        XCTAssertFalse(app.shouldQuit)
        XCTAssertNil(app.overlayName)
        app.press(.char("q"), .char("y"))
        XCTAssertTrue(app.shouldQuit)
        XCTAssertTrue(backend.last.closed)
    }

    func testQuitWhenIdleAndCtrlCAlways() {
        let (a, _) = makeApp()
        a.press(.char("q"))
        XCTAssertTrue(a.shouldQuit)
        let (b, backend) = makeApp()
        startRun(b, backend)
        b.press(.ctrl("c"))
        XCTAssertTrue(b.shouldQuit)
        XCTAssertTrue(backend.last.closed)
    }

    // MARK: Help, menu and files

    func testHelpOverlayIsGeneratedFromBindings() {
        let (app, _) = makeApp(width: 100, height: 50)
        app.press(.char("?"))
        let c = app.draw()
        XCTAssertShows(c, "Help — keys")
        // Every listed binding appears with its key label; keys another entry's label already
        // names (→ of "←↑↓→ move") are not repeated.
        for b in DatasetPane.bindings where b.listed {
            XCTAssertShows(c, b.description)
            XCTAssertShows(c, b.label)
        }
        XCTAssertShows(c, "←↑↓→")
        XCTAssertNotShows(c, "move right")
        XCTAssertNotShows(c, "next page")
        XCTAssertShows(c, "4 Hyperparameters")
        XCTAssertShows(c, "cancel (keep old value)")
        app.press(.char("x"))
        XCTAssertNil(app.overlayName)
    }

    func testHelpLineFollowsFocus() {
        let (app, _) = makeApp(width: 120, height: 30)
        XCTAssertTrue(app.draw().row(29).contains("t split"))
        app.press(.char("3"))
        let line = app.draw().row(29)
        XCTAssertTrue(line.contains("l log"), line)
        XCTAssertTrue(line.contains("? help"), line)
        XCTAssertFalse(line.contains("t split"), line)
    }

    func testMenuSaveModelPromptSendsCommand() {
        let (app, backend) = makeApp(width: 100, height: 40)
        app.press(.function(2))
        var c = app.draw()
        for item in ["New run", "Save model…", "Load model…", "Save checkpoint…", "Resume from checkpoint…",
                     "Export metrics (CSV)…", "Embedded default", "CIFAR-10 from path…", "Download dataset…", "Theme…"] {
            XCTAssertShows(c, item)
        }
        app.press(.char("w"))
        c = app.draw()
        XCTAssertShows(c, "Save model (safetensors)")
        XCTAssertShows(c, "runs/LeNet5.safetensors")
        // Edit the path: the folder is created before the engine writes.
        let dir = NSTemporaryDirectory() + "wb-save-\(getpid())/sub"
        defer { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "wb-save-\(getpid())") }
        app.press(.ctrl("u"))
        app.type(dir + "/m.safetensor")
        app.press(.char("x"), .left, .backspace, .char("s"), .enter)
        XCTAssertEqual(backend.last.commands.last, .file(.saveModel, path: dir + "/m.safetensosx"))
        XCTAssertNil(app.overlayName)
        var isDir: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue)
        backend.last.pending = [.fileFinished(.saveModel, path: "m.safetensors", error: nil)]
        app.tick()
        XCTAssertShows(app.draw(), "saved model to m.safetensors")
    }

    func testLoadMissingFileIsRejectedInThePrompt() {
        let (app, backend) = makeApp()
        app.press(.char("L"), .ctrl("u"))
        app.type("/nonexistent/m.safetensors")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "prompt")
        XCTAssertShows(app.draw(), "/nonexistent/m.safetensors: no such file")
        XCTAssertTrue(backend.last.commands.isEmpty)
        app.press(.escape)
        XCTAssertNil(app.overlayName)
    }

    func testFailedLoadShowsMessageAndModelIsUnchanged() {
        let (app, backend) = makeApp()
        backend.last.pending = [.fileFinished(.loadModel, path: "x.safetensors", error: "x.safetensors does not match the model: missing key \"fc.bias\"")]
        app.tick()
        let c = app.draw()
        XCTAssertShows(c, "Could not load model")
        XCTAssertShows(c, "missing key \"fc.bias\"")
        XCTAssertShows(c, "The current model is unchanged.")
    }

    func testExportMetricsWritesCSV() throws {
        let (app, backend) = makeApp()
        startRun(app, backend, steps: 2)
        backend.last.pending = [.training(.epochEnded(epochSummary(1, trainLoss: 1.5, valLoss: 1.25, valAccuracy: 0.5)))]
        app.tick()
        let path = NSTemporaryDirectory() + "wb-metrics-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        app.press(.char("m"), .char("v"), .ctrl("u"))
        app.type(path)
        app.press(.enter)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, """
            kind,epoch,step,loss,val_loss,val_accuracy,learning_rate
            step,1,1,2.0,,,0.01
            step,1,2,1.0,,,0.01
            epoch,1,10,1.5,1.25,0.5,

            """)
        XCTAssertShows(app.draw(), "exported 2 steps, 1 epochs")
    }

    func testExportedMetricsFollowTheTasksMetrics() {
        let (app, _) = makeApp()
        app.history = MetricHistory(metrics: RegressionTask().metrics, epochs: [
            EpochSummary(epoch: 1, train: ["loss": 4], validation: ["loss": 2.25, "mae": 1.25, "rmse": 1.5, "r2": 0.5],
                         samplesPerSecond: 100, seconds: 1, lr: 0.01),
        ])
        XCTAssertEqual(app.metricsCSV(), "kind,epoch,step,loss,val_loss,val_mae,val_rmse,val_r2,learning_rate\n"
                       + "epoch,1,1,4.0,2.25,1.25,1.5,0.5,\n")
    }

    func testOpenMissingCIFARFolderShowsError() {
        let (app, _) = makeApp()
        app.press(.char("m"), .char("o"), .ctrl("u"))
        app.type("/nonexistent/cifar")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "prompt")
        XCTAssertShows(app.draw(), "/nonexistent/cifar does not exist")
        XCTAssertEqual(app.dataset.name, "shapes")
    }

    func testThemeChooserPreviewsAppliesAndReverts() {
        let (app, _) = makeApp(colorMode: .truecolor)
        let light = ThemeLibrary(directories: [repoThemes]).load("light").theme
        app.press(.char("T"))
        XCTAssertEqual(app.overlayName, "chooser")
        let names = app.services.themes.names
        let target = names.firstIndex(of: "light") ?? 0
        for _ in 0..<target { app.press(.down) }
        XCTAssertEqual(app.ctx.theme.name, "light")  // preview
        app.press(.escape)
        XCTAssertEqual(app.ctx.theme.name, "default")
        app.press(.char("T"))
        for _ in 0..<target { app.press(.down) }
        app.press(.enter)
        XCTAssertEqual(app.ctx.theme.name, "light")
        let c = app.draw()
        let m = c.find("momentum")
        XCTAssertEqual(c[m?.x ?? 0, m?.y ?? 0].style.bg, light[.mainBg])
        XCTAssertEqual(c[0, 0].style.fg, light[.focusBorder])
        XCTAssertShows(c, "theme: light")
    }

    func testBrokenThemeOptionWarnsAndUsesDefault() throws {
        let dir = NSTemporaryDirectory() + "wb-themes-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "theme[main_bg]=\"not a colour\"\n".write(toFile: dir + "/broken.theme", atomically: true, encoding: .utf8)
        let services = AppServices(datasets: DemoDatasetProvider(), catalog: DemoModelCatalog(), backend: RecordingBackend(),
                                   themes: ThemeLibrary(directories: [dir]))
        let app = App(services: services, options: AppOptions(theme: "broken"))
        XCTAssertEqual(app.ctx.theme.colors, Theme.builtinDefault.colors)
        let c = app.draw()
        XCTAssertShows(c, "Warning")
        XCTAssertShows(c, "theme broken: line 1")
    }
}

extension AppTests {
    func testBadValueMessageFitsAt80x24() {
        let (app, _) = makeApp()
        app.press(.char("4"), .enter, .ctrl("u"))
        app.type("fast")
        app.press(.enter)
        let c = app.draw()
        XCTAssertShows(c, "learning rate must be a number, got")
        XCTAssertShows(c, "\"fast\" (kept 0.001)")
        // The edited row stays visible above the message.
        XCTAssertShows(c, "▸learning rate")
    }

    /// The epoch chart's third series is the task's primary metric: MAE for regression, not a percentage.
    func testEpochChartShowsTheTasksPrimaryMetric() {
        let ctx = RenderContext(theme: .builtinDefault, colorMode: .truecolor)
        let history = MetricHistory(metrics: TaskKind.regression.metrics, epochs: [
            EpochSummary(epoch: 1, train: ["loss": 2.0, "mae": 1.0], validation: ["loss": 1.5, "mae": 0.75, "rmse": 1.0, "r2": 0.2],
                         samplesPerSecond: 0, seconds: 0, lr: 0.01),
            EpochSummary(epoch: 2, train: ["loss": 1.0, "mae": 0.5], validation: ["loss": 1.25, "mae": 0.25, "rmse": 0.5, "r2": 0.4],
                         samplesPerSecond: 0, seconds: 0, lr: 0.01),
        ])
        var pane = ChartsPane()
        pane.arrangement = .epochs
        var c = Canvas(width: 60, height: 16, colorMode: .truecolor)
        pane.render(&c, inner: Rect(x: 0, y: 0, width: 60, height: 16), history: ChartData(steps: [], history: history, stepsPerEpoch: 10), ctx: ctx)
        XCTAssertShows(c, "train 1.0000")
        XCTAssertShows(c, "val 1.2500")
        XCTAssertShows(c, "mae 0.2500")
        XCTAssertNotShows(c, "acc")
        XCTAssertNotShows(c, "%")
        // Classification: accuracy as a percentage.
        var cls = Canvas(width: 60, height: 16, colorMode: .truecolor)
        let h2 = MetricHistory(metrics: TaskKind.classification.metrics, epochs: [epochSummary(1, trainLoss: 1, valLoss: 1, valAccuracy: 0.625)])
        pane.render(&cls, inner: Rect(x: 0, y: 0, width: 60, height: 16), history: ChartData(steps: [], history: h2, stepsPerEpoch: 10), ctx: ctx)
        XCTAssertShows(cls, "acc 62.5%")
    }

    func testStatusBarDropsLeastImportantFieldsWhenNarrow() {
        let (app, backend) = makeApp(width: 60, height: 20)
        startRun(app, backend)
        let status = app.draw().row(18)
        XCTAssertTrue(status.contains("● RUNNING"), status)
        XCTAssertTrue(status.contains("step 3/20"), status)
        XCTAssertTrue(status.contains("loss 0.6667"), status)
        XCTAssertFalse(status.contains("lr "), status)
    }
}
