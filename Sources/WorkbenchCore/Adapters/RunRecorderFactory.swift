import Foundation
import Tensors
import WorkbenchRuns

/// Makes the run-store writer of a run the TUI starts: given the run's settings, its task
/// and its engine (not started yet), returns a recorder attached to it, or nil not to record.
public typealias RunRecorderFactory = @Sendable (_ config: TrainingConfig, _ task: String, _ classes: [String],
                                                 _ engine: TrainingEngine) -> RunRecorder?

/// The standard factory: records into `store` with source `tui`.
public func runStoreRecorder(_ store: RunStore) -> RunRecorderFactory {
    { config, task, classes, engine in
        guard let r = try? RunRecorder(store: store, config: config, task: task, source: "tui", classes: classes) else { return nil }
        r.attach(to: engine)
        return r
    }
}
