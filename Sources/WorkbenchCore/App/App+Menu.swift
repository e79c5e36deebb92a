import Foundation
import Tensors

extension App {

    var menuItems: [MenuItem<AppCommand>] {
        let active = runState.isActive
        return [
            .separator("Run"),
            MenuItem("New run", hotkey: "n", shortcut: "n", action: .newRun),
            MenuItem("Start", hotkey: "s", shortcut: "s", action: .start, enabled: runState != .running),
            MenuItem("Pause", hotkey: "p", shortcut: "p", action: .togglePause, enabled: runState == .running),
            MenuItem("Resume", hotkey: "r", shortcut: "p", action: .togglePause, enabled: runState == .paused(reason: nil)),
            MenuItem("Stop", hotkey: "x", shortcut: "x", action: .stop, enabled: active),
            MenuItem("Evaluate on test split", hotkey: "e", shortcut: "E", action: .evaluate, enabled: session != nil),
            MenuItem("Find learning rate…", hotkey: "F", action: .findLR, enabled: session != nil && !active),
            MenuItem("Generate text…", hotkey: "g", shortcut: "G", action: .generate, enabled: session != nil && dataset.task == .languageModeling),
            .separator("Files"),
            MenuItem("Save model…", hotkey: "w", shortcut: "S", action: .saveModel, enabled: session != nil),
            MenuItem("Load model…", hotkey: "l", shortcut: "L", action: .loadModel, enabled: session != nil),
            MenuItem("Save checkpoint…", hotkey: "c", action: .saveCheckpoint, enabled: session != nil),
            MenuItem("Resume from checkpoint…", hotkey: "k", action: .loadCheckpoint, enabled: session != nil && !active),
            MenuItem("Export metrics (CSV)…", hotkey: "v", action: .exportMetrics),
            MenuItem("Publish to hub…", hotkey: "P", action: .publishToHub, enabled: session != nil),
            MenuItem("Load from hub…", hotkey: "H", action: .loadFromHub, enabled: session != nil && !active),
            .separator("Dataset"),
            MenuItem("Embedded default", hotkey: "d", action: .useEmbeddedDataset, enabled: !active),
            MenuItem("CIFAR-10 from path…", hotkey: "o", action: .openCIFAR10, enabled: !active),
            MenuItem("Download dataset…", hotkey: "D", action: .downloadDataset, enabled: !active),
            MenuItem("CSV file…", hotkey: "f", action: .openCSV, enabled: !active),
            MenuItem("Image folder, MNIST, CIFAR-100…", hotkey: "i", action: .openDataset, enabled: !active),
            MenuItem("Sequence data: text, sums, sine waves…", hotkey: "a", action: .chooseSequenceData, enabled: !active),
            .separator("Model"),
            MenuItem("Zoo model…", hotkey: "M", action: .chooseModel),
            MenuItem("Open model file…", hotkey: "O", action: .openModelFile),
            MenuItem("New model file (design it)", hotkey: "N", action: .newModelDraft),
            MenuItem("Save model file…", hotkey: "W", shortcut: "W", action: .saveModelFile, enabled: modelEditor != nil),
            .separator("View"),
            MenuItem("Runs…", hotkey: "R", shortcut: "R", action: .showRuns, enabled: services.runs != nil),
            MenuItem("Theme…", hotkey: "t", shortcut: "T", action: .chooseTheme),
            MenuItem("Help", hotkey: "h", shortcut: "?", action: .showHelp),
            MenuItem("Quit", hotkey: "q", shortcut: "q", action: .quit),
        ]
    }

    func prompt(_ purpose: PromptPurpose, _ title: String, _ initial: String) {
        overlay = .prompt(Prompt(title: title, purpose: purpose, input: TextInput(initial), error: nil))
    }
}
