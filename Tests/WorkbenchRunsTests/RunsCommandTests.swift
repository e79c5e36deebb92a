import Foundation
import XCTest
@testable import WorkbenchRuns

/// `workbench train` records, `runs list|show|compare|export|rm`, `sweep`, `lr-find`, run as a user runs them.
final class RunsCommandTests: XCTestCase {
    func run(_ args: [String], in dir: URL, env: [String: String] = [:]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try RunStoreKillTests.binary())
        p.arguments = args
        p.currentDirectoryURL = dir
        var e = ProcessInfo.processInfo.environment
        e.removeValue(forKey: "WORKBENCH_RUNS")
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func testTrainRecordsAndTheRunsCommandsReadTheStore() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runs-cli-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let small = ["--epochs", "1", "--limit", "64", "--workers", "0"]

        // Default store ./workbench-runs.sqlite; $WORKBENCH_RUNS; --no-record.
        var r = try run(["train", "--lr", "0.01", "--save", "w.safetensors"] + small, in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("workbench-runs.sqlite").path))
        r = try run(["train", "--lr", "0.05", "--tensorboard", "tb"] + small, in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        r = try run(["train", "--no-record"] + small, in: dir, env: ["WORKBENCH_RUNS": dir.appendingPathComponent("other.sqlite").path])
        XCTAssertFalse(r.out.contains("Recording run"), r.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("other.sqlite").path))

        let store = try RunStore(path: dir.appendingPathComponent("workbench-runs.sqlite").path)
        let runs = try store.runs()
        XCTAssertEqual(runs.count, 2)
        let slow = try XCTUnwrap(runs.first { $0.trainingConfig?.lr == 0.01 })
        let fast = try XCTUnwrap(runs.first { $0.trainingConfig?.lr == 0.05 })
        XCTAssertEqual(try store.artifacts(slow.id).map(\.kind), ["weights"])
        let tb = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tb/\(fast.id)").path)
        XCTAssertEqual(tb.count, 1)
        XCTAssertTrue(tb[0].hasPrefix("events.out.tfevents."), "\(tb)")

        r = try run(["runs", "list"], in: dir)
        XCTAssertTrue(r.out.contains(slow.id) && r.out.contains(fast.id), r.out)
        r = try run(["runs", "show", String(slow.id.prefix(5))], in: dir)
        XCTAssertTrue(r.out.contains("lr = 0.01"), r.out)
        XCTAssertTrue(r.out.contains("weights: ") && r.out.contains("sha256"), r.out)
        r = try run(["runs", "compare", "--diff", slow.id, fast.id], in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertTrue(r.out.contains("* lr"), r.out)
        XCTAssertTrue(r.out.contains("best (val loss): "), r.out)
        r = try run(["runs", "export", "--format", "json", "-o", "all.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("all.json"))) as? [String: Any]
        XCTAssertEqual((json?["runs"] as? [Any])?.count, 2)
        r = try run(["runs", "export", "--format", "xml"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("--format xml: expected csv, json or tensorboard"), r.out)
        r = try run(["runs", "show", "nope"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("no run 'nope'"), r.out)
        r = try run(["runs", "rm", fast.id], in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertEqual(try store.runs().map(\.id), [slow.id])
    }

    func testSweepAndLRFindRecordTheirRunsAndPrintTheBest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runs-sweep-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("s.sqlite").path
        var r = try run(["sweep", "--runs", db, "--grid", "lr=1e-3,3e-2", "batch=16,32", "--epochs", "1", "--limit", "64", "--workers", "0"], in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertTrue(r.out.contains("[4/4]"), r.out)
        XCTAssertTrue(r.out.contains("Best (val loss): "), r.out)
        let store = try RunStore(path: db)
        let runs = try store.runs()
        XCTAssertEqual(runs.count, 4)
        XCTAssertEqual(Set(runs.map(\.source)), ["sweep"])
        XCTAssertEqual(Set(runs.map(\.tags)).count, 1)
        XCTAssertEqual(Set(runs.compactMap { $0.trainingConfig.map { "\($0.lr)/\($0.batchSize)" } }),
                       ["0.001/16", "0.001/32", "0.03/16", "0.03/32"])

        r = try run(["sweep", "--runs", db, "--grid", "lr=1e-3,-1", "--limit", "64"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("learning rate must be a positive number"), r.out)
        XCTAssertEqual(try store.runs().count, 4, "a bad trial is found before any trial trains")

        r = try run(["lr-find", "--runs", db, "--steps", "30", "--limit", "256", "--workers", "0", "--csv", "lr.csv"], in: dir)
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertTrue(r.out.contains("lr (log)"), r.out)
        XCTAssertTrue(r.out.contains("Suggested lr: ") || r.out.contains("No suggestion"), r.out)
        let csv = try String(contentsOf: dir.appendingPathComponent("lr.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "step,lr,loss,smoothed")
        XCTAssertEqual(csv.count, 31)
        XCTAssertEqual(try store.runs().first?.source, "lr-find")
    }
}
