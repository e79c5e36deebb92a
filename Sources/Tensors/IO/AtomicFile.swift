import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation that failed, naming the file, the step and the system's reason.
public struct AtomicFileError: TensorsError, Equatable, Sendable {
    /// The file concerned.
    public var path: String
    /// The step that failed and the system's reason.
    public var message: String
    /// An error about `path`.
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// Crash-safe file replacement: the file at a path is either the old one or
/// the complete new one, never a torn mix.
///
/// A write goes to a temporary file in the same folder (so the rename stays on
/// one file system), is flushed with `fsync`, renamed over the destination,
/// and the folder is synced so the rename itself survives a power cut. On any
/// error, including one thrown by the caller's writer midway, the temporary
/// file is removed and the previous file is untouched. An existing file's
/// permission bits are kept.
///
/// A process killed mid-write (SIGKILL, power cut) cannot remove its
/// temporary file; the name carries the writer's process id
/// (`.NAME.tmp-PID-RANDOM`), so the next write of the same file removes the
/// temporary files of writers that are no longer running.
///
/// ```swift
/// try AtomicFile.write(json, to: url)
/// try AtomicFile.write(to: url) { out in
///     try out.write(header)
///     try out.write(body)
/// }
/// ```
public enum AtomicFile {
    /// Streams bytes into the temporary file of an atomic write.
    public final class Writer {
        let fd: Int32
        let path: String
        /// Bytes written so far.
        public private(set) var bytesWritten = 0

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        /// Appends raw bytes.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var p = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = systemWrite(fd, p, Swift.min(left, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(path: path, "write failed: \(String(cString: strerror(errno)))")
                }
                left -= n
                p += n
                bytesWritten += n
            }
        }

        /// Appends `data`.
        public func write(_ data: Data) throws {
            try data.withUnsafeBytes { try write($0) }
        }

        /// Appends the UTF-8 bytes of `string`.
        public func write(_ string: String) throws {
            try write(Data(string.utf8))
        }
    }

    /// Atomically replaces the file at `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(data) }
    }

    /// Atomically replaces the file at `url` with what `body` writes.
    /// If `body` throws, the previous file stays and the error is rethrown.
    public static func write(to url: URL, _ body: (Writer) throws -> Void) throws {
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        guard !name.isEmpty, name != "/" else { throw AtomicFileError(path: path, "not a file path") }

        // Keep the permission bits of the file being replaced.
        var mode: mode_t = 0o644
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw AtomicFileError(path: path, "is a directory") }
            mode = st.st_mode & 0o7777
        }

        removeStaleTemporaries(of: name, in: dir)
        var fd: Int32 = -1
        var tmp = ""
        for _ in 0..<16 {
            tmp = dir + "/" + temporaryPrefix(of: name) + "\(getpid())-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            throw AtomicFileError(path: path, "cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))")
        }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(tmp) }
        }
        _ = fchmod(fd, mode)  // O_CREAT's mode is masked by umask; match the old file exactly
        try body(Writer(fd: fd, path: path))
        if fsync(fd) != 0 {
            throw AtomicFileError(path: path, "fsync failed: \(String(cString: strerror(errno)))")
        }
        closed = true
        if close(fd) != 0 {
            throw AtomicFileError(path: path, "close failed: \(String(cString: strerror(errno)))")
        }
        if rename(tmp, path) != 0 {
            throw AtomicFileError(path: path, "cannot replace the file: \(String(cString: strerror(errno)))")
        }
        renamed = true
        syncDirectory(dir)
    }

    /// Moves a finished file (written elsewhere in the same folder, e.g. a
    /// download's `.part`) into place at `url`: flushes it, renames it over
    /// the destination and syncs the folder, so `url` is either the old file
    /// or the complete new one.
    public static func moveIntoPlace(_ finished: URL, to url: URL) throws {
        let fd = open(finished.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw AtomicFileError(path: finished.path, "cannot open: \(String(cString: strerror(errno)))")
        }
        let synced = fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        guard synced else { throw AtomicFileError(path: finished.path, "fsync failed: \(reason)") }
        if rename(finished.path, url.path) != 0 {
            throw AtomicFileError(path: url.path, "cannot move \(finished.lastPathComponent) into place: \(String(cString: strerror(errno)))")
        }
        syncDirectory(url.deletingLastPathComponent().path)
    }

    /// The start of the temporary files' names for destination `name`.
    static func temporaryPrefix(of name: String) -> String { "." + name + ".tmp-" }

    /// Removes temporary files of `name` in `dir` left by writers that died
    /// mid-write: those whose process id names no running process, and
    /// unnamed ones (older builds) more than an hour old.
    static func removeStaleTemporaries(of name: String, in dir: String) {
        let prefix = temporaryPrefix(of: name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            let path = dir + "/" + entry
            if let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) {
                guard pid != getpid(), pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
            } else {
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                guard let modified, modified < Date(timeIntervalSinceNow: -3600) else { continue }
            }
            unlink(path)
        }
    }

    /// Flushes a directory entry change (the rename) to disk. Some file systems
    /// cannot sync directories; the rename has happened either way.
    static func syncDirectory(_ dir: String) {
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        _ = fsync(dfd)
        close(dfd)
    }

    @inline(__always)
    static func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, p, n)
        #elseif canImport(Musl)
        return Musl.write(fd, p, n)
        #else
        return Darwin.write(fd, p, n)
        #endif
    }
}
