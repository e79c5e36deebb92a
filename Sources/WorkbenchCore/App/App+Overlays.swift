import Foundation
import Tensors
import WorkbenchRuns

extension App {
    /// The name of the open overlay, for tests ("menu", "help", "prompt" …) or nil.
    public var overlayName: String? {
        switch overlay {
        case .none: return nil
        case .help: return "help"
        case .menu: return "menu"
        case .confirm: return "confirm"
        case .prompt: return "prompt"
        case .message: return "message"
        case .chooser: return "chooser"
        case .progress: return "progress"
        case .download: return "download"
        case .runs: return "runs"
        case .lrFinder: return "lr-finder"
        case .gallery: return "gallery"
        case .layerPicker: return "layer-picker"
        case .layerForm: return "layer-form"
        case .generate: return "generate"
        }
    }
}
