import Foundation
import Tensors

/// The divergence guard's snapshot: the model's parameters and buffers (copied) and the
/// optimizer's state at the last point the run was known to be good — its start and each
/// epoch end. Taken on the training thread from an engine observer (where the model is
/// quiescent) and restored there through a `.perform` command; the lock only guards the
/// hand-over between the two.
final class LastGoodState: @unchecked Sendable {
    private let lock = NSLock()
    private var _checkpoint: Checkpoint?
    private var _label = "the start of the run"

    /// The snapshot, nil before a run started.
    var checkpoint: Checkpoint? {
        lock.lock(); defer { lock.unlock() }
        return _checkpoint
    }

    /// Where the snapshot was taken ("the end of epoch 3"), for messages.
    var label: String {
        lock.lock(); defer { lock.unlock() }
        return _label
    }

    func clear() {
        lock.lock(); defer { lock.unlock() }
        _checkpoint = nil
        _label = "the start of the run"
    }

    /// Copies `setup`'s model and optimizer state now (call on the training thread). The
    /// random state is left out: a rollback replays no batches, it continues with new ones.
    func take(_ setup: TrainingSetup, _ engine: TrainingEngine) {
        let ck = Checkpoint(modelState: setup.model.stateDict().map { ($0.0, $0.1.clone()) },
                            optimizerState: setup.optimizer.stateDict(), epoch: engine.history.epochs.count,
                            globalStep: engine.globalStep)
        lock.lock(); defer { lock.unlock() }
        _checkpoint = ck
        _label = ck.epoch == 0 ? "the start of the run" : "the end of epoch \(ck.epoch)"
    }
}
