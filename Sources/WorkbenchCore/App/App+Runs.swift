import Foundation
import Tensors
import WorkbenchRuns

extension App {
    /// Opens the Runs view on the store's current runs.
    func showRuns() {
        guard let store = services.runs else {
            showToast("runs are not recorded in this session (started with --no-record)", isError: true)
            return
        }
        runsBrowser.reload(store)
        overlay = .runs
    }

    /// Keys of the Runs view; Enter puts the marked runs' curves on the charts.
    func handleRunsKey(_ key: Key) {
        guard let store = services.runs else { overlay = nil; return }
        switch runsBrowser.handle(key, store: store) {
        case .stay: break
        case .close: overlay = nil
        case .overlay(let curves):
            overlay = nil
            overlaidRuns = curves
            focus = .charts
            showToast(curves.isEmpty ? "no runs overlaid" : "overlaid \(curves.count) run\(curves.count == 1 ? "" : "s") on the loss chart")
        case .resume(let run, let checkpoint):
            resume(run, from: checkpoint)
        }
    }

    /// Loads `run`'s last checkpoint into the session (switching to its model first); `s` continues it.
    func resume(_ run: RunSummary, from checkpoint: String) {
        guard !runState.isActive else {
            overlay = .message(title: "Resume \(run.id)", text: "Stop the current run first (x).", isError: true)
            return
        }
        overlay = nil
        let model = run.trainingConfig?.model ?? run.model
        if let name = services.catalog.modelNames.first(where: { $0.lowercased() == model.lowercased() }), name != modelName {
            switchModel(name)
        }
        guard let s = session else { showToast("no model to resume \(run.id) into", isError: true); return }
        s.send(.file(.loadCheckpoint, path: checkpoint))
        showToast("resuming \(run.id) from \(checkpoint)…")
    }
}
