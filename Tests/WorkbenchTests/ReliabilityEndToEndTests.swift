import Foundation
import XCTest

/// The reliability commands as a user runs them: resuming a finished run
/// says so and exits, checkpointing every few steps leaves the run unchanged,
/// and `workbench verify` tells complete files from torn ones and leftover
/// temporary files. (Resuming from mid-epoch checkpoints through the CLI is
/// `scripts/kill9.sh`'s check; the exactness matrix is `ExactResumeTests`.)
///
/// Runs the newest of `.build/debug/workbench` and `.build/release/workbench`; skips without one.
final class ReliabilityEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reliability-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func run(_ args: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try WorkbenchBinary.path())
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["WORKBENCH_HOME"] = dir.appendingPathComponent("home").path
        p.environment = env
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self))
    }

    private let train = ["train", "--limit", "32", "--batch-size", "8", "--workers", "0", "--no-record", "--seed", "4"]

    func testResumingAFinishedRunSaysSoAndExits() throws {
        let first = try run(train + ["--epochs", "2", "--checkpoint", "ck.safetensors"])
        XCTAssertEqual(first.status, 0, first.out)
        for n in ["2", "1"] {
            let again = try run(train + ["--epochs", n, "--resume", "ck.safetensors"])
            XCTAssertEqual(again.status, 0, again.out)
            XCTAssertTrue(again.out.contains("ck.safetensors: the run is already complete: the checkpoint holds 2 finished epochs "
                                             + "and --epochs \(n) asks for no more"), again.out)
            XCTAssertTrue(again.out.contains("pass a larger total, e.g. --epochs 7"), again.out)
            XCTAssertFalse(again.out.contains("Epoch:"), again.out)
        }
        let bad = try run(train + ["--epochs", "2", "--checkpoint-every", "0", "--checkpoint", "x"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.out.contains("--checkpoint-every 0: expected a positive number of steps"), bad.out)
    }

    func testCheckpointingEveryFewStepsDoesNotChangeTheRun() throws {
        // 26 training images in batches of 8: 4 steps per epoch; every 3 steps lands mid-epoch.
        let full = try run(train + ["--epochs", "2", "--save", "full.safetensors"])
        XCTAssertEqual(full.status, 0, full.out)
        let saving = try run(train + ["--epochs", "2", "--checkpoint", "ck.safetensors", "--checkpoint-every", "3", "--save", "again.safetensors"])
        XCTAssertEqual(saving.status, 0, saving.out)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.appendingPathComponent("again.safetensors").path),
                       FileManager.default.contents(atPath: dir.appendingPathComponent("full.safetensors").path))
        let v = try run(["verify", "ck.safetensors"])
        XCTAssertTrue(v.out.contains("ck.safetensors: ok (checkpoint at 2 epochs"), v.out)
    }

    func testVerifyTellsCompleteFilesFromTornOnes() throws {
        let r = try run(train + ["--epochs", "1", "--checkpoint", "ck.safetensors", "--save", "w.safetensors", "--metrics", "m.csv"])
        XCTAssertEqual(r.status, 0, r.out)
        let ok = try run(["verify", "ck.safetensors", "w.safetensors", "m.csv"])
        XCTAssertEqual(ok.status, 0, ok.out)
        XCTAssertTrue(ok.out.contains("ck.safetensors: ok (checkpoint at 1 epochs"), ok.out)
        XCTAssertTrue(ok.out.contains("w.safetensors: ok (safetensors,"), ok.out)
        XCTAssertTrue(ok.out.contains("m.csv: ok (CSV, 1 rows)"), ok.out)

        let w = dir.appendingPathComponent("w.safetensors")
        let bytes = try Data(contentsOf: w)
        try bytes.prefix(bytes.count - 100).write(to: dir.appendingPathComponent("torn.safetensors"))
        try Data("epoch,train_loss\n1,0.5\n2,0.".utf8).write(to: dir.appendingPathComponent("torn.csv"))
        FileManager.default.createFile(atPath: dir.appendingPathComponent(".w.safetensors.tmp-1-ab").path, contents: Data([1]))
        let torn = try run(["verify", "."])
        XCTAssertEqual(torn.status, 1, torn.out)
        XCTAssertTrue(torn.out.contains("torn.safetensors: damaged:"), torn.out)
        XCTAssertTrue(torn.out.contains("torn.csv: damaged: the last line is incomplete"), torn.out)
        XCTAssertTrue(torn.out.contains(".w.safetensors.tmp-1-ab: damaged: temporary file of an interrupted write"), torn.out)
        XCTAssertTrue(torn.out.contains("3 damaged or leftover files"), torn.out)
    }
}
