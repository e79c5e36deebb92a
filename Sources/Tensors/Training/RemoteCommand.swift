import Foundation

/// A `TrainingCommand` that can cross a process boundary: the TUI sends
/// these as JSON lines to a distributed run's standard input
/// (`workbench train --distributed --commands-stdin`), and rank 0 shares
/// them with every rank so all apply them at the same step.
///
/// ```swift
/// let line = RemoteCommand.set(.learningRate(0.01)).line   // {"set":{"_0":{"learningRate":{"_0":0.01}}}}
/// let back = try RemoteCommand(line: line)
/// ```
public enum RemoteCommand: Codable, Equatable, Sendable {
    /// Changes a hyperparameter of every parameter group.
    case set(LiveHyperparameter)
    /// Pauses before the next step.
    case pause
    /// Resumes a paused run.
    case resume
    /// Stops the run at the next step boundary.
    case stop

    /// The engine command.
    public var command: TrainingCommand {
        switch self {
        case .set(let h): return .set(h)
        case .pause: return .pause
        case .resume: return .resume
        case .stop: return .stop
        }
    }

    /// The remote form of `command`; nil for `.perform`, which runs code and stays in its process.
    public init?(_ command: TrainingCommand) {
        switch command {
        case .set(let h): self = .set(h)
        case .pause: self = .pause
        case .resume: self = .resume
        case .stop: self = .stop
        case .perform: return nil
        }
    }

    /// One JSON line (without the newline).
    public var line: String {
        (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Parses a line written by `line`.
    /// - Throws: `TrainingSetupError` naming the line when it is not a command.
    public init(line: some StringProtocol) throws {
        do {
            self = try JSONDecoder().decode(RemoteCommand.self, from: Data(line.utf8))
        } catch {
            throw TrainingSetupError("not a training command: \(line.prefix(80)) (expected e.g. \(RemoteCommand.pause.line))")
        }
    }
}
