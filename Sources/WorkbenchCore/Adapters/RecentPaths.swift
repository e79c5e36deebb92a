import Foundation
import Tensors

/// The datasets opened lately, newest first, kept in a small text file (one
/// path a line) so the dataset prompts can offer them: `$WORKBENCH_HOME/recent-datasets`,
/// else `~/.cache/workbench/recent-datasets`. A missing or unreadable file is an empty list;
/// a failed write is ignored (the list is a convenience).
///
/// ```swift
/// let recents = RecentPaths.standard()
/// recents.add("data/cifar-10-batches-bin")
/// recents.paths.first   // "data/cifar-10-batches-bin"
/// ```
public final class RecentPaths {
    /// Where the list is kept.
    public let file: URL
    /// How many paths are kept.
    public let limit: Int
    /// The paths, newest first.
    public private(set) var paths: [String]

    /// The list kept in `file` (read now).
    public init(file: URL, limit: Int = 8) {
        self.file = file
        self.limit = limit
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        paths = Array(text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }.prefix(limit))
    }

    /// The list `list` (`recent-datasets`, `recent-models`) in the workbench's home folder.
    public static func standard(list: String = "recent-datasets",
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> RecentPaths {
        let home = environment["WORKBENCH_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/workbench")
        return RecentPaths(file: home.appendingPathComponent(list))
    }

    /// Puts `path` first (once) and saves the list.
    public func add(_ path: String) {
        paths.removeAll { $0 == path }
        paths.insert(path, at: 0)
        paths = Array(paths.prefix(limit))
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(Data((paths.joined(separator: "\n") + "\n").utf8), to: file)
    }
}
