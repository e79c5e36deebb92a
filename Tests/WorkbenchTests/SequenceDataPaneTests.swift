import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// Sequence data in the TUI: the dataset pane's text and series views, the model pane's
/// shapes for token inputs, and the charts' metric per task.
final class SequenceDataPaneTests: XCTestCase {
    /// An app on the embedded sequence set of `task`, with the real zoo catalog (shapes) and a recording engine.
    func makeSequenceApp(_ task: TaskKind, width: Int = 160, height: Int = 48) -> (App, RecordingBackend) {
        let backend = RecordingBackend()
        let services = AppServices(datasets: DemoDatasetProvider(), catalog: ZooModelCatalog(), backend: backend,
                                   themes: ThemeLibrary(directories: [repoThemes]))
        let app = App(services: services, options: AppOptions(task: task), colorMode: .truecolor)
        app.resize(width: width, height: height)
        return (app, backend)
    }

    func testLanguageModelWindowsShowTextTokenIdsAndTheNextToken() throws {
        let (app, _) = makeSequenceApp(.languageModeling)
        XCTAssertEqual(app.dataset.sampleKind, .text)
        XCTAssertEqual(app.modelName, "char-lstm")
        let sample = try XCTUnwrap(app.dataset.textSample(.train, 0))
        XCTAssertEqual(sample.length, 64)
        XCTAssertEqual(sample.targets.map { Array($0.dropLast()) }, Array(sample.tokens.dropFirst()), "targets are the input shifted by one")
        let c = app.draw()
        XCTAssertShows(c, "vocabulary 17 (character)")
        XCTAssertShows(c, "<pad> <unk> <bos> <eos>")
        // The list row: the text with its newlines escaped, then the ids.
        XCTAssertTrue(sample.escapedText.contains("\\n"), sample.escapedText)
        XCTAssertShows(c, String(sample.escapedText.prefix(12)))
        XCTAssertShows(c, sample.tokens.prefix(4).map(String.init).joined(separator: " "))
        // The detail of the selected window: its length and next token, the tokens over their ids.
        XCTAssertShows(c, "64 tokens · next token " + (sample.nextToken ?? "?"))
        let firstToken = TextSample.escape(sample.pieces[0]), firstId = String(sample.tokens[0])
        let row = try XCTUnwrap((0..<c.height).first { c.row($0).contains("in  " + firstToken) }, "no token row")
        XCTAssertTrue(c.row(row + 1).contains("id  " + firstId), c.row(row + 1))
        // No augmentation, split or class filter for language-modelling windows: not offered, not bound.
        XCTAssertEqual(app.helpLineEntries.pane.map(\.description).filter { ["augment", "split", "filter"].contains($0) }, [])
        app.press(.char("a"))
        XCTAssertFalse(app.datasetPane.augmentPreview)
        // Moving down selects the next window.
        app.press(.down)
        let second = try XCTUnwrap(app.dataset.textSample(.train, 1))
        XCTAssertEqual(app.datasetPane.selectedIndex, 1)
        XCTAssertShows(app.draw(), "#1")
        XCTAssertShows(app.draw(), String(second.escapedText.prefix(12)))
    }

    func testClassifiedTextsShowTheirClassLengthAndHistogram() throws {
        let (app, _) = makeSequenceApp(.sequenceClassification)
        XCTAssertEqual(app.dataset.classNames, ["correct", "wrong"])
        XCTAssertEqual(app.modelName, "lstm-classifier")
        let s = try XCTUnwrap(app.dataset.textSample(.train, 0))
        let c = app.draw()
        let name = app.dataset.classNames[try XCTUnwrap(s.label)]
        let row = try XCTUnwrap((0..<c.height).first { c.row($0).contains(s.escapedText) }, "no row with \(s.escapedText)")
        XCTAssertTrue(c.row(row).contains("L\(s.length)"), c.row(row))
        XCTAssertTrue(c.row(row).contains(name), c.row(row))
        XCTAssertShows(c, "class \(name)")
        XCTAssertTrue(app.helpLineEntries.pane.contains { $0.description == "filter" }, "labelled texts keep the class filter")
        app.press(.char("f"))
        XCTAssertEqual(app.datasetPane.classFilter, 0)
        XCTAssertTrue(app.datasetPane.indices.allSatisfy { app.dataset.label(.train, $0) == 0 })
        app.press(.char("F"))
        // The classes view still counts the classes.
        app.press(.char("v"))
        let counts = app.dataset.classCounts(.train)
        XCTAssertEqual(counts.reduce(0, +), app.dataset.count(.train))
        XCTAssertShows(app.draw(), Format.grouped(counts[0]))
    }

