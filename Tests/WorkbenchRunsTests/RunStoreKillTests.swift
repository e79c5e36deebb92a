import Foundation
import XCTest
@testable import WorkbenchRuns

/// kill -9 of a real `workbench train` mid-run: the store stays consistent and the run
/// is marked interrupted on the next open.
final class RunStoreKillTests: XCTestCase {
    static var repo: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The built binary (debug from `swift build --build-tests`, else release).
    static func binary() throws -> String {
        for c in ["debug", "release"] {
            let p = repo + "/.build/\(c)/workbench"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw XCTSkip("no workbench binary under \(repo)/.build; run `swift build` first")
    }

    func testKillNineMidRunLeavesAConsistentStoreWithTheRunInterrupted() throws {
        let bin = try Self.binary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runs-kill-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("runs.sqlite").path

        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["train", "--runs", db, "--epochs", "100000", "--limit", "64", "--workers", "0", "--model", "simplenet"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        // The child's stderr is kept: if it ends early, the failure says why.
        let errPath = dir.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errPath.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: errPath)
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }

        // Watch the run from this process (a reader beside the child's writer) until a few batches are in.
        var runId: String?
        var seen = 0
        for _ in 0..<600 where seen < 40 {
            usleep(100_000)
            guard FileManager.default.fileExists(atPath: db), let store = try? RunStore(path: db, markInterrupted: false),
                  let run = try? store.runs().first else { continue }
            XCTAssertEqual(run.status, .running)
            runId = run.id
            seen = (try? store.stepCount(run.id)) ?? 0
        }
        let childErr = { (try? String(contentsOf: errPath, encoding: .utf8)).map { String($0.suffix(2000)) } ?? "" }
        XCTAssertTrue(p.isRunning, "the training process ended before it was killed (status \(p.isRunning ? 0 : p.terminationStatus)): \(childErr())")
        let id = try XCTUnwrap(runId, "the child never recorded a run: \(childErr())")
        XCTAssertGreaterThanOrEqual(seen, 40)

        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)

        let store = try RunStore(path: db)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let run = try store.resolve(id)
        XCTAssertEqual(run.status, .interrupted)
        XCTAssertTrue(run.message?.contains("pid \(p.processIdentifier)") == true, run.message ?? "")
        let steps = try store.steps(id)
        XCTAssertGreaterThanOrEqual(steps.count, seen)
        XCTAssertEqual(steps.map(\.step), Array(1...steps.count), "steps are whole batches with no gaps")
        XCTAssertNotNil(run.endedAt)
    }
}
