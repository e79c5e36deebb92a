import Foundation
import Tensors

extension App {
    /// Acts on a confirmed path; returns an error to show in the prompt, or nil when done.
    func submitPrompt(_ purpose: PromptPurpose, _ path: String) -> String? {
        switch purpose {
        case .saveModel, .saveCheckpoint:
            guard let s = session else { return "no model" }
            if let err = UserFiles.prepareFileToWrite(path) { return err }
            overlay = nil
            s.send(.file(purpose == .saveModel ? .saveModel : .saveCheckpoint, path: path))
            showToast("saving \(path)…")
        case .loadModel, .loadCheckpoint:
            if let err = UserFiles.fileToReadProblem(path) { return err }
            guard let s = session else { return "no model" }
            overlay = nil
            s.send(.file(purpose == .loadModel ? .loadModel : .loadCheckpoint, path: path))
            showToast("loading \(path)…")
        case .exportMetrics:
            if let err = UserFiles.prepareFileToWrite(path) { return err }
            do {
                try UserFiles.write(metricsCSV(), to: path)
                overlay = nil
                showToast("exported \(steps.count) steps, \(history.epochs.count) epochs to \(path)")
            } catch {
                return "\(path): \(error)"
            }
        case .openCIFAR10:
            return switchToOpened { try services.datasets.openCIFAR10(path: path) }
        case .downloadDataset(let kind):
            return startDownload(kind, into: path)
        case .openDataset:
            return switchToOpened { try services.datasets.openDataset(path: path) }
        case .openCSV:
            do {
                let columns = try services.datasets.csvColumns(path: path)
                guard !columns.isEmpty else { return "\(path): no columns in the header" }
                let last = columns.firstIndex(of: "label") ?? columns.count - 1
                overlay = .chooser(Chooser(title: "Column to predict", options: columns, selected: last,
                                           purpose: .csvTarget(path: path)))
            } catch {
                return "\(error)"
            }
        case .publishToHub:
            if let err = UserFiles.makeParentFolder(path + "/hub.json") { return err }
            lastHub = path
            prompt(.hubEntryName(dir: path), "Entry name in \(path)", modelName.lowercased())
        case .hubEntryName(let dir):
            return publishToHub(dir: dir, name: path)
        case .loadFromHub:
            return readHub(path)
        case .openModelFile:
            return openModelFile(path)
        case .saveModelFile:
            return saveModelFile(path)
        }
        return nil
    }

    /// Switches to the dataset `make` opens; its error message, or nil when done.
    private func switchToOpened(_ make: () throws -> DatasetSource) -> String? {
        do {
            let d = try make()
            overlay = nil
            switchDataset(d)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Metrics as CSV: one row per step (`kind` step) and per epoch (`kind` epoch), with the
    /// validation loss and the task's validation metrics (`val_accuracy`, or `val_mae`, `val_rmse`, `val_r2`).
    public func metricsCSV() -> String {
        let metrics = history.metrics
        var lines = [(["kind", "epoch", "step", "loss", "val_loss"] + metrics.map { "val_" + $0.name } + ["learning_rate"])
            .joined(separator: ",")]
        let blanks = String(repeating: ",", count: metrics.count)
        for s in steps {
            lines.append("step,\(s.epoch),\(s.globalStep),\(s.loss),\(blanks),\(s.lr)")
        }
        let spe = max(1, plan?.stepsPerEpoch ?? steps.last?.stepsPerEpoch ?? 1)
        for e in history.epochs {
            let values = metrics.map { m in e.validation?[m.name].map { "\($0)" } ?? "" }
            lines.append((["epoch", "\(e.epoch)", "\(e.epoch * spe)", "\(e.trainLoss)", e.valLoss.map { "\($0)" } ?? ""] + values + [""])
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
