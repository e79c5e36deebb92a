import Foundation

/// Where a recorded run ended up.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// A process is writing it now (or died without saying so; see `interrupted`).
    case running
    /// Completed every epoch.
    case finished
    /// Stopped by the user.
    case stopped
    /// Could not continue; the run's message says why.
    case failed
    /// Its writer died (crash, kill -9, power loss) before recording an end; found on a later open.
    case interrupted
}
