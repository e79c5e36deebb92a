import Foundation

/// Whether the process that wrote a run is still alive.
public enum ProcessLiveness {
    /// This machine's host name, as recorded in runs.
    public static var hostName: String { ProcessInfo.processInfo.hostName }

    /// Whether `pid` names a live process on this machine (a zombie counts as dead).
    public static func isAlive(pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        // A killed child that its parent has not reaped yet is a zombie: it writes nothing more.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("Z") || rest.hasPrefix("X") { return false }
        }
        return true
    }
}
