import Foundation
import Tensors

/// Writes a run's training events as TensorBoard scalars while it trains
/// (`workbench train --tensorboard DIR`): `train/loss` and `train/lr` per step,
/// `epoch/<split>_<metric>` per epoch, `test/<metric>` after the test pass.
/// Events are buffered and written at each epoch end and on close.
public final class TensorBoardLogger: @unchecked Sendable {
    private let writer: TensorBoardEventWriter
    private let lock = NSLock()
    private var step = 0
    private var firstError: String?

    /// A logger writing a new event file in `directory`.
    public init(directory: URL) throws {
        writer = try TensorBoardEventWriter(directory: directory)
    }

    /// The event file.
    public var url: URL { writer.url }

    /// The first write error, if any.
    public var error: String? { lock.lock(); defer { lock.unlock() }; return firstError }

    /// Takes one engine event (on the training thread; cheap except at epoch ends).
    public func record(_ event: TrainingEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .step(let s):
            step = s.globalStep
            writer.scalar("train/loss", s.loss, step: s.globalStep)
            writer.scalar("train/lr", s.lr, step: s.globalStep)
        case .epochEnded(let e):
            for (k, v) in e.train.sorted(by: { $0.key < $1.key }) { writer.scalar("epoch/train_\(k)", v, step: step) }
            for (k, v) in (e.validation ?? [:]).sorted(by: { $0.key < $1.key }) { writer.scalar("epoch/val_\(k)", v, step: step) }
            doFlush()
        case .evaluated(let r):
            writer.scalar("\(r.split)/loss", r.loss, step: step)
            for (k, v) in r.metrics.sorted(by: { $0.key < $1.key }) { writer.scalar("\(r.split)/\(k)", v, step: step) }
            doFlush()
        case .hyperparameterChanged(let h, let at):
            writer.scalar("hparams/\(h.optionName)", h.value, step: at)
        default:
            break
        }
    }

    /// Writes everything buffered and closes the file.
    public func close() {
        lock.lock(); defer { lock.unlock() }
        do { try writer.close() } catch { if firstError == nil { firstError = "\(error)" } }
    }

    private func doFlush() {
        do { try writer.flush() } catch { if firstError == nil { firstError = "\(error)" } }
    }
}
