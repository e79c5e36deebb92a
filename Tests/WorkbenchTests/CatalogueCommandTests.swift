import Foundation
import Tensors
import XCTest

/// `workbench models catalogue` and `workbench train --scheduler` as a user
/// runs them (the newest built binary; skips without one).
final class CatalogueCommandTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("catalogue-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func workbench(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try DeployEndToEndTests.run(args, home: dir.appendingPathComponent("home"), in: dir)
    }

    func testCatalogueListsEveryFamilyAndEveryNameExists() throws {
        let r = try workbench(["models", "catalogue", "--width", "90"])
        XCTAssertEqual(r.status, 0, r.err)
        for f in Catalogue.families { XCTAssertTrue(r.out.contains(f.title), "\(f.title) missing:\n\(r.out)") }
        XCTAssertTrue(r.out.contains("Table 3-8  Normalization layers  (10/10)"), r.out)
        XCTAssertTrue(r.out.contains("✓ CosineAnnealingWarmRestarts"))
        XCTAssertFalse(r.out.replacingOccurrences(of: "· missing", with: "").contains("· "), "a name is missing:\n\(r.out)")
        let total = Catalogue.families.map { $0.names.count }.reduce(0, +)
        XCTAssertTrue(r.out.contains("\(total) of \(total) names exist"), r.out)
        for line in r.out.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 90, String(line)) }

        let losses = try workbench(["models", "catalogue", "--family", "losses"])
        XCTAssertEqual(losses.status, 0, losses.err)
        XCTAssertTrue(losses.out.hasPrefix("Table 3-14  Loss functions  (21/21)"), losses.out)
        XCTAssertFalse(losses.out.contains("Optimizers"))
        let bad = try workbench(["models", "catalogue", "--family", "nope"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("--family nope: expected one of containers, linear"), bad.err)
    }

    func testModelsShowAndListTheSequenceZoo() throws {
        let list = try workbench(["models"])
        XCTAssertEqual(list.status, 0, list.err)
        for name in SequenceModelZoo.names { XCTAssertTrue(list.out.contains(name), "\(name) not listed:\n\(list.out)") }
        let show = try workbench(["models", "show", "lstm-forecaster", "--shapes"])
        XCTAssertEqual(show.status, 0, show.err)
        XCTAssertTrue(show.out.hasPrefix("LSTMForecaster(\n  (lstm): LSTM(1, 64, batch_first=True)"), show.out)
        XCTAssertTrue(show.out.contains("Total parameters: 17,217"), show.out)
        XCTAssertTrue(show.out.contains("[1, 48, 64] [1, 1, 64] [1, 1, 64]"), show.out)
        let lm = try workbench(["models", "show", "char-lstm"])
        XCTAssertTrue(lm.out.contains("Input: token ids 1x32"), lm.out)
    }

    func testTrainWithASchedulerPrintsItsLearningRates() throws {
        let args = ["train", "--epochs", "2", "--limit", "40", "--batch-size", "8", "--workers", "0", "--no-record",
                    "--no-augment", "--lr", "0.001"]
        let r = try workbench(args + ["--scheduler", "steplr", "--scheduler-args", "step_size=1,gamma=0.5"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("scheduler StepLR(step_size=1, gamma=0.5)"), r.out)
        let epochs = r.out.split(separator: "\n").filter { $0.hasPrefix("Epoch:") }
        XCTAssertEqual(epochs.count, 2, r.out)
        XCTAssertTrue(epochs.first?.hasSuffix("lr 0.001") ?? false, r.out)
        XCTAssertTrue(epochs.last?.hasSuffix("lr 0.0005") ?? false, r.out)

        let missing = try workbench(args + ["--scheduler", "steplr"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("--scheduler steplr: StepLR needs the argument step_size"), missing.err)
        let unknown = try workbench(args + ["--scheduler", "warp"])
        XCTAssertTrue(unknown.err.contains("unknown scheduler 'warp'"), unknown.err)
        let orphan = try workbench(args + ["--scheduler-args", "gamma=0.5"])
        XCTAssertTrue(orphan.err.contains("--scheduler-args needs --scheduler NAME"), orphan.err)
    }
}
