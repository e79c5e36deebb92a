import Foundation
import Tensors

/// `train --commands-stdin`: a thread that reads `RemoteCommand` JSON lines
/// from standard input and sends them to the engine; a bad line is reported
/// and skipped, end of input changes nothing (the run goes on).
enum CommandInput {
    /// Starts the reader thread for `engine`; `say` prints a message line.
    static func start(engine: TrainingEngine, say: @escaping @Sendable (String) -> Void) {
        let reader = Thread {
            while let line = readLine() {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                do {
                    engine.send(try RemoteCommand(line: text).command)
                } catch {
                    say("commands: \(error)")
                }
            }
        }
        reader.name = "workbench.commands"
        reader.start()
    }
}
