import Foundation
import XCTest
@testable import WorkbenchRuns

/// TensorBoard event files, read back by TensorBoard's own `EventAccumulator`.
///
/// The Python side: `$WORKBENCH_TENSORBOARD_PYTHON`, else a venv at
/// `.build/tensorboard-venv` that this test creates with `tensorboard` from PyPI;
/// skipped only when PyPI cannot be reached.
final class TensorBoardTests: XCTestCase {
    func testCRC32CMatchesTheKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
    }

    func testProtobufWireFormat() {
        var w = ProtobufWriter()
        w.int64(2, 300)          // key 0x10, varint 300 = ac 02
        w.string(1, "hi")
        w.int64(2, -1)
        XCTAssertEqual(w.bytes, [0x10, 0xAC, 0x02, 0x0A, 0x02, 0x68, 0x69,
                                 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    static var repo: String { RunStoreKillTests.repo }

    /// A Python that imports tensorboard, making the venv if needed; nil when PyPI cannot be reached.
    static func python() throws -> String? {
        if let p = ProcessInfo.processInfo.environment["WORKBENCH_TENSORBOARD_PYTHON"], !p.isEmpty { return p }
        let venv = repo + "/.build/tensorboard-venv"
        let py = venv + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: py), run(py, ["-c", "import tensorboard"]).status == 0 { return py }
        guard run("/usr/bin/env", ["python3", "-m", "venv", venv]).status == 0 else {
            XCTFail("python3 -m venv \(venv) failed")
            return nil
        }
        let pip = run(py, ["-m", "pip", "install", "--quiet", "tensorboard"])
        if pip.status != 0 {
            if pip.output.contains("Could not find a version") || pip.output.contains("NewConnectionError")
                || pip.output.contains("Temporary failure") || pip.output.contains("No matching distribution") {
                return nil
            }
            XCTFail("pip install tensorboard failed: \(pip.output.suffix(400))")
            return nil
        }
        return py
    }

    static func run(_ exe: String, _ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        do { try p.run() } catch { return (-1, "\(error)") }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func testTensorBoardReadsTheExportedScalars() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(getpid())-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try RunStore(path: dir.appendingPathComponent("runs.sqlite").path)
        let r = try RunRecorder(store: store, config: RunStoreTests.smallConfig(), task: "classification", source: "test")
        for i in 1...30 {
            r.record(.step(.init(epoch: 1 + (i - 1) / 10, step: 1 + (i - 1) % 10, stepsPerEpoch: 10, globalStep: i,
                                 loss: 3.0 / Double(i), lr: 0.01, samplesPerSecond: 1)))
            if i % 10 == 0 {
                r.record(.epochEnded(.init(epoch: i / 10, train: ["loss": 3.0 / Double(i), "accuracy": Double(i) / 40],
                                           validation: ["loss": 2.0 / Double(i)], samplesPerSecond: 1, seconds: 1, lr: 0.01)))
            }
        }
        r.record(.evaluated(.init(split: "test", loss: 0.25, metrics: ["accuracy": 0.75], samples: 10)))
        r.record(.stateChanged(.finished))
        r.close()
        let out = dir.appendingPathComponent("tb")
        let files = try RunExporter(store: store).tensorboard([try store.resolve(r.runId)], to: out)
        XCTAssertEqual(files.count, 1)
        XCTAssertEqual(files[0].deletingLastPathComponent().lastPathComponent, r.runId)
        XCTAssertTrue(files[0].lastPathComponent.hasPrefix("events.out.tfevents."))

        guard let py = try Self.python() else { throw XCTSkip("PyPI cannot be reached to install tensorboard") }
        let script = """
            import sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            ea = EventAccumulator(sys.argv[1]); ea.Reload()
            for tag in sorted(ea.Tags()['scalars']):
                ev = ea.Scalars(tag)
                print(tag, len(ev), ev[0].step, '%.6f' % ev[0].value, ev[-1].step, '%.6f' % ev[-1].value)
            """
        let res = Self.run(py, ["-c", script, files[0].deletingLastPathComponent().path])
        XCTAssertEqual(res.status, 0, res.output)
        let lines = res.output.split(separator: "\n").filter { !$0.hasPrefix("WARNING") && !$0.contains("Warning") }
        XCTAssertEqual(lines, [
            "epoch/train_accuracy 3 10 0.250000 30 0.750000",
            "epoch/train_loss 3 10 0.300000 30 0.100000",
            "epoch/val_loss 3 10 0.200000 30 0.066667",
            "test/accuracy 1 30 0.750000 30 0.750000",
            "test/loss 1 30 0.250000 30 0.250000",
            "train/loss 30 1 3.000000 30 0.100000",
            "train/lr 30 1 0.010000 30 0.010000",
        ], res.output)
    }
}
