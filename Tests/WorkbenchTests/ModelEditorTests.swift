import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// Model files in the TUI and the live model editor: the draft tree and its undo
/// stack, shapes/parameters/FLOPs of every layer on meta tensors, errors at the
/// layer that breaks, and the model pane's keys as a user presses them.
final class ModelEditorTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-editor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let lenetText = """
    name: filenet
    layers:
      - Conv2d: {in_channels: 3, out_channels: 6, kernel_size: 5}
      - ReLU
      - MaxPool2d: [2]
      - Residual:
          - Conv2d: {out_channels: 6, kernel_size: 3, padding: 1}
          - BatchNorm2d
      - Concat:
          dim: 1
          branches:
            - Identity
            - [Conv2d: {out_channels: 2, kernel_size: 1}, ReLU]
      - Flatten
      - Linear: {in_features: auto, out_features: classes}
    """

    func write(_ text: String, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    // MARK: The draft

    func testADraftReadsAndWritesTheModelFileFormatBuildingTheSameModel() throws {
        let draft = try ModelDraft(text: Self.lenetText, file: "filenet.model.yaml")
        XCTAssertEqual(draft.name, "filenet")
        XCTAssertEqual(draft.layers.map(\.type), ["Conv2d", "ReLU", "MaxPool2d", "Residual", "Concat", "Flatten", "Linear"])
        XCTAssertEqual(draft.layers[2].arguments, [DraftArgument("kernel_size", "2")], "positional arguments get PyTorch's names")
        XCTAssertEqual(draft.layers[4].argument("dim"), "1")
        XCTAssertEqual(draft.layers[4].children.map(\.type), ["Identity", "Sequential"], "a list branch is a Sequential")
        let (text, paths) = draft.yaml()
        XCTAssertEqual(paths[3], [0])
        XCTAssertEqual(paths[4], [1])
        XCTAssertEqual(paths.values.filter { $0 == [4, 1, 0] }.count, 1)
        let original = try ModelDefinition(text: Self.lenetText, file: "a").build(inputShape: [3, 32, 32], outputs: 10, generator: Generator(seed: 1))
        let rebuilt = try ModelDefinition(text: text, file: "b").build(inputShape: [3, 32, 32], outputs: 10, generator: Generator(seed: 1))
        XCTAssertEqual(rebuilt.stateDict().map(\.0), original.stateDict().map(\.0))
        for ((k, a), (_, b)) in zip(original.stateDict(), rebuilt.stateDict()) { XCTAssertEqual(a.toArray(), b.toArray(), k) }
        XCTAssertEqual(try ModelDraft(text: text, file: "b"), draft, "written and read back unchanged")
    }

    func testEditsUndoAndRedo() throws {
        var e = ModelEditor(ModelDraft(name: "m", layers: [DraftLayer("Flatten"), DraftLayer("Linear", [DraftArgument("out_features", "classes")])]))
        XCTAssertEqual(try e.apply(.insert(DraftLayer("ReLU"), below: [0])), [1])
        XCTAssertEqual(e.draft.layers.map(\.type), ["Flatten", "ReLU", "Linear"])
        XCTAssertEqual(try e.apply(.duplicate([1])), [2])
        XCTAssertEqual(try e.apply(.move([2], by: 1)), [3])
        XCTAssertEqual(e.draft.layers.map(\.type), ["Flatten", "ReLU", "Linear", "ReLU"])
        XCTAssertThrowsError(try e.apply(.move([3], by: 1))) { XCTAssertEqual("\($0)", "already the last layer here") }
        XCTAssertEqual(try e.apply(.wrapInResidual([[1], [3]])), [1])
        XCTAssertEqual(e.draft.layers.map(\.type), ["Flatten", "Residual", "Linear"])
        XCTAssertEqual(e.draft.layers[1].children.map(\.type), ["ReLU", "ReLU"])
        XCTAssertEqual(try e.apply(.insertFirst(DraftLayer("Tanh"), into: [1])), [1, 0])
        XCTAssertThrowsError(try e.apply(.insertFirst(DraftLayer("Tanh"), into: [2])), "a Linear holds no layers")
        try e.apply(.setArguments([2], [DraftArgument("out_features", "7")]))
        XCTAssertEqual(e.draft.layer(at: [2])?.argument("out_features"), "7")
        XCTAssertEqual(try e.apply(.delete([1, 0])), [1, 0])
        let edited = e.draft
        XCTAssertTrue(e.undo())
        XCTAssertEqual(e.draft.layer(at: [1, 0])?.type, "Tanh")
        for _ in 0..<6 { XCTAssertTrue(e.undo()) }
        XCTAssertEqual(e.draft.layers.map(\.type), ["Flatten", "Linear"])
        XCTAssertFalse(e.undo())
        for _ in 0..<7 { XCTAssertTrue(e.redo()) }
        XCTAssertEqual(e.draft, edited)
        XCTAssertFalse(e.redo())
        XCTAssertTrue(e.isModified)
    }

    // MARK: Description on meta tensors

    func testEveryLayerGetsItsShapeParametersFLOPsAndMemory() throws {
        let draft = try ModelDraft(text: Self.lenetText, file: "f")
        let d = DraftDescriber.describe(draft, inputShape: [3, 32, 32], outputs: 10)
        XCTAssertNil(d.failure)
        let kids = d.root.children
        XCTAssertEqual(kids.map(\.outputShape), [[1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 6, 14, 14], [1, 8, 14, 14], [1, 1568], [1, 10]])
        XCTAssertEqual(kids[0].ownParameters, 3 * 6 * 25 + 6)
        XCTAssertEqual(kids[0].flops, 2 * 6 * 28 * 28 * 3 * 25, "2 per multiply-add")
        XCTAssertEqual(kids[6].flops, 2 * 10 * 1568)
        XCTAssertEqual(kids[1].flops, 6 * 28 * 28, "one per output element")
        XCTAssertEqual(kids[0].outputBytes, 6 * 28 * 28 * 4)
        XCTAssertEqual(kids[3].children.map(\.outputShape), [[1, 6, 14, 14], [1, 6, 14, 14]])
        XCTAssertEqual(kids[3].totalParameters, 6 * 6 * 9 + 6 + 12)
        XCTAssertEqual(kids[4].children[1].children[0].outputShape, [1, 2, 14, 14])
        let model = try ModelDefinition(text: Self.lenetText, file: "f").build(inputShape: [3, 32, 32], outputs: 10)
        XCTAssertEqual(d.totalParameters, model.parameterCount)
        XCTAssertEqual(d.root.totalFLOPs, kids.compactMap(\.totalFLOPs).reduce(0, +))
    }

    func testABrokenLayerIsMarkedAtItsLineWithTheShapesBeforeIt() throws {
        var draft = try ModelDraft(text: Self.lenetText, file: "f")
        draft.layers[6].arguments = [DraftArgument("in_features", "400"), DraftArgument("out_features", "classes")]
        let d = DraftDescriber.describe(draft, inputShape: [3, 32, 32], outputs: 10)
        XCTAssertEqual(d.failure?.layerPath, "6")
        XCTAssertTrue(d.failure?.message.contains("Linear: in_features 400 expected, input has 1568 features") == true, d.failure?.message ?? "")
        XCTAssertEqual(d.root.children[5].outputShape, [1, 1568], "the layers before keep their shapes")
        XCTAssertNil(d.root.children[6].outputShape)
        // Inside a block: the nested layer is marked.
        draft = try ModelDraft(text: Self.lenetText, file: "f")
        draft.layers[3].children[0].arguments = [DraftArgument("out_channels", "5"), DraftArgument("kernel_size", "3"), DraftArgument("padding", "1")]
        XCTAssertEqual(DraftDescriber.describe(draft, inputShape: [3, 32, 32], outputs: 10).failure?.layerPath, "3",
                       "the residual block whose output no longer matches its input")
        // The output must fit the data.
        draft = try ModelDraft(text: Self.lenetText, file: "f")
        draft.layers[6].arguments = [DraftArgument("out_features", "7")]
        let wrong = DraftDescriber.describe(draft, inputShape: [3, 32, 32], outputs: 10)
        XCTAssertEqual(wrong.failure?.layerPath, "6")
        XCTAssertEqual(wrong.root.children[6].outputShape, [1, 7])
        XCTAssertEqual(DraftDescriber.describe(ModelDraft(name: "e", layers: []), inputShape: [3, 32, 32], outputs: 10).failure?.layerPath, "")
    }

    // MARK: In the app

    func testOpenAModelFileFromTheMenuWithRecentsAndKeepTheModelOnErrors() throws {
        let good = try write(Self.lenetText, "filenet.model.yaml")
        let bad = try write(Self.lenetText.replacingOccurrences(of: "in_features: auto", with: "in_features: 400"), "bad.model.yaml")
        let recents = RecentPaths(file: dir.appendingPathComponent("recent-models"))
        let (app, backend) = makeApp(width: 110, height: 34, modelRecents: recents)
        app.press(.char("m"), .char("O"), .ctrl("u"))
        XCTAssertEqual(app.overlayName, "prompt")
        app.type(dir.path + "/fil")
        app.press(.tab)
        XCTAssertShows(app.draw(), "filenet.model.yaml")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, nil)
        XCTAssertEqual(app.modelDescription?.name, "filenet")
        XCTAssertEqual(app.modelDescription?.root.children.last?.outputShape, [1, 10])
        XCTAssertEqual(backend.models.last, good, "the session trains the file")
        XCTAssertEqual(recents.paths, [good])
        app.press(.char("2"), .char("z"))
        let screen = app.draw()
        XCTAssertShows(screen, "filenet")
        XCTAssertShows(screen, "FLOPs")
        XCTAssertShows(screen, "6×28×28")

        // A file that does not fit: a message naming the line, the layer and the shapes; the model stays.
        app.press(.char("z"), .char("m"), .char("O"))
        XCTAssertShows(app.draw(), "recent (↑/↓)")
        app.press(.ctrl("u"))
        app.type(bad)
        app.press(.enter)
        guard case .message(_, let text, true)? = app.overlay else { return XCTFail("no error message") }
        XCTAssertTrue(text.contains("line 15, Linear: in_features 400 expected, input has 1568 features"), text)
        XCTAssertTrue(text.contains("The current model (filenet) is kept."), text)
        app.press(.enter)
        XCTAssertEqual(app.modelDescription?.name, "filenet")
        XCTAssertEqual(backend.models.last, good)

        // --model FILE at start.
        let (app2, backend2) = makeApp(options: AppOptions(model: good))
        XCTAssertEqual(app2.modelDescription?.name, "filenet")
        XCTAssertEqual(backend2.models.last, good)
        let (app3, _) = makeApp(options: AppOptions(model: dir.path + "/none.model.yaml"))
        XCTAssertEqual(app3.overlayName, "message")
        XCTAssertEqual(app3.modelDescription?.name, "LeNet5", "the default model instead")
    }

    func testTheEditorAddsDeletesEditsWrapsUndoesAndSaves() throws {
        let (app, backend) = makeApp(width: 110, height: 34, options: AppOptions(model: try write(Self.lenetText, "filenet.model.yaml")))
        app.press(.char("2"))
        XCTAssertEqual(app.focus, .model)
        // Select the ReLU (row 2: root, Conv2d, ReLU) and add a Dropout below it from the catalogue.
        app.press(.down, .down)
        app.press(.char("a"))
        XCTAssertEqual(app.overlayName, "layer-picker")
        app.type("dropou")
        XCTAssertShows(app.draw(), "Dropout2d")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, nil)
        XCTAssertEqual(app.modelEditor?.draft.layers.map(\.type).prefix(3), ["Conv2d", "ReLU", "Dropout"])
        XCTAssertTrue(backend.models.last?.hasSuffix("filenet.model.yaml") == true && backend.models.last?.contains("workbench-models") == true,
                      "an edited model trains from a scratch file: \(backend.models.last ?? "")")
        let scratch = try String(contentsOfFile: backend.models.last ?? "", encoding: .utf8)
        XCTAssertTrue(scratch.contains("  - Dropout\n"))

        // A Conv2d needs its arguments: its form opens; a bad value is refused and the old one kept.
        app.press(.char("a"))
        app.type("Conv2d")
        app.press(.enter)
        XCTAssertEqual(app.modelEditor?.draft.layers[3].type, "Conv2d")
        app.press(.char("f"))
        XCTAssertEqual(app.overlayName, "layer-form")
        // Fields: in_channels, out_channels, …; set out_channels to 7: the next Conv2d (in_channels 3) breaks.
        app.press(.down, .ctrl("u"))
        app.type("abc")
        XCTAssertShows(app.draw(), "expected an integer")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "layer-form", "refused")
        XCTAssertShows(app.draw(), "refused")
        XCTAssertEqual(app.modelEditor?.draft.layers[3].argument("out_channels"), "16", "old value kept")
        app.press(.ctrl("u"))
        app.type("6")
        XCTAssertShows(app.draw(), "output 6×28×28")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, nil)
        XCTAssertEqual(app.modelEditor?.draft.layers[3].argument("out_channels"), "6")
        XCTAssertNil(app.modelDescription?.failure)

        // Delete it, undo, redo.
        app.press(.char("d"))
        XCTAssertEqual(app.modelEditor?.draft.layers[3].type, "MaxPool2d")
        app.press(.char("u"))
        XCTAssertEqual(app.modelEditor?.draft.layers[3].type, "Conv2d")
        app.press(.char("U"))
        XCTAssertEqual(app.modelEditor?.draft.layers[3].type, "MaxPool2d")

        // Mark the ReLU and the Dropout and wrap them in a residual block.
        app.press(.up, .up, .char("v"), .char("v"))
        app.press(.char("r"))
        XCTAssertEqual(app.modelEditor?.draft.layers.map(\.type).prefix(3), ["Conv2d", "Residual", "MaxPool2d"])
        XCTAssertEqual(app.modelEditor?.draft.layers[1].children.map(\.type), ["ReLU", "Dropout"])
        XCTAssertShows(app.draw(), "Residual")

        // A layer that breaks is marked in the tree with its message (its form opens: it cannot build).
        app.press(.char("a"))
        app.type("Conv1d")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "layer-form")
        app.press(.escape)
        XCTAssertEqual(app.modelDescription?.failure?.layerPath, "2")
        XCTAssertTrue(app.modelDescription?.failure?.message.contains("Conv1d") == true)
        XCTAssertShows(app.draw(), "✗")

        app.press(.char("u"))
        XCTAssertNil(app.modelDescription?.failure)
        // Save as a model file (atomic write) and read it back.
        app.press(.char("W"), .ctrl("u"))
        let saved = dir.appendingPathComponent("out/edited.model.yaml").path
        app.type(saved)
        app.press(.enter)
        XCTAssertEqual(app.overlayName, nil)
        let back = try App.readDraft(saved)
        XCTAssertEqual(back, app.modelEditor?.draft)
        XCTAssertEqual(app.modelEditor?.isModified, false)
    }

    func testEditingAModelThatIsTrainingAsksAndStartsANewRun() throws {
        let (app, backend) = makeApp(width: 110, height: 34, options: AppOptions(model: try write(Self.lenetText, "filenet.model.yaml")))
        app.press(.char("s"))
        backend.last.pending = [.training(.stateChanged(.running))]
        app.tick()
        XCTAssertTrue(app.runState.isActive)
        app.press(.char("2"), .down, .down, .char("d"))
        XCTAssertEqual(app.overlayName, "confirm")
        XCTAssertEqual(app.modelEditor?.draft.layers.count, 7, "nothing changed yet")
        app.press(.char("n"))
        XCTAssertEqual(app.modelEditor?.draft.layers.count, 7)
        app.press(.char("d"), .char("y"))
        XCTAssertEqual(app.modelEditor?.draft.layers.count, 6)
        XCTAssertTrue(backend.sessions[backend.sessions.count - 2].closed, "the old run's session is closed")
        XCTAssertTrue(backend.last.commands.contains { if case .start = $0 { return true } else { return false } }, "a new run starts")
    }

    func testAZooModelOffersANewDesign() {
        let (app, _) = makeApp(width: 110, height: 34)
        app.press(.char("2"), .char("a"))
        XCTAssertEqual(app.overlayName, "confirm")
        app.press(.char("y"))
        XCTAssertEqual(app.modelEditor?.draft.layers.map(\.type), ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"])
        XCTAssertNil(app.modelDescription?.failure)
        XCTAssertEqual(app.modelDescription?.root.children.last?.outputShape, [1, 10])
    }
}
