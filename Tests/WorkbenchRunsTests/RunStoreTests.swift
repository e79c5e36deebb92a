import Foundation
import GRDB
import XCTest
@testable import Tensors
@testable import WorkbenchRuns

/// The run store: schema and migrations, recording a real run, readers beside a writer, ids, export.
final class RunStoreTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("runs-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    var dbPath: String { dir.appendingPathComponent("runs.sqlite").path }

    /// A small run on the embedded data: 64 samples, batch 16, two epochs.
    static func smallConfig(lr: Double = 0.01) -> TrainingConfig {
        var c = TrainingConfig()
        c.epochs = 2
        c.limit = 64
        c.numWorkers = 0
        c.lr = lr
        return c
    }

    func testTheStorePathIsTheOptionElseTheEnvironmentElseTheDefault() {
        XCTAssertEqual(RunStore.defaultPath(explicit: "a.sqlite", environment: ["WORKBENCH_RUNS": "b.sqlite"]), "a.sqlite")
        XCTAssertEqual(RunStore.defaultPath(explicit: nil, environment: ["WORKBENCH_RUNS": "b.sqlite"]), "b.sqlite")
        XCTAssertEqual(RunStore.defaultPath(explicit: nil, environment: [:]), "workbench-runs.sqlite")
    }

    func testMigrationsFromAnEmptyFileCreateEveryTableInWALMode() throws {
        FileManager.default.createFile(atPath: dbPath, contents: Data())
        let store = try RunStore(path: dbPath)
        XCTAssertEqual(try store.appliedMigrations(), RunStoreSchema.versions)
        XCTAssertEqual(try store.journalMode(), "wal")
        let tables = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for t in ["runs", "steps", "epochs", "hyperparameterChanges", "evaluations", "artifacts"] {
            XCTAssertTrue(tables.contains(t), "missing table \(t) in \(tables)")
        }
        XCTAssertEqual(try store.runs(), [])
    }

    func testAVersionOneStoreIsMigratedKeepingItsRuns() throws {
        do {
            let q = try DatabaseQueue(path: dbPath)
            try RunStoreSchema.migrator.migrate(q, upTo: "v1-runs")
            try q.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (id, config, task, model, dataset, seed, host, pid, version, source, startedAt, status)
                    VALUES ('abc1234', '{}', 'classification', 'lenet5', 'shapes10', 0, 'elsewhere', 1, '0.0.1', 'cli', 1, 'finished')
                    """)
            }
        }
        let store = try RunStore(path: dbPath)
        XCTAssertEqual(try store.appliedMigrations(), RunStoreSchema.versions)
        let runs = try store.runs()
        XCTAssertEqual(runs.map(\.id), ["abc1234"])
        XCTAssertEqual(runs[0].tags, "")
        try store.setTags("abc", ["baseline", " lr "])
        XCTAssertEqual(try store.resolve("abc1234").tagList, ["baseline", "lr"])
    }

    func testANonDatabaseFileIsAClearError() throws {
        try Data("not sqlite at all, just some text that is long enough to be a header".utf8).write(to: URL(fileURLWithPath: dbPath))
        XCTAssertThrowsError(try RunStore(path: dbPath)) { e in
            XCTAssertTrue("\(e)".contains(dbPath), "\(e)")
            XCTAssertTrue("\(e)".contains("expected a workbench runs SQLite file"), "\(e)")
        }
    }

    func testARealRunIsRecordedWithEveryStepEpochAndTheTestPass() throws {
        let store = try RunStore(path: dbPath)
        let setup = try TrainingSetup(config: Self.smallConfig())
        let engine = setup.makeEngine()
        let recorder = try RunRecorder(store: store, config: setup.config, task: setup.task.kind.rawValue, source: "test",
                                       classes: setup.classes, batchSize: 3)
        recorder.attach(to: engine)
        var steps: [StepInfo] = []
        let lock = NSLock()
        _ = engine.observe { if case .step(let s) = $0 { lock.lock(); steps.append(s); lock.unlock() } }
        engine.start()
        engine.waitUntilDone()
        recorder.close()
        XCTAssertNil(recorder.error)

        let run = try store.resolve(recorder.runId)
        XCTAssertEqual(run.status, .finished)
        XCTAssertEqual(run.trainingConfig, setup.config)
        XCTAssertEqual(run.model, "lenet5")
        XCTAssertEqual(run.dataset, "shapes10")
        XCTAssertEqual(run.pid, Int64(getpid()))
        XCTAssertNotNil(run.endedAt)
        let recorded = try store.steps(run.id)
        XCTAssertEqual(recorded.map(\.step), steps.map(\.globalStep))
        XCTAssertEqual(recorded.map(\.loss), steps.map(\.loss))
        XCTAssertEqual(recorded.map(\.epoch), steps.map(\.epoch))
        let epochs = try store.epochs(run.id)
        XCTAssertEqual(epochs.map(\.epoch), [1, 2])
        XCTAssertEqual(epochs.map { $0.trainMetrics["loss"] }, engine.history.epochs.map { $0.train["loss"] })
        XCTAssertEqual(epochs.last?.step, steps.last?.globalStep)
        let evals = try store.evaluations(run.id)
        XCTAssertEqual(evals.map(\.split), ["test"])
        XCTAssertEqual(run.testLoss, evals.first?.loss)
        XCTAssertNotNil(run.testMetricValues["accuracy"])
        XCTAssertEqual(run.classNames, setup.classes)
        let cm = try XCTUnwrap(evals.first?.confusionMatrix)
        XCTAssertEqual(cm.total, evals.first?.samples)
        XCTAssertEqual(cm.accuracy, run.testMetricValues["accuracy"] ?? -1, accuracy: 1e-9)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testStopsFailuresChangesAndArtifactsAreRecorded() throws {
        let store = try RunStore(path: dbPath)
        let r = try RunRecorder(store: store, config: Self.smallConfig(), task: "classification", source: "test")
        r.record(.started(RunPlan(epochs: 2, stepsPerEpoch: 4, trainSamples: 64, validationSamples: 0, batchSize: 16)))
        r.record(.step(StepInfo(epoch: 1, step: 1, stepsPerEpoch: 4, globalStep: 1, loss: 2.3, lr: 0.01, samplesPerSecond: 1)))
        r.record(.hyperparameterChanged(.learningRate(0.005), step: 2))
        let file = dir.appendingPathComponent("w.bin")
        try Data("weights".utf8).write(to: file)
        r.recordArtifact(kind: "weights", path: file.path)
        r.record(.stateChanged(.paused(reason: "loss became NaN at step 2")))
        r.record(.stateChanged(.stopped))
        r.close()
        let run = try store.resolve(r.runId)
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.message, "loss became NaN at step 2")
        XCTAssertEqual(try store.hyperparameterChanges(run.id).map { "\($0.name)=\($0.value)@\($0.step)" }, ["lr=0.005@2"])
        let a = try store.artifacts(run.id)
        XCTAssertEqual(a.map(\.kind), ["weights"])
        XCTAssertEqual(a.first?.sha256, Self.sha256("weights"))   // as `sha256sum` computes it
        XCTAssertEqual(a.first?.sha256.count, 64)
        XCTAssertEqual(a.first?.bytes, 7)

        let plain = try RunRecorder(store: store, config: Self.smallConfig(), task: "classification", source: "test")
        plain.record(.stateChanged(.stopped))
        plain.end(.finished)   // the engine's end wins
        plain.close()
        XCTAssertEqual(try store.resolve(plain.runId).status, .stopped)
    }

    static func sha256(_ s: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum"]
        let i = Pipe(), o = Pipe()
        p.standardInput = i
        p.standardOutput = o
        try? p.run()
        i.fileHandleForWriting.write(Data(s.utf8))
        try? i.fileHandleForWriting.close()
        let out = String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return String(out.prefix(64))
    }

    func testAReaderInAnotherConnectionSeesAGrowingRunWhileTheWriterWrites() throws {
        let store = try RunStore(path: dbPath)
        let r = try RunRecorder(store: store, config: Self.smallConfig(), task: "classification", source: "test",
                                batchSize: 50, flushInterval: 100)
        let reader = try RunStore(path: dbPath)
        let total = 5_000
        let writerDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for i in 1...total {
                r.record(.step(StepInfo(epoch: 1, step: i, stepsPerEpoch: total, globalStep: i, loss: 1 / Double(i), lr: 0.01,
                                        samplesPerSecond: 1)))
            }
            r.record(.stateChanged(.finished))
            r.close()
            writerDone.signal()
        }
        var seen: [Int] = []
        var statuses: Set<RunStatus> = []
        while writerDone.wait(timeout: .now()) == .timedOut {
            seen.append(try reader.stepCount(r.runId))
            let steps = try reader.steps(r.runId)
            // Batches are whole: steps 1…n with no gaps, whatever moment the reader looks.
            XCTAssertEqual(steps.map(\.step), Array(0..<steps.count).map { $0 + 1 })
            statuses.insert(try reader.resolve(r.runId).status)
        }
        seen.append(try reader.stepCount(r.runId))
        XCTAssertEqual(seen, seen.sorted(), "the step count went backwards")
        XCTAssertEqual(seen.last, total)
        XCTAssertGreaterThan(seen.count, 1)
        XCTAssertEqual(try reader.resolve(r.runId).status, .finished)
        XCTAssertFalse(statuses.contains(.interrupted))
    }

    func testRunningRunsOfDeadWritersAreMarkedInterruptedOthersAreLeft() throws {
        let store = try RunStore(path: dbPath)
        let alive = try store.beginRun(config: Self.smallConfig(), task: "classification", source: "test")
        var dead = try store.beginRun(config: Self.smallConfig(), task: "classification", source: "test")
        var remote = try store.beginRun(config: Self.smallConfig(), task: "classification", source: "test")
        // A pid that is not running: a child that has exited and been reaped.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        dead.pid = Int64(p.processIdentifier)
        remote.host = "another-host"
        remote.pid = Int64(p.processIdentifier)
        try store.pool.write { db in try dead.update(db); try remote.update(db) }

        let reopened = try RunStore(path: dbPath)
        XCTAssertEqual(try reopened.resolve(alive.id).status, .running)
        XCTAssertEqual(try reopened.resolve(dead.id).status, .interrupted)
        XCTAssertTrue(try reopened.resolve(dead.id).message?.contains("pid \(p.processIdentifier)") == true)
        XCTAssertEqual(try reopened.resolve(remote.id).status, .running, "a run of another host cannot be checked")
    }

    func testIdsResolveByPrefixAndNameWithClearErrors() throws {
        let store = try RunStore(path: dbPath)
        let a = try store.beginRun(config: Self.smallConfig(), task: "classification", source: "test")
        XCTAssertEqual(a.id.count, 7)
        XCTAssertTrue(a.id.allSatisfy { $0.isHexDigit })
        XCTAssertEqual(try store.resolve(String(a.id.prefix(4))).id, a.id)
        try store.rename(a.id, to: "baseline")
        XCTAssertEqual(try store.resolve("baseline").id, a.id)
        XCTAssertThrowsError(try store.resolve("zzzz")) { XCTAssertTrue("\($0)".contains("no run 'zzzz'"), "\($0)") }
        _ = try store.beginRun(config: Self.smallConfig(), task: "classification", source: "test")
        XCTAssertThrowsError(try store.resolve("")) { XCTAssertTrue("\($0)".contains("empty run id"), "\($0)") }
        try store.delete([a.id])
        XCTAssertThrowsError(try store.resolve(a.id))
        XCTAssertEqual(try store.runs().count, 1)
    }

    func testCompareAndExportCoverEveryScalar() throws {
        let store = try RunStore(path: dbPath)
        var ids: [String] = []
        for (lr, val) in [(0.01, 1.5), (0.1, 0.9)] {
            let r = try RunRecorder(store: store, config: Self.smallConfig(lr: lr), task: "classification", source: "test")
            r.record(.step(StepInfo(epoch: 1, step: 1, stepsPerEpoch: 1, globalStep: 1, loss: 2, lr: lr, samplesPerSecond: 1)))
            r.record(.epochEnded(EpochSummary(epoch: 1, train: ["loss": 2, "accuracy": 0.25], validation: ["loss": val, "accuracy": 0.5],
                                              samplesPerSecond: 10, seconds: 1, lr: lr)))
            r.record(.evaluated(Evaluation(split: "test", loss: val + 0.1, metrics: ["accuracy": 0.5 + lr], samples: 10)))
            r.record(.stateChanged(.finished))
            r.close()
            ids.append(r.runId)
        }
        let runs = try ids.map(store.resolve)
        let cmp = try RunComparison(store: store, runs: runs)
        XCTAssertEqual(cmp.config.first?.name, "lr")
        XCTAssertEqual(cmp.config.first?.values, ["0.01", "0.1"])
        XCTAssertEqual(cmp.results.first { $0.name == "val loss" }?.values, ["1.5000", "0.9000"])
        XCTAssertEqual(cmp.best(by: "val loss")?.id, ids[1])
        XCTAssertEqual(cmp.best(by: "test accuracy")?.id, ids[1])
        XCTAssertTrue(cmp.table().contains("* lr"))

        let ex = RunExporter(store: store)
        let csv = try ex.csv(runs).split(separator: "\n")
        XCTAssertEqual(csv.first, "run,kind,step,epoch,name,value,wall_time")
        XCTAssertTrue(csv.contains { $0.hasPrefix("\(ids[1]),epoch,1,1,val_loss,0.9,") })
        XCTAssertTrue(csv.contains { $0.hasPrefix("\(ids[0]),evaluation,1,,test_accuracy,0.51,") })
        XCTAssertEqual(csv.count, 1 + 2 * (2 + 5 + 2))
        let json = try JSONSerialization.jsonObject(with: try ex.json(runs)) as? [String: Any]
        let list = json?["runs"] as? [[String: Any]]
        XCTAssertEqual(list?.count, 2)
        XCTAssertEqual((list?[0]["config"] as? [String: Any])?["lr"] as? Double, 0.01)
        XCTAssertEqual((list?[1]["steps"] as? [[String: Any]])?.count, 1)
    }
}