    func testTimeSeriesWindowsAreSparklinesWithTheirTargetsAndTheSelectedOneIsAChart() throws {
        let (app, _) = makeSequenceApp(.forecasting)
        XCTAssertEqual(app.dataset.sampleKind, .series)
        XCTAssertEqual(app.dataset.inputShape, [64, 1])
        let w = try XCTUnwrap(app.dataset.seriesWindow(.train, 0))
        XCTAssertEqual(w.values.count, 64)
        let c = app.draw()
        let target = "→ " + Format.metric(w.targets[0])
        let row = try XCTUnwrap((0..<c.height).first { c.row($0).contains(target) }, "no row with \(target)")
        let line = c.row(row)
        XCTAssertTrue(line.contains(Sparkline.text(w.values, width: 64)) || Sparkline.blocks.contains { line.contains($0) }, line)
        // Enter: the window drawn large as a braille line chart.
        app.press(.enter)
        let big = app.draw()
        XCTAssertShows(big, "#0 → " + Format.metric(w.targets[0]))
        XCTAssertTrue((0..<big.height).contains { y in big.row(y).unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } },
                      "no braille chart")
    }

    func testTheModelPaneShowsPerLayerShapesForTokenInputs() throws {
        let (app, _) = makeSequenceApp(.languageModeling)
        let d = try XCTUnwrap(app.modelDescription)
        XCTAssertNil(d.failure, "\(String(describing: d.failure))")
        XCTAssertEqual(d.inputShape, [1, 64])
        XCTAssertEqual(d.root.children.first { $0.name == "embedding" }?.outputShape, [1, 64, 64])
        XCTAssertEqual(d.root.children.first { $0.name == "head" }?.outputShape, [1, 64, 17])
        XCTAssertEqual(d.totalParameters, SequenceModelZoo.entry(named: "char-lstm")?.make(vocabularySize: 17).parameterCount)
        XCTAssertShows(app.draw(), "64×17")
        let gpt = try ZooModelCatalog().describe("gpt-mini", inputShape: [64], numClasses: 17, vocabularySize: 17)
        XCTAssertNil(gpt.failure, "\(String(describing: gpt.failure))")
        XCTAssertEqual(gpt.root.outputShape, [1, 64, 17])
        // A text classifier over the sums, and an image model on text is refused by name.
        let (cls, _) = makeSequenceApp(.sequenceClassification)
        XCTAssertEqual(cls.modelDescription?.root.outputShape, [1, 2])
        let bad = try ZooModelCatalog().describe("lenet5", inputShape: [64], numClasses: 17, vocabularySize: 17)
        XCTAssertNotNil(bad.failure)
    }

    func testChartsShowPerplexityForLanguageModelsAndAccuracyForTextClassification() {
        let (lm, _) = makeSequenceApp(.languageModeling)
        XCTAssertEqual(lm.history.metrics.first, .perplexity)
        let summary = EpochSummary(epoch: 1, train: ["loss": 2.1], validation: ["loss": 1.9, "perplexity": 6.69, "token_accuracy": 0.4],
                                   samplesPerSecond: 0, seconds: 0, lr: 0.01)
        lm.apply(SessionEvent.training(.epochEnded(summary)))
        XCTAssertShows(lm.draw(), "ppl 6.69")
        let (cls, _) = makeSequenceApp(.sequenceClassification)
        XCTAssertEqual(cls.history.metrics.first, .accuracy)
    }

    func testTextFilesAndTextFoldersOpenAsSequenceData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-seq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("pos"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("neg"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let txt = dir.appendingPathComponent("story.txt")
        try String(repeating: "the cat sat on the mat.\n", count: 20).write(to: txt, atomically: true, encoding: .utf8)
        try "good fun".write(to: dir.appendingPathComponent("pos/a.txt"), atomically: true, encoding: .utf8)
        try "bad dull".write(to: dir.appendingPathComponent("neg/b.txt"), atomically: true, encoding: .utf8)
        let provider = TensorsDatasetProvider()
        let text = try provider.openDataset(path: txt.path)
        XCTAssertEqual(text.task, .languageModeling)
        XCTAssertEqual(text.location, txt.path)
        XCTAssertEqual(text.textSample(.train, 0)?.text.hasPrefix("the cat sat"), true)
        let folder = try provider.openDataset(path: dir.path)
        XCTAssertEqual(folder.task, .sequenceClassification)
        XCTAssertEqual(folder.classNames, ["neg", "pos"])
        // Too short for one window: the dataset's own message.
        let short = dir.appendingPathComponent("short.txt")
        try "hi".write(to: short, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try provider.openDataset(path: short.path)) { e in
            XCTAssertTrue("\(e)".contains("too short"), "\(e)")
        }
        // From the command line.
        let backend = RecordingBackend()
        let app = App(services: AppServices(datasets: DemoDatasetProvider(), catalog: ZooModelCatalog(), backend: backend,
                                            themes: ThemeLibrary(directories: [repoThemes])),
                      options: AppOptions(dataPath: txt.path))
        XCTAssertEqual(app.dataset.task, .languageModeling)
        XCTAssertEqual(app.modelName, "char-lstm")
        XCTAssertEqual(backend.models, ["char-lstm"])
    }

    func testTheMenuOpensTheEmbeddedSequenceSets() {
        let (app, _) = makeSequenceApp(.languageModeling)
        app.run(.useEmbeddedDataset)
        XCTAssertEqual(app.dataset.sampleKind, .image)
        app.run(.chooseSequenceData)
        app.press(.down, .down, .enter)      // sine waves
        XCTAssertEqual(app.dataset.task, .forecasting)
        XCTAssertEqual(app.modelName, "lstm-forecaster")
        XCTAssertEqual(app.modelDescription?.failure, nil)
        // The last choice asks for a text file; a bad one is refused in the prompt and the data stay.
        let txt = FileManager.default.temporaryDirectory.appendingPathComponent("wb-menu-\(UUID().uuidString).txt")
        try? String(repeating: "abc def\n", count: 40).write(to: txt, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: txt) }
        app.run(.chooseSequenceData)
        app.press(.down, .down, .down, .enter)
        guard case .prompt(let p)? = app.overlay else { return XCTFail("no prompt for a text file") }
        XCTAssertEqual(p.purpose, .openDataset)
        app.press(.ctrl("u"))
        app.type("/nonexistent/story.txt")
        app.press(.enter)
        guard case .prompt(let refused)? = app.overlay else { return XCTFail("the prompt closed on a missing file") }
        XCTAssertTrue(refused.error?.contains("no such file") == true, refused.error ?? "")
        XCTAssertEqual(app.dataset.task, .forecasting)
        app.press(.ctrl("u"))
        app.type(txt.path)
        app.press(.enter)
        XCTAssertNil(app.overlay)
        XCTAssertEqual(app.dataset.task, .languageModeling)
        XCTAssertEqual(app.dataset.vocabulary?.size, Vocabulary.specials.count + 8)   // a b c d e f, space, newline
        XCTAssertEqual(app.modelName, "char-lstm")
    }

    func testACSVColumnOpensAsForecastingWindows() throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("wb-series-\(UUID().uuidString).csv")
        try ("day,temp\n" + (0..<200).map { "\($0),\(Double($0 % 24) * 0.5)" }.joined(separator: "\n") + "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: csv) }
        let d = try TensorsDatasetProvider().openCSV(path: csv.path, target: "temp", task: .forecasting)
        XCTAssertEqual(d.sampleKind, .series)
        XCTAssertEqual(d.count(.train), 200 - 64)
        XCTAssertEqual(d.seriesWindow(.train, 0)?.values.count, 64)
        XCTAssertThrowsError(try TensorsDatasetProvider().openCSV(path: csv.path, target: "nope", task: .forecasting)) { e in
            XCTAssertTrue("\(e)".contains("column 'nope' not found"), "\(e)")
        }
    }
}
