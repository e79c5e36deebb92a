import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A file to download: where from, what to call it, how to verify it, and
/// the most bytes to accept.
public struct DownloadResource: Sendable, Equatable {
    /// The URL to fetch (http or https).
    public var url: String
    /// The file name in the destination folder.
    public var filename: String
    /// The expected MD5 digest, lowercase hex (empty: not checked; then `sha256` must be given).
    public var md5: String
    /// The expected SHA-256 digest, lowercase hex, if known.
    public var sha256: String?
    /// The expected size in bytes, if known.
    public var size: Int?
    /// The most bytes accepted; nil: `size` if known, else `Download.defaultMaxBytes`.
    public var maxBytes: Int?

    /// A file to fetch from `url`, saved as `filename`, verified by `md5` and/or
    /// `sha256` (and `size` if given), refused beyond `maxBytes`.
    public init(url: String, filename: String, md5: String, size: Int? = nil, sha256: String? = nil, maxBytes: Int? = nil) {
        self.url = url
        self.filename = filename
        self.md5 = md5.lowercased()
        self.sha256 = sha256?.lowercased()
        self.size = size
        self.maxBytes = maxBytes
    }

    /// The byte limit this download enforces.
    public var limit: Int64 { Int64(maxBytes ?? size ?? Download.defaultMaxBytes) }
}

/// Verified, resumable, capped downloads.
///
/// Bytes arrive in `.FILENAME.part` in the destination folder. A transfer cut
/// short keeps that file; the next attempt asks for the rest with
/// `Range: bytes=N-` and appends when the server answers 206 (it starts over
/// on a 200). The digest (MD5 and/or SHA-256) covers the whole file, and only
/// a complete, verified file is moved into place (fsync + rename through
/// `AtomicFile`). A mismatching file is discarded. A server announcing, or
/// sending, more than the limit is refused and the partial file discarded.
/// A `DownloadCancellation` stops the transfer within a fraction of a second;
/// the partial file is kept (the next attempt resumes) and `DownloadCancelled`
/// is thrown.
public enum Download {
    /// Progress callback: bytes received so far and the total, if the server sent one.
    public typealias Progress = (_ received: Int64, _ total: Int64?) -> Void

    /// The limit when a resource gives neither `maxBytes` nor `size` (4 GiB).
    public static let defaultMaxBytes = 4 << 30

    /// The partial file of `filename` in `directory`.
    public static func partialPath(of filename: String, in directory: String) -> String {
        joinPath(directory, ".\(filename).part")
    }

