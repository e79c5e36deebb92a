import Foundation
import XCTest
@testable import Tensors

/// Sequence classification and forecasting through `TrainingSetup`, as
/// `workbench train --task sequence-classification | forecasting` runs them.
final class SequenceTasksTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-seqtasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func run(_ c: TrainingConfig) throws -> (TrainingSetup, TrainingEngine) {
        let setup = try TrainingSetup(config: c)
        let engine = setup.makeEngine()
        engine.start()
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .finished)
        return (setup, engine)
    }

    func testTextClassificationFromACSVTextColumnLearns() throws {
        // Two classes told apart by their words; lengths vary so padding and lengths matter.
        var rows = ["label,review"]
        let g = Generator(seed: 4)
        for i in 0..<80 {
            let good = i % 2 == 0
            let words = (0..<(2 + g.nextInt(below: 4))).map { _ in good ? ["great", "fine", "lovely"][g.nextInt(below: 3)] : ["awful", "bad", "dull"][g.nextInt(below: 3)] }
            rows.append("\(good ? "pos" : "neg"),\(words.joined(separator: " "))")
        }
        let csv = dir.appendingPathComponent("reviews.csv")
        try rows.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        var c = TrainingConfig()
        c.task = .sequenceClassification
        c.model = TrainingConfig.defaultModel(dataPath: csv.path, task: c.task)
        XCTAssertEqual(c.model, "lstm-classifier")
        c.dataPath = csv.path
        c.textColumn = "review"
        c.epochs = 3
        c.batchSize = 16
        c.optimizer = .adam
        c.lr = 0.01
        c.numWorkers = 0
        let (setup, engine) = try run(c)
        XCTAssertEqual(setup.classes, ["neg", "pos"])
        XCTAssertEqual(setup.task.kind, .sequenceClassification)
        XCTAssertNotNil(setup.tokenizer)
        XCTAssertTrue(setup.datasetSummary.contains("64 train / 16 val"), setup.datasetSummary)
        let last = try XCTUnwrap(engine.history.epochs.last?.validation)
        XCTAssertGreaterThan(last["accuracy"] ?? 0, 0.9, "\(engine.history.epochs)")

        c.textColumn = "body"
        XCTAssertThrowsError(try TrainingSetup(config: c)) { XCTAssertTrue("\($0)".contains("'body'"), "\($0)") }
        c.textColumn = "review"
        c.model = "lenet5"
        XCTAssertThrowsError(try TrainingSetup(config: c)) {
            XCTAssertEqual("\($0)", "lenet5 is not a text classifier; use one of: lstm-classifier, transformer-classifier")
        }
    }

    func testEmbeddedSumsClassifyThroughTheTransformerToo() throws {
        var c = TrainingConfig()
        c.task = .sequenceClassification
        c.model = "transformer-classifier"
        c.epochs = 1
        c.limit = 64
        c.batchSize = 16
        c.numWorkers = 0
        let (setup, engine) = try run(c)
        XCTAssertEqual(setup.classes, ["correct", "wrong"])
        XCTAssertTrue(setup.datasetSummary.hasPrefix("arithmetic sums right or wrong (embedded)"), setup.datasetSummary)
        XCTAssertNotNil(engine.history.epochs.first?.validation?["accuracy"])
    }

    /// Every embedded equation's label says whether its sum is right (issue 11 asked
    /// whether the task was learnable as generated).
    func testEmbeddedSumsAreLabelledByTheirArithmetic() throws {
        let set = try ArithmeticCorpus.classificationDataset()
        XCTAssertEqual(set.classes, ["correct", "wrong"])
        for (text, label) in zip(set.texts, set.targets) {
            let parts = text.split(whereSeparator: { $0 == "+" || $0 == "=" }).compactMap { Int($0) }
            XCTAssertEqual(parts.count, 3, text)
            XCTAssertTrue(parts.allSatisfy { $0 >= 0 }, text)
            XCTAssertEqual(parts[0] + parts[1] == parts[2], label == 0, "\(text) labelled \(set.classes[label])")
        }
        XCTAssertThrowsError(try ArithmeticCorpus.classificationDataset(maxError: 0))
    }

    /// The README's recipe, shortened: the default BiLSTM on the embedded sums,
    /// Adam 0.003, batch 32, 4 epochs (200 steps). The two-digit sums it used
    /// to generate stayed at chance (0.48–0.54) in PyTorch too; these must be
    /// learnt well above the 0.5 of chance.
    func testEmbeddedSumsAreLearntWellAboveChance() throws {
        var c = TrainingConfig()
        c.task = .sequenceClassification
        c.model = TrainingConfig.defaultModel(dataPath: nil, task: c.task)
        c.epochs = 4
        c.batchSize = 32
        c.optimizer = .adam
        c.lr = 0.003
        c.numWorkers = 0
        let (setup, engine) = try run(c)
        XCTAssertTrue(setup.datasetSummary.contains("1600 train / 400 val"), setup.datasetSummary)
        let accuracy = try XCTUnwrap(engine.history.epochs.last?.validation?["accuracy"])
        XCTAssertGreaterThan(accuracy, 0.75, "\(engine.history.epochs.map { $0.validation ?? [:] })")
    }

    func testForecastingASeriesBeatsPredictingTheMean() throws {
        // A CSV column: a noiseless sine, period 12.
        let values = (0..<300).map { t in Foundation.sin(2 * Double.pi * Double(t) / 12) }
        let csv = dir.appendingPathComponent("series.csv")
        try (["t,value"] + values.enumerated().map { "\($0.offset),\($0.element)" }).joined(separator: "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        var c = TrainingConfig()
        c.task = .forecasting
        c.model = TrainingConfig.defaultModel(dataPath: csv.path, task: c.task)
        c.dataPath = csv.path
        c.target = "value"
        c.sequenceLength = 12
        c.epochs = 4
        c.batchSize = 16
        c.optimizer = .adam
        c.lr = 0.01
        c.numWorkers = 0
        let (setup, engine) = try run(c)
        XCTAssertEqual(setup.task.kind, .forecasting)
        XCTAssertEqual(setup.inputShape, [12, 1])
        XCTAssertTrue(setup.datasetSummary.contains("231 train / 57 val (the last windows)"), setup.datasetSummary)
        // Standardised targets: predicting the mean scores an MSE of about 1.
        let val = try XCTUnwrap(engine.history.epochs.last?.validation)
        XCTAssertLessThan(val["loss"] ?? 1, 0.3, "\(engine.history.epochs)")
        XCTAssertNotNil(val["r2"])

        c.target = nil
        XCTAssertThrowsError(try TrainingSetup(config: c)) {
            XCTAssertEqual("\($0)", "forecasting on \(csv.path) needs the column of the series (--target COLUMN)")
        }
        // Without data: the embedded sine waves.
        var e = TrainingConfig()
        e.task = .forecasting
        e.model = "lstm-forecaster"
        e.sequenceLength = 16
        let embedded = try TrainingSetup(config: e)
        XCTAssertTrue(embedded.datasetSummary.hasPrefix("sine waves (embedded): 2000 values"), embedded.datasetSummary)
    }
}
