import Foundation
import Tensors

extension App {
    func choose(_ c: Chooser) {
        guard c.selected < c.options.count else { return }
        let name = c.options[c.selected]
        switch c.purpose {
        case .theme:
            let r = services.themes.load(name)
            ctx.theme = r.theme
            if !r.warnings.isEmpty {
                overlay = .message(title: "Theme warning", text: r.warnings.joined(separator: "\n"), isError: true)
            } else {
                showToast("theme: \(name)")
            }
        case .csvTarget(let path):
            let numeric = Set(["price", "target", "value", "y"])
            let guess = numeric.contains(name.lowercased()) ? 1 : 0
            let tasks: [TaskKind] = [.classification, .regression, .forecasting, .sequenceClassification]
            overlay = .chooser(Chooser(title: "Predict \(name) by", options: tasks.map(\.rawValue), selected: guess,
                                       purpose: .csvTask(path: path, target: name)))
        case .csvTask(let path, let target):
            let task = TaskKind(rawValue: name) ?? .classification
            do {
                let d = try services.datasets.openCSV(path: path, target: target, task: task)
                overlay = nil
                switchDataset(d)
            } catch {
                overlay = .message(title: "Cannot open \(path)", text: "\(error)", isError: true)
            }
        case .sequenceData: openSequenceChoice(c.selected)
        case .downloadDataset:
            promptDownloadFolder(App.downloadable[min(c.selected, App.downloadable.count - 1)])
        case .hubEntry(let source):
            loadHubEntry(source: source, entry: String(name.prefix { $0 != " " }))
        case .model:
            guard name != modelName else { return }
            if runState.isActive {
                overlay = .confirm(title: "Switch model", text: "Stop the current run and switch to \(name)?", onYes: .switchModel(name))
            } else {
                switchModel(name)
            }
        }
    }

}