    /// Fetches `resource` into `directory` (created if needed) and returns the file's path.
    /// An existing file with the right digest is kept and not downloaded again.
    /// - Parameters:
    ///   - progress: called (on a background thread) as bytes arrive.
    ///   - cancellation: stops the transfer when set; the bytes so far stay in the partial file.
    ///   - verifying: called (on the calling or a background thread) before a
    ///     digest is checked: of a file already there, of a kept partial file, of the finished transfer.
    /// - Throws: `DataError.Kind.download` on network errors, HTTP errors,
    ///   short transfers (the partial file is kept for the next attempt),
    ///   size or checksum mismatches, and transfers over the limit;
    ///   `DownloadCancelled` when `cancellation` was set.
    @discardableResult
    public static func fetch(_ resource: DownloadResource, into directory: String, progress: Progress? = nil,
                             cancellation: DownloadCancellation? = nil, verifying: (() -> Void)? = nil) throws -> String {
        guard let url = URL(string: resource.url), url.scheme == "http" || url.scheme == "https" else {
            throw DataError(.invalidArgument, "download: '\(resource.url)' is not an http(s) URL")
        }
        guard !resource.md5.isEmpty || resource.sha256 != nil else {
            throw DataError(.invalidArgument, "download of \(resource.url): no MD5 or SHA-256 to verify it against")
        }
        let dest = joinPath(directory, resource.filename)
        let part = partialPath(of: resource.filename, in: directory)
        if fileExists(dest) {
            verifying?()
            if (try? DownloadDigest(resource).ofFile(dest)) == true { return dest }
        }
        if cancellation?.isCancelled == true {
            let kept = fileSize(part)
            throw DownloadCancelled(url: resource.url, partialFile: kept > 0 ? part : nil, keptBytes: kept)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.io, "download: cannot create folder \(directory) (\(error.localizedDescription))")
        }
        var digest = DownloadDigest(resource)
        var have: Int64 = 0
        if fileExists(part) {
            verifying?()
            // Hash what an earlier attempt kept; a part at or over the limit cannot be a prefix of a good file.
            have = (try? digest.update(fromFile: part)) ?? -1
            if have < 0 || have >= resource.limit {
                try? FileManager.default.removeItem(atPath: part)
                digest = DownloadDigest(resource)
                have = 0
            }
        }
        if let caFile = CertificateTrust.caFile(for: url) {
            return try fetchWithCurl(resource, url: url, caFile: caFile, part: part, dest: dest)
        }
        if have == 0 {
            guard FileManager.default.createFile(atPath: part, contents: nil) else {
                throw DataError(.io, "download: cannot write in \(directory)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: part) else { throw DataError(.io, "download: cannot write \(part)") }
        _ = try? handle.seekToEnd()
        var discard = false
        defer {
            try? handle.close()
            if discard { try? FileManager.default.removeItem(atPath: part) }
        }
        let task = DownloadTask(handle: handle, digest: digest, resumeFrom: have, limit: resource.limit,
                                size: resource.size.map(Int64.init), name: resource.url, progress: progress,
                                cancellation: cancellation)
        do {
            try task.run(url)
        } catch let e as DataError {
            // A refused transfer, or one that kept nothing (an HTTP error), leaves no partial file.
            discard = task.refused || task.received == 0
            throw e
        }
        if task.cancelled {
            discard = task.received == 0
            throw DownloadCancelled(url: resource.url, partialFile: discard ? nil : part, keptBytes: task.received)
        }
        let name = resource.url
        if let total = task.expected, task.received != total {
            throw DataError(.download, "download of \(name) was interrupted: received \(task.received) of \(total) bytes; kept in \(part) to resume")
        }
        if let size = resource.size, task.received != Int64(size) {
            discard = true
            throw DataError(.download, "download of \(name): received \(task.received) bytes, expected \(size); the file was discarded")
        }
        verifying?()
        if let mismatch = task.digest.mismatch() {
            discard = true
            throw DataError(.download, "download of \(name): \(mismatch); the file was discarded")
        }
        do {
            try handle.synchronize()
            try handle.close()
            try AtomicFile.moveIntoPlace(URL(fileURLWithPath: part), to: URL(fileURLWithPath: dest))
        } catch {
            throw DataError(.io, "download of \(name): cannot move the file into place at \(dest) (\(error))")
        }
        return dest
    }

    /// The size of the file at `path` in bytes (0 when there is none).
    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The https transfer when a private CA is trusted (`CertificateTrust`): the curl program
    /// appends to the partial file (`--continue-at -`, so an interrupted transfer resumes), refuses
    /// an announced size over the limit, and the whole file is then checked and moved into place
    /// as on the URLSession path.
    private static func fetchWithCurl(_ resource: DownloadResource, url: URL, caFile: String, part: String,
                                      dest: String) throws -> String {
        let name = resource.url
        do {
            try CertificateTrust.curl(["--continue-at", "-", "--max-filesize", String(resource.limit), "--output", part],
                                      caFile: caFile, url: url)
        } catch let e as CertificateTrust.CurlError {
            let kept = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0
            switch e.status {
            case 63:
                try? FileManager.default.removeItem(atPath: part)
                throw DataError(.download, "download of \(name) refused: the server announces more than the limit of \(resource.limit) bytes")
            case 33, 36:
                try? FileManager.default.removeItem(atPath: part)
                throw DataError(.download, "download of \(name): the server cannot resume at byte \(kept); the partial file was discarded, run again")
            default:
                if kept == 0 { try? FileManager.default.removeItem(atPath: part) }
                throw DataError(.download, "download of \(name) failed\(kept > 0 ? " after \(kept) bytes (kept to resume)" : ""): \(e.message)")
            }
        }
        var digest = DownloadDigest(resource)
        let received = try digest.update(fromFile: part)
        if let size = resource.size, received != Int64(size) {
            try? FileManager.default.removeItem(atPath: part)
            throw DataError(.download, "download of \(name): received \(received) bytes, expected \(size); the file was discarded")
        }
        if let mismatch = digest.mismatch() {
            try? FileManager.default.removeItem(atPath: part)
            throw DataError(.download, "download of \(name): \(mismatch); the file was discarded")
        }
        do {
            try AtomicFile.moveIntoPlace(URL(fileURLWithPath: part), to: URL(fileURLWithPath: dest))
        } catch {
            throw DataError(.io, "download of \(name): cannot move the file into place at \(dest) (\(error))")
        }
        return dest
    }

    /// The MD5 of a file, lowercase hex.
    public static func md5(ofFile path: String) throws -> String {
        var d = DownloadDigest(md5: "x", sha256: nil)
        _ = try d.update(fromFile: path)
        return d.md5Hex() ?? ""
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

/// One HTTP GET (from byte `resumeFrom` with a Range header) streamed to a
/// file handle, hashed as it arrives, stopped past `limit` or when `cancellation` is set.
/// Delegate callbacks run on one serial queue (so does the cancel `run` schedules);
/// `run` reads the state only after they finish.
private final class DownloadTask: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let handle: FileHandle
    let progress: Download.Progress?
    let limit: Int64
    /// The file's known size: a server announcing another is refused before any byte is kept.
    let size: Int64?
    let name: String
    let cancellation: DownloadCancellation?
    private(set) var digest: DownloadDigest
    private let initialDigest: DownloadDigest
    private let resumeFrom: Int64
    /// Bytes of the whole file held so far (the kept part included).
    private(set) var received: Int64
    /// The whole file's size, if the server said.
    private(set) var expected: Int64?
    /// Whether the transfer was refused for its size (the partial file must go).
    private(set) var refused = false
    /// Whether the transfer stopped because `cancellation` was set (the partial file stays).
    private(set) var cancelled = false
    /// Set when the task has completed (on the delegate queue).
    private var completed = false
    private var failure: Error?
    private let done = DispatchSemaphore(value: 0)

    init(handle: FileHandle, digest: DownloadDigest, resumeFrom: Int64, limit: Int64, size: Int64?, name: String,
         progress: Download.Progress?, cancellation: DownloadCancellation?) {
        self.handle = handle
        self.digest = digest
        initialDigest = digest
        self.resumeFrom = resumeFrom
        received = resumeFrom
        self.limit = limit
        self.size = size
        self.name = name
        self.progress = progress
        self.cancellation = cancellation
    }

    func run(_ url: URL) throws {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 60
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
        var request = URLRequest(url: url)
        if resumeFrom > 0 { request.setValue("bytes=\(resumeFrom)-", forHTTPHeaderField: "Range") }
        let dataTask = session.dataTask(with: request)
        dataTask.resume()
        // Wake every 50 ms to notice a cancel while no bytes arrive.
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            guard cancellation?.isCancelled == true else { continue }
            queue.addOperation { [self] in stop(dataTask) }
            done.wait()
            break
        }
        session.finishTasksAndInvalidate()
        if cancelled { return }
        if let f = failure {
            if let d = f as? DataError { throw d }
            let total = expected.map { " of \($0)" } ?? ""
            let why = CertificateTrust.explain(f.localizedDescription, url: url) ?? f.localizedDescription
            let kept = received > 0 ? " after \(received)\(total) bytes (kept to resume)" : ""
            throw DataError(.download, "download of \(url.absoluteString) failed\(kept): \(why)")
        }
    }

    /// Cancels the transfer for the user (on the delegate queue), unless it already ended.
    private func stop(_ dataTask: URLSessionDataTask) {
        guard !completed else { return }
        if failure == nil {
            cancelled = true
            failure = DownloadCancelled(url: name, partialFile: nil, keptBytes: received)
        }
        dataTask.cancel()
    }

    /// Ends a transfer refused at its response. The `.cancel` disposition alone does not
    /// end it on Linux while the server keeps sending (the task completes only when the
    /// body is over), so the task is cancelled too.
    private func reject(_ dataTask: URLSessionDataTask, _ completionHandler: (URLSession.ResponseDisposition) -> Void) {
        completionHandler(.cancel)
        dataTask.cancel()
    }

    private func refuse(_ message: String) {
        refused = true
        failure = DataError(.download, message)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 200
        let length: Int64? = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        if status == 206, resumeFrom > 0 {
            // Content-Range: bytes START-END/TOTAL must continue where the kept part ends.
            let range = (http?.value(forHTTPHeaderField: "Content-Range") ?? "")
            let start = range.split(whereSeparator: { " -/".contains($0) }).dropFirst().first.flatMap { Int64($0) }
            guard start == resumeFrom else {
                refuse("download of \(name): the server resumed at '\(range)', not at byte \(resumeFrom); the partial file was discarded")
                reject(dataTask, completionHandler)
                return
            }
            expected = length.map { resumeFrom + $0 }
        } else if (200..<300).contains(status) {
            // A full answer (the server ignored the Range): start over.
            if received > 0 {
                do { try handle.truncate(atOffset: 0) } catch {
                    failure = DataError(.io, "download: cannot truncate the partial file (\(error.localizedDescription))")
                    reject(dataTask, completionHandler)
                    return
                }
                received = 0
                digest = initialDigest.restarted()
            }
            expected = length
        } else if status == 416, resumeFrom > 0 {
            refuse("download of \(name): the server cannot resume at byte \(resumeFrom) (HTTP 416); the partial file was discarded, run again")
            reject(dataTask, completionHandler)
            return
        } else {
            failure = DataError(.download, "download of \(response.url?.absoluteString ?? name) failed: HTTP status \(status)")
            reject(dataTask, completionHandler)
            return
        }
        if let expected, expected > limit {
            refuse("download of \(name) refused: the server announces \(expected) bytes, over the limit of \(limit) bytes")
            reject(dataTask, completionHandler)
            return
        }
        if let expected, let size, expected != size {
            refuse("download of \(name) refused: the server announces \(expected) bytes, expected \(size) (another file?); nothing was kept")
            reject(dataTask, completionHandler)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        if cancellation?.isCancelled == true { return stop(dataTask) }
        guard received + Int64(data.count) <= limit else {
            refuse("download of \(name) stopped: more than the limit of \(limit) bytes arrived; the partial file was discarded")
            dataTask.cancel()
            return
        }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = DataError(.io, "download: cannot write the file (\(error.localizedDescription))")
            dataTask.cancel()
            return
        }
        digest.update(data)
        received += Int64(data.count)
        progress?(received, expected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil, let error { failure = error }
        completed = true
        done.signal()
    }
}
