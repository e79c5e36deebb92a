import Foundation
import GRDB
import Tensors

/// Every run, in one SQLite file (WAL mode): settings, steps, epochs, live changes,
/// evaluations, artifacts and how it ended.
///
/// Readers and one writer per run work at once, from one or several processes: the
/// TUI can list and chart a run that `workbench train` is writing. Opening the store
/// migrates its schema (`RunStoreSchema`) and marks as `interrupted` the runs left
/// `running` by a process of this host that is no longer alive (kill -9, crash).
///
/// ```swift
/// let store = try RunStore(path: RunStore.defaultPath())
/// for run in try store.runs() { print(run.id, run.status) }
/// ```
public final class RunStore: @unchecked Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool

    /// The store file to use: `explicit` (`--runs PATH`), else `$WORKBENCH_RUNS`, else `./workbench-runs.sqlite`.
    public static func defaultPath(explicit: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let e = explicit, !e.isEmpty { return e }
        if let e = environment["WORKBENCH_RUNS"], !e.isEmpty { return e }
        return "workbench-runs.sqlite"
    }

    /// Opens (or creates) the store at `path`, migrating it to the current schema.
    ///
    /// - Parameter markInterrupted: mark runs of dead writers on this host as interrupted (default true).
    public init(path: String, markInterrupted: Bool = true) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "workbench-runs"
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try RunStoreSchema.migrator.migrate(pool)
        } catch let e as DatabaseError {
            throw RunStoreError("run store \(path): \(e.message ?? "\(e)") (expected a workbench runs SQLite file)")
        } catch {
            throw RunStoreError("run store \(path): \(error)")
        }
        if markInterrupted { try markDeadRunsInterrupted() }
    }

    /// The applied schema migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try RunStoreSchema.migrator.appliedMigrations(db) }
    }

    /// SQLite's `PRAGMA integrity_check` result (`ok` for a sound file).
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    /// The journal mode (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Marks runs left `running` by a dead process of this host as interrupted; returns their ids.
    @discardableResult
    public func markDeadRunsInterrupted() throws -> [String] {
        let host = ProcessLiveness.hostName
        return try pool.write { db in
            let running = try RunSummary.filter(Column("status") == RunStatus.running.rawValue).fetchAll(db)
            var marked: [String] = []
            for r in running where r.host == host && !ProcessLiveness.isAlive(pid: Int32(truncatingIfNeeded: r.pid)) {
                let last = try Double.fetchOne(db, sql: "SELECT MAX(wallTime) FROM steps WHERE runId = ?", arguments: [r.id])
                try db.execute(sql: "UPDATE runs SET status = ?, message = ?, endedAt = ? WHERE id = ?",
                               arguments: [RunStatus.interrupted.rawValue,
                                           "the writing process (pid \(r.pid)) ended without recording an end",
                                           last ?? r.startedAt, r.id])
                marked.append(r.id)
            }
            return marked
        }
    }

    // MARK: Writing

    /// Records a new run started now by this process; returns it.
    public func beginRun(config: TrainingConfig, task: String, source: String, name: String? = nil, classes: [String] = [],
                         version: String = RunStore.workbenchVersion, startedAt: Date = Date()) throws -> RunSummary {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let json = String(decoding: try enc.encode(config), as: UTF8.self)
        var run = RunSummary(id: RunID.make(seed: json), name: name, config: json, task: task, model: config.model,
                             dataset: config.dataPath ?? "shapes10", seed: Int64(bitPattern: config.seed),
                             host: ProcessLiveness.hostName, pid: Int64(getpid()), version: version, source: source,
                             startedAt: startedAt.timeIntervalSince1970, endedAt: nil, status: .running, message: nil,
                             testLoss: nil, testMetrics: nil, tags: "",
                             classes: classes.isEmpty ? nil : (try? enc.encode(classes)).map { String(decoding: $0, as: UTF8.self) })
        try pool.write { db in
            while try RunSummary.exists(db, key: run.id) { run.id = RunID.make(seed: json + run.id) }
            try run.insert(db)
        }
        return run
    }

    /// Writes a batch of records in one transaction, in order.
    public func write(_ batch: [RunRecord]) throws {
        guard !batch.isEmpty else { return }
        try pool.write { db in
            for r in batch { try r.write(db) }
        }
    }

    /// Renames a run (nil clears the name).
    public func rename(_ id: String, to name: String?) throws {
        let run = try resolve(id)
        try pool.write { db in try db.execute(sql: "UPDATE runs SET name = ? WHERE id = ?", arguments: [name, run.id]) }
    }

    /// Replaces a run's tags.
    public func setTags(_ id: String, _ tags: [String]) throws {
        let run = try resolve(id)
        let clean = tags.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        try pool.write { db in
            try db.execute(sql: "UPDATE runs SET tags = ? WHERE id = ?", arguments: [clean.joined(separator: ","), run.id])
        }
    }

    /// Deletes runs and everything recorded for them (not their files on disk).
    public func delete(_ ids: [String]) throws {
        let runs = try ids.map(resolve)
        try pool.write { db in
            for r in runs { _ = try RunSummary.deleteOne(db, key: r.id) }
        }
    }

    // MARK: Reading

    /// All runs, newest first.
    public func runs() throws -> [RunSummary] {
        try pool.read { db in try RunSummary.order(Column("startedAt").desc).fetchAll(db) }
    }

    /// The run whose id is `id` or starts with it (like git's short ids); its name works too.
    public func resolve(_ id: String) throws -> RunSummary {
        let key = id.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw RunStoreError("empty run id; expected an id from `workbench runs list`") }
        let matches = try pool.read { db in
            try RunSummary.fetchAll(db, sql: "SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' OR name = ?",
                                    arguments: [key.replacingOccurrences(of: "%", with: "\\%")
                                        .replacingOccurrences(of: "_", with: "\\_") + "%", key])
        }
        if let exact = matches.first(where: { $0.id == key }) { return exact }
        switch matches.count {
        case 0: throw RunStoreError("no run '\(key)' in \(path); expected an id from `workbench runs list`")
        case 1: return matches[0]
        default:
            throw RunStoreError("run id '\(key)' is ambiguous in \(path): \(matches.map(\.id).sorted().joined(separator: ", "))")
        }
    }

    /// The run's steps in order.
    public func steps(_ runId: String) throws -> [StepRecord] {
        try pool.read { db in try StepRecord.filter(Column("runId") == runId).order(Column("step")).fetchAll(db) }
    }

    /// Number of steps recorded for a run.
    public func stepCount(_ runId: String) throws -> Int {
        try pool.read { db in try StepRecord.filter(Column("runId") == runId).fetchCount(db) }
    }

    /// The run's epochs in order.
    public func epochs(_ runId: String) throws -> [EpochRecord] {
        try pool.read { db in try EpochRecord.filter(Column("runId") == runId).order(Column("epoch")).fetchAll(db) }
    }

    /// The run's live hyperparameter changes in order.
    public func hyperparameterChanges(_ runId: String) throws -> [HyperparameterChangeRecord] {
        try pool.read { db in
            try HyperparameterChangeRecord.filter(Column("runId") == runId).order(Column("seq")).fetchAll(db)
        }
    }

    /// The run's evaluations in order.
    public func evaluations(_ runId: String) throws -> [EvaluationRecord] {
        try pool.read { db in try EvaluationRecord.filter(Column("runId") == runId).order(Column("seq")).fetchAll(db) }
    }

    /// The run's files in order.
    public func artifacts(_ runId: String) throws -> [ArtifactRecord] {
        try pool.read { db in try ArtifactRecord.filter(Column("runId") == runId).order(Column("seq")).fetchAll(db) }
    }

    /// The version recorded in new runs.
    public static let workbenchVersion = "0.1.0"
}
