import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A file to download: where from, what to call it, and how to verify it.
public struct DownloadResource: Sendable, Equatable {
    /// The URL to fetch (http or https).
    public var url: String
    /// The file name in the destination folder.
    public var filename: String
    /// The expected MD5 digest, lowercase hex.
    public var md5: String
    /// The expected size in bytes, if known.
    public var size: Int?

    /// A file to fetch from `url`, saved as `filename`, verified by `md5` (and `size` if given).
    public init(url: String, filename: String, md5: String, size: Int? = nil) {
        self.url = url
        self.filename = filename
        self.md5 = md5.lowercased()
        self.size = size
    }
}

/// Downloads with verification: the file is written under a temporary name
/// in the destination folder, its MD5 is computed while it arrives, and only
/// a complete, verified file is moved into place (fsync + rename). A failed,
/// interrupted or mismatching transfer leaves nothing behind.
public enum Download {
    /// Progress callback: bytes received so far and the total, if the server sent one.
    public typealias Progress = (_ received: Int64, _ total: Int64?) -> Void

    /// Fetches `resource` into `directory` (created if needed) and returns the file's path.
    /// An existing file with the right MD5 is kept and not downloaded again.
    /// - Throws: `DataError.Kind.download` on network errors, HTTP errors,
    ///   short transfers, size or checksum mismatches.
    @discardableResult
    public static func fetch(_ resource: DownloadResource, into directory: String,
                             progress: Progress? = nil) throws -> String {
        let dest = joinPath(directory, resource.filename)
        if fileExists(dest), (try? md5(ofFile: dest)) == resource.md5 { return dest }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.io, "download: cannot create folder \(directory) (\(error.localizedDescription))")
        }
        let temp = joinPath(directory, ".\(resource.filename).part-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temp, contents: nil),
              let handle = FileHandle(forWritingAtPath: temp) else {
            throw DataError(.io, "download: cannot write in \(directory)")
        }
        var keepTemp = false
        defer {
            try? handle.close()
            if !keepTemp { try? FileManager.default.removeItem(atPath: temp) }
        }
        guard let url = URL(string: resource.url), url.scheme == "http" || url.scheme == "https" else {
            throw DataError(.invalidArgument, "download: '\(resource.url)' is not an http(s) URL")
        }
        let task = DownloadTask(handle: handle, progress: progress)
        try task.run(url)
        let name = resource.url
        if let total = task.expected, task.received != total {
            throw DataError(.download, "download of \(name) was interrupted: received \(task.received) of \(total) bytes")
        }
        if let size = resource.size, task.received != Int64(size) {
            throw DataError(.download, "download of \(name): received \(task.received) bytes, expected \(size)")
        }
        let digest = task.digest()
        guard digest == resource.md5 else {
            throw DataError(.download, "download of \(name): MD5 mismatch (got \(digest), expected \(resource.md5)); the file was discarded")
        }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw DataError(.io, "download: cannot flush \(temp) (\(error.localizedDescription))")
        }
        guard rename(temp, dest) == 0 else {
            throw DataError(.io, "download: cannot move the file into place at \(dest) (\(String(cString: strerror(errno))))")
        }
        keepTemp = true
        return dest
    }

    /// The MD5 of a file, lowercase hex.
    public static func md5(ofFile path: String) throws -> String {
        let f = try FileSource(path: path)
        var hasher = Insecure.MD5()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buf.withUnsafeMutableBytes { try f.read(into: $0) }
            if n == 0 { break }
            buf.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A progress printer for the terminal: `Downloading … 42%` on stderr.
    public static func terminalProgress(label: String) -> Progress {
        var lastShown = -1
        let tty = isatty(2) != 0
        return { received, total in
            guard let total, total > 0 else { return }
            let pct = Int(received * 100 / total)
            let step = tty ? 1 : 10
            guard pct / step != lastShown / step || pct == 100, pct != lastShown else { return }
            lastShown = pct
            let line = "Downloading \(label): \(pct)% (\(received / 1_000_000) of \(total / 1_000_000) MB)"
            FileHandle.standardError.write(Data((tty ? "\r" + line + (pct == 100 ? "\n" : "") : line + "\n").utf8))
        }
    }
}

/// One HTTP GET streamed to a file handle, with a running MD5.
/// Delegate callbacks run on one serial queue; `run` reads the state only after they finish.
private final class DownloadTask: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let handle: FileHandle
    let progress: Download.Progress?
    private var hasher = Insecure.MD5()
    private(set) var received: Int64 = 0
    private(set) var expected: Int64?
    private var failure: Error?
    private let done = DispatchSemaphore(value: 0)

    init(handle: FileHandle, progress: Download.Progress?) {
        self.handle = handle
        self.progress = progress
    }

    func digest() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }

    func run(_ url: URL) throws {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 60
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
        session.dataTask(with: url).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        if let f = failure {
            if let d = f as? DataError { throw d }
            let received = self.received
            let total = expected.map { " of \($0)" } ?? ""
            throw DataError(.download, "download of \(url.absoluteString) failed after \(received)\(total) bytes: \(f.localizedDescription)")
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            failure = DataError(.download, "download of \(response.url?.absoluteString ?? "?") failed: HTTP status \(http.statusCode)")
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = DataError(.io, "download: cannot write the file (\(error.localizedDescription))")
            dataTask.cancel()
            return
        }
        hasher.update(data: data)
        received += Int64(data.count)
        progress?(received, expected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil, let error { failure = error }
        done.signal()
    }
}
