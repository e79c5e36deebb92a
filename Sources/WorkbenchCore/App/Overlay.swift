import Foundation
import Tensors
import WorkbenchRuns

/// What a text prompt is for.
enum PromptPurpose: Equatable {
    case saveModel, loadModel, saveCheckpoint, loadCheckpoint, exportMetrics, openCIFAR10, openCSV, openDataset
    /// The folder to download a dataset into.
    case downloadDataset(ImageDatasetKind)
    /// A model file to open (`.model.yaml` / JSON), or to save the editor's draft to.
    case openModelFile, saveModelFile
    /// The hub folder to publish the current model into, then the entry's name there.
    case publishToHub, hubEntryName(dir: String)
    /// The hub to load an entry from (`App+Hub.swift`).
    case loadFromHub
}

struct Prompt {
    var title: String
    var purpose: PromptPurpose
    var input: TextInput
    var error: String?
    /// Tab completion's candidates (or recent paths), shown dimmed under the input when there is no error.
    var hint: String? = nil
}

enum ChooserPurpose {
    /// Theme chooser; Esc goes back to `original`.
    case theme(original: Theme)
    case model
    /// The column of a CSV file to predict.
    case csvTarget(path: String)
    /// Classification or regression of a CSV column.
    case csvTask(path: String, target: String)
    /// An entry of a hub's manifest to load.
    case hubEntry(source: String)
    /// One of the embedded sequence sets (`App+SequenceData.swift`).
    case sequenceData
    /// The dataset to download (`App.downloadable`, in order).
    case downloadDataset
}

struct Chooser {
    var title: String
    var options: [String]
    var selected: Int
    var purpose: ChooserPurpose
}

/// What "yes" in a confirmation does.
enum ConfirmAction: Equatable {
    case quit, newRun
    case switchModel(String)
    /// Leave a zoo model for a new design in the editor.
    case newDraft
    /// An editor key confirmed while a run is active (the run stops, a new one starts).
    case editModel(ModelEditAction, paths: [[Int]])
    /// The divergence guard: restore the last good state and resume at this learning rate.
    case rollback(lr: Double)
}

/// A modal layer above the panes.
enum Overlay {
    case help(offset: Int)
    case menu(selected: Int)
    case confirm(title: String, text: String, onYes: ConfirmAction)
    case prompt(Prompt)
    case message(title: String, text: String, isError: Bool)
    case chooser(Chooser)
    case progress(title: String, fraction: Double, text: String)
    /// The running dataset download (`App+Download.swift`).
    case download
    /// The Runs view (`App+Runs.swift`).
    case runs
    /// The learning-rate range test's loss-vs-lr plot and its suggestion (`App+LRFinder.swift`).
    case lrFinder(LRRangeTest.Result)
    /// The test images of one confusion cell with their top-3 probabilities (`App+Gallery.swift`).
    case gallery(truth: Int, predicted: Int, offset: Int)
    /// The editor's searchable layer catalogue (`App+ModelEditor.swift`).
    case layerPicker(LayerPicker)
    /// The editor's form of one layer's arguments.
    case layerForm(LayerForm)
    /// The generate form and its sampled text (`App+Generate.swift`; the form is `App.generateForm`).
    case generate
}
