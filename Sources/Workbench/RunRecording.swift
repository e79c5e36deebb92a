import Foundation
import Tensors
import WorkbenchRuns

/// What a headless run writes besides its output: a run-store record and TensorBoard
/// event files, each optional, attached to the engine before it starts.
struct RunRecording {
    /// The store writer, nil with `--no-record`.
    let recorder: RunRecorder?
    /// The TensorBoard writer, nil without `--tensorboard`.
    let logger: TensorBoardLogger?

    init(store: RunStoreOption?, tensorboard: String?, config: TrainingConfig, task: String, source: String,
         engine: TrainingEngine, name: String? = nil, classes: [String] = []) throws {
        if let store {
            let s = try store.open()
            do {
                let r = try RunRecorder(store: s, config: config, task: task, source: source, name: name, classes: classes)
                r.attach(to: engine)
                recorder = r
                print("Recording run \(r.runId) in \(s.path)")
            } catch { throw UserError("\(error)") }
        } else {
            recorder = nil
        }
        if let tensorboard {
            do {
                let dir = URL(fileURLWithPath: tensorboard).appendingPathComponent(recorder?.runId ?? "run")
                let l = try TensorBoardLogger(directory: dir)
                _ = engine.observe { l.record($0) }
                logger = l
                print("TensorBoard events in \(l.url.path)")
            } catch { throw UserError("--tensorboard \(tensorboard): \(error)") }
        } else {
            logger = nil
        }
    }

    /// Writes what is buffered; records `status` unless the engine already reported an end.
    func close(status: RunStatus, message: String?) {
        if let recorder {
            recorder.end(status, message: message)
            recorder.close()
            if let e = recorder.error { FileHandle.standardError.write(Data("warning: run store: \(e)\n".utf8)) }
        }
        if let logger {
            logger.close()
            if let e = logger.error { FileHandle.standardError.write(Data("warning: tensorboard: \(e)\n".utf8)) }
        }
    }
}
