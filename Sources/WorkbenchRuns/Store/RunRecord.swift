import Foundation
import GRDB

/// One thing to write for a run; a writer queues these and writes them in batches.
public enum RunRecord: Sendable {
    case step(StepRecord)
    case epoch(EpochRecord)
    case change(HyperparameterChangeRecord)
    case evaluation(EvaluationRecord)
    case artifact(ArtifactRecord)
    /// The run ended with `status` (and `message`) at `endedAt`.
    case end(runId: String, status: RunStatus, message: String?, endedAt: Double)
    /// The final test figures.
    case test(runId: String, loss: Double, metrics: String)
    /// The run is running again (a TUI run resumed after a stop).
    case reopen(runId: String)

    func write(_ db: Database) throws {
        switch self {
        case .step(let r): try r.insert(db)
        case .epoch(let r): try r.insert(db)
        case .change(let r): try r.insert(db)
        case .evaluation(let r): try r.insert(db)
        case .artifact(let r): try r.insert(db)
        case .end(let id, let status, let message, let endedAt):
            try db.execute(sql: "UPDATE runs SET status = ?, message = ?, endedAt = ? WHERE id = ?",
                           arguments: [status.rawValue, message, endedAt, id])
        case .test(let id, let loss, let metrics):
            try db.execute(sql: "UPDATE runs SET testLoss = ?, testMetrics = ? WHERE id = ?", arguments: [loss, metrics, id])
        case .reopen(let id):
            try db.execute(sql: "UPDATE runs SET status = ?, message = NULL, endedAt = NULL WHERE id = ?",
                           arguments: [RunStatus.running.rawValue, id])
        }
    }
}
