import Foundation

/// A flag another thread sets to stop a download (`Download.fetch`).
///
/// `Download.fetch` checks it as bytes arrive and every 50 ms while it waits
/// for them, so a transfer stops within a fraction of a second of `cancel()`,
/// even when the server has gone quiet. The bytes received so far stay in the
/// partial file and the next attempt resumes from them.
///
/// ```swift
/// let cancellation = DownloadCancellation()
/// Thread.detachNewThread { try? Download.fetch(CIFAR10.resource, into: "data", cancellation: cancellation) }
/// cancellation.cancel()   // from any thread
/// ```
public final class DownloadCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    /// A flag not yet set.
    public init() {}

    /// Asks the download to stop (idempotent, any thread).
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }
}

/// The error `Download.fetch` throws when its `DownloadCancellation` was set:
/// what was kept for the next attempt.
public struct DownloadCancelled: TensorsError, Equatable, Sendable {
    /// The URL whose transfer stopped.
    public var url: String
    /// The partial file the kept bytes are in (`.NAME.part`), nil when nothing was kept.
    public var partialFile: String?
    /// The bytes kept in `partialFile` (0 when nothing was kept).
    public var keptBytes: Int64

    /// A cancelled transfer of `url` that kept `keptBytes` bytes in `partialFile`.
    public init(url: String, partialFile: String?, keptBytes: Int64) {
        self.url = url
        self.partialFile = partialFile
        self.keptBytes = keptBytes
    }

    /// "download of URL cancelled: N bytes kept in PART, the next download resumes" (or "nothing kept").
    public var description: String {
        guard let partialFile, keptBytes > 0 else { return "download of \(url) cancelled: nothing kept" }
        return "download of \(url) cancelled: \(keptBytes) bytes kept in \(partialFile), the next download resumes"
    }
}
