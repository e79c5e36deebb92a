import Foundation
import Tensors

/// Sequence data in the app: which zoo model suits it, and the menu's chooser of the
/// embedded sequence sets.
extension App {
    /// The embedded sequence sets the chooser offers, with the task each opens as.
    static let sequenceChoices: [(label: String, task: TaskKind?)] = [
        ("Arithmetic corpus: language modelling (next character)", .languageModeling),
        ("Arithmetic sums: right or wrong (sequence classification)", .sequenceClassification),
        ("Sine waves: forecasting the next value", .forecasting),
        ("A text file (.txt) or a folder of <class>/*.txt …", nil),
    ]

    /// The zoo model a dataset opens with: an MLP for rows, LeNet-5 for images, and the
    /// sequence zoo's model of the task for sequences.
    static func preferredModel(for d: DatasetSource) -> String {
        switch d.task {
        case .languageModeling: return "char-lstm"
        case .sequenceClassification: return "lstm-classifier"
        case .forecasting: return "lstm-forecaster"
        case .classification, .regression: return d.sampleKind == .table ? "mlp" : "lenet5"
        }
    }

    /// Whether zoo model `name` reads `d`'s samples (a sequence model of the right kind for
    /// sequences, a feature reader for rows, an image model for images).
    static func model(_ name: String, fits d: DatasetSource) -> Bool {
        if let e = SequenceModelZoo.entry(named: name) {
            switch e.kind {
            case .languageModel: return d.task == .languageModeling
            case .textClassifier: return d.task == .sequenceClassification
            case .forecaster: return d.task == .forecasting
            }
        }
        guard !d.task.readsSequences, let e = ModelZoo.entry(named: name) else { return false }
        return e.readsFeatures == (d.sampleKind == .table)
    }

    /// The chooser of the embedded sequence sets (and a text file).
    func chooseSequenceData() {
        let current = App.sequenceChoices.firstIndex { $0.task == dataset.task && dataset.location == nil } ?? 0
        overlay = .chooser(Chooser(title: "Sequence data", options: App.sequenceChoices.map(\.label), selected: current,
                                   purpose: .sequenceData))
    }

    /// Opens the chosen sequence set (or the prompt for a text file).
    func openSequenceChoice(_ index: Int) {
        guard App.sequenceChoices.indices.contains(index) else { return }
        guard let task = App.sequenceChoices[index].task else {
            prompt(.openDataset, "Open a text file (.txt: language modelling) or a folder of <class>/*.txt (text classification)",
                   services.recents?.paths.first ?? "data/")
            return
        }
        do {
            let d = try services.datasets.openSequence(task: task, path: nil, target: nil)
            overlay = nil
            switchDataset(d)
        } catch {
            overlay = .message(title: "Cannot open sequence data", text: "\(error)", isError: true)
        }
    }
}
