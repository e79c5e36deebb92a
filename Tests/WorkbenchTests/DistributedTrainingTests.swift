import Foundation
import Tensors
import XCTest

/// Data-parallel training over MPI, end to end: `mpirun -np 2 --oversubscribe`
/// on the built workbench binary (its hidden `ddp-check` subcommand and
/// `train --distributed`).
///
/// The equivalence claim: 2 ranks with batch B each take the same steps as
/// 1 process with batch 2B over the same data order (the DistributedSampler
/// permutation) and seed. Tolerance: every final parameter and buffer within
/// 1e-4 + 1e-3·|value| of the one-process run, per-step losses within 1e-4;
/// float sums in a different order are the only difference. Both ranks must
/// hold bit-identical parameters after every step. Skips when mpirun or the
/// binary is missing (`make test` installs Open MPI and builds the binary).
final class DistributedTrainingTests: XCTestCase {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The release binary `make test` builds, else a debug one.
    static var binary: String? {
        ["release", "debug"].map { repo + "/.build/\($0)/workbench" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var mpirun: String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .map { $0 + "/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("wb-ddp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Runs `args` (mpirun with `ranks`, or the binary alone for nil); returns the exit code and output.
    private func run(_ args: [String], ranks: Int?, timeout: Double = 120) throws -> (code: Int32, output: String) {
        guard let binary = Self.binary else { throw XCTSkip("no workbench binary under .build; `make test` builds it") }
        let p = Process()
        if let ranks {
            guard let mpirun = Self.mpirun else { throw XCTSkip("mpirun is not on PATH; `make deps` installs openmpi-bin") }
            p.executableURL = URL(fileURLWithPath: mpirun)
            p.arguments = ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none", binary] + args
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_btl"] = "self,vader,tcp"  // no InfiniBand probing in containers
        env["OMPI_MCA_plm_rsh_agent"] = ""       // never ssh: one host
        p.environment = env
        p.currentDirectoryURL = work
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let timer = DispatchWorkItem { p.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func check(_ model: String, batch: Int, steps: Int) throws -> (two: [String: Any], one: [String: Any]) {
        let a = work.appendingPathComponent("\(model)-2.json").path, b = work.appendingPathComponent("\(model)-1.json").path
        let two = try run(["ddp-check", "--model", model, "--batch-size", "\(batch)", "--steps", "\(steps)", "--out", a], ranks: 2)
        XCTAssertEqual(two.code, 0, two.output)
        let one = try run(["ddp-check", "--model", model, "--batch-size", "\(2 * batch)", "--steps", "\(steps)", "--out", b], ranks: nil)
        XCTAssertEqual(one.code, 0, one.output)
        func load(_ path: String) throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
            return try XCTUnwrap(object as? [String: Any])
        }
        return (try load(a), try load(b))
    }

    private func assertEquivalent(_ r: (two: [String: Any], one: [String: Any]), steps: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.two["world"] as? Int, 2, file: file, line: line)
        XCTAssertEqual(r.one["world"] as? Int, 1, file: file, line: line)
        XCTAssertEqual(r.two["steps"] as? Int, steps, file: file, line: line)
        XCTAssertEqual(r.two["maxRankDifference"] as? Double, 0, "ranks must hold identical parameters after every step", file: file, line: line)
        let p2 = r.two["parameters"] as? [Double] ?? [], p1 = r.one["parameters"] as? [Double] ?? []
        XCTAssertEqual(p2.count, p1.count, file: file, line: line)
        XCTAssertFalse(p1.isEmpty, file: file, line: line)
        var worst = 0.0
        for (x, y) in zip(p2, p1) { worst = max(worst, abs(x - y) - 1e-3 * abs(y)) }
        XCTAssertLessThanOrEqual(worst, 1e-4, "final parameters: 2 ranks × B vs 1 process × 2B", file: file, line: line)
        let l2 = r.two["losses"] as? [Double] ?? [], l1 = r.one["losses"] as? [Double] ?? []
        XCTAssertEqual(l2.count, l1.count, file: file, line: line)
        for (x, y) in zip(l2, l1) { XCTAssertEqual(x, y, accuracy: 1e-4, "averaged step loss", file: file, line: line) }
        // Test metrics reduced over the ranks' shards equal the one-process pass.
        XCTAssertEqual(r.two["testSamples"] as? Int, r.one["testSamples"] as? Int, file: file, line: line)
        XCTAssertEqual(r.two["testLoss"] as? Double ?? .nan, r.one["testLoss"] as? Double ?? 0, accuracy: 1e-4, file: file, line: line)
        XCTAssertEqual(r.two["testAccuracy"] as? Double ?? .nan, r.one["testAccuracy"] as? Double ?? 0, accuracy: 1e-9, file: file, line: line)
    }

    func testTwoRanksEqualOneProcessWithTwiceTheBatchLeNet5() throws {
        assertEquivalent(try check("lenet5", batch: 8, steps: 4), steps: 4)
    }

    func testTwoRanksEqualOneProcessWithTwiceTheBatchSyncBatchNorm() throws {
        assertEquivalent(try check("bn", batch: 8, steps: 4), steps: 4)
    }

    func testTrainDistributedPrintsOnceAndWritesCheckpointsFromRankZero() throws {
        let ck = work.appendingPathComponent("ck.safetensors").path
        let args = ["train", "--distributed", "--limit", "64", "--epochs", "1", "--batch-size", "8", "--workers", "0",
                    "--no-record", "--checkpoint", ck]
        let r = try run(args, ranks: 2)
        XCTAssertEqual(r.code, 0, r.output)
        XCTAssertEqual(r.output.components(separatedBy: "Epoch: 1 ").count - 1, 1, r.output)
        XCTAssertTrue(r.output.contains("distributed: 2 ranks"), r.output)
        XCTAssertTrue(r.output.contains("Test Accuracy:"), r.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ck))
        // Resume: both ranks load the checkpoint and continue with epoch 2.
        let resumed = try run(args.map { $0 == "1" ? "2" : $0 } + ["--resume", ck], ranks: 2)
        XCTAssertEqual(resumed.code, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("Epoch: 2 "), resumed.output)
        XCTAssertFalse(resumed.output.contains("Epoch: 1 "), resumed.output)
    }

    /// A distributed run resumed from a checkpoint ends with weights
    /// bit-identical to the uninterrupted run's: each rank resumes its own
    /// augmentation stream (the mid-epoch position itself is covered in one
    /// process by ExactResumeTests).
    func testDistributedResumeWithAugmentationIsBitIdenticalToTheUninterruptedRun() throws {
        let base = ["train", "--distributed", "--limit", "96", "--batch-size", "8", "--workers", "0", "--no-record",
                    "--augment", "--seed", "5"]
        let whole = work.appendingPathComponent("whole.safetensors").path
        let straight = try run(base + ["--epochs", "2", "--save", whole], ranks: 2)
        XCTAssertEqual(straight.code, 0, straight.output)

        // Epoch boundary: 1 epoch, then resume to 2.
        let ck = work.appendingPathComponent("ck.safetensors").path
        let first = try run(base + ["--epochs", "1", "--checkpoint", ck], ranks: 2)
        XCTAssertEqual(first.code, 0, first.output)
        let stored = try Checkpoint.load(from: URL(fileURLWithPath: ck))
        XCTAssertEqual(stored.rngState.count, 28, "14 random-state words for each of the 2 ranks")
        XCTAssertNotEqual(Array(stored.rngState[0..<7]), Array(stored.rngState[14..<21]), "each rank has its own data stream")
        let resumed = work.appendingPathComponent("resumed.safetensors").path
        let second = try run(base + ["--epochs", "2", "--resume", ck, "--save", resumed], ranks: 2)
        XCTAssertEqual(second.code, 0, second.output)
        try assertSameWeights(whole, resumed, "resumed at the epoch boundary")

    }

    private func assertSameWeights(_ a: String, _ b: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try Safetensors.load(from: URL(fileURLWithPath: a)).tensors
        let y = try Safetensors.load(from: URL(fileURLWithPath: b)).tensors
        XCTAssertEqual(x.map(\.0), y.map(\.0), what, file: file, line: line)
        for ((name, s), (_, t)) in zip(x, y) {
            XCTAssertEqual(s.toArray(), t.toArray(), "\(name) differs (\(what))", file: file, line: line)
        }
    }

    func testDistributedWithoutMpirunExplainsHowToLaunch() throws {
        let r = try run(["train", "--distributed", "--epochs", "1"], ranks: nil)
        XCTAssertNotEqual(r.code, 0)
        XCTAssertTrue(r.output.contains("mpirun -np 2 workbench train --distributed"), r.output)
    }

    func testAFailingRankEndsTheJobWithItsMessage() throws {
        let out = work.appendingPathComponent("fail.json").path
        let r = try run(["ddp-check", "--steps", "4", "--fail-rank", "1", "--fail-step", "2", "--out", out], ranks: 2, timeout: 60)
        XCTAssertNotEqual(r.code, 0)
        XCTAssertTrue(r.output.contains("rank 1 of 2"), r.output)
        XCTAssertTrue(r.output.contains("fails at step 2"), r.output)
    }

    func testAStalledRankTimesOutTheCollectiveInsteadOfHanging() throws {
        let out = work.appendingPathComponent("stall.json").path
        let r = try run(["ddp-check", "--steps", "4", "--stall-rank", "1", "--fail-step", "2", "--collective-timeout", "3",
                         "--out", out], ranks: 2, timeout: 60)
        XCTAssertNotEqual(r.code, 0)
        XCTAssertTrue(r.output.contains("did not complete within 3 s"), r.output)
        XCTAssertTrue(r.output.contains("rank 0 of 2"), r.output)
    }
}
