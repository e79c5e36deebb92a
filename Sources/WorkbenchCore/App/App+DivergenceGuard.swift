import Foundation
import Tensors

extension App {
    /// The learning rate a rollback proposes: a tenth of the run's.
    static let rollbackFactor = 0.1

    /// The engine paused on a NaN/Inf loss (`why`): offer to roll back to the last good
    /// state (the last epoch end, or the run's start) with a lower learning rate. "No"
    /// leaves the run paused, to change settings by hand, resume (p) or stop (x).
    func offerRollback(_ why: String) {
        let lr = (runHyper ?? hyper).lr
        let lower = lr * App.rollbackFactor
        let good = history.epochs.last.map { "the end of epoch \($0.epoch)" } ?? "the start of the run"
        overlay = .confirm(title: "Training paused: divergence",
                           text: "\(why).\nRoll back to \(good) and resume with lr \(formatHyperparameter(lr)) → \(formatHyperparameter(lower))? "
                               + "(n: stay paused)",
                           onYes: .rollback(lr: lower))
    }
}
