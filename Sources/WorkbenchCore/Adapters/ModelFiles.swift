import Foundation
import Tensors

/// The file operations of the model menu, on the files users keep: weights
/// (safetensors with PyTorch keys, `ModelFile`) and checkpoints. Called by the
/// session where the model is quiescent; errors name the file and leave the
/// model as it was.
enum ModelFiles {
    /// Runs `op` on `path`. `checkpoint` gives the current run's checkpoint (nil
    /// before a run); a loaded checkpoint is handed to `restored`. Saved weights carry
    /// `metadata` (architecture, task, classes, test transform) when the data is known,
    /// so the file alone can be predicted with, served and published to a hub. Sequence
    /// models are saved as `workbench train` saves them: their zoo name and `tokenizer`, so
    /// `workbench generate --weights` samples from the file alone.
    static func perform(_ op: FileOperation, path: String, model: Module, modelName: String, metadata: ModelMetadata? = nil,
                        tokenizer: Tokenizer? = nil, config: TrainingConfig, checkpoint: () -> Checkpoint?,
                        restored: (Checkpoint) -> Void) throws {
        let url = URL(fileURLWithPath: path)
        switch op {
        case .saveModel:
            if config.resolvedTask.readsSequences {
                try ModelFile.save(model, modelName: modelName, tokenizer: tokenizer, to: url)
            } else if let metadata { try ModelFile.save(model, metadata: metadata, to: url) } else {
                try ModelFile.save(model, modelName: modelName, to: url)
            }
        case .loadModel:
            try requireFile(path)
            _ = try ModelFile.load(into: model, from: url)
        case .saveCheckpoint:
            let ck = checkpoint() ?? Checkpoint(modelState: model.stateDict(), config: config.dictionary)
            try ck.save(to: url)
        case .loadCheckpoint:
            try requireFile(path)
            let ck = try Checkpoint.load(from: url)
            try model.loadStateDict(ck.modelState)
            restored(ck)
        }
    }

    /// The plan a loaded checkpoint implies (for the progress bar), when it recorded its steps per epoch.
    static func plan(of ck: Checkpoint) -> RunPlan? {
        let spe = ck.history.stepLosses?.stepsPerEpoch ?? 0
        guard spe > 0 else { return nil }
        return RunPlan(epochs: max(ck.epoch, Int(ck.config["epochs"] ?? "") ?? 0), stepsPerEpoch: spe,
                       trainSamples: 0, validationSamples: 0, batchSize: Int(ck.config["batch_size"] ?? "") ?? 0,
                       startEpoch: ck.epoch, startStep: ck.epoch * spe + ck.batch)
    }

    private static func requireFile(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw TrainingSetupError("\(path): no such file") }
    }
}
