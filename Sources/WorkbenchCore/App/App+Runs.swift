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
        }
    }
}
