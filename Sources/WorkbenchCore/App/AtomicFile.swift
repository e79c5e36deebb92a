import Foundation

/// Atomic file writes: a temp file in the same folder, fsync, then rename over the target,
/// so a crash never leaves a half-written file.
public enum AtomicFile {
    /// Writes `data` to a temp file in the same folder, fsyncs it, then renames it over `path`.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } else if !isDir.boolValue {
            throw FileError("\(dir) is not a folder")
        }
        let tmp = path + ".tmp\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else { throw FileError("cannot write \(tmp)") }
        let fh = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
        do {
            try fh.write(contentsOf: data)
            try fh.synchronize()
            try fh.close()
        } catch {
            try? fh.close()
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            try? FileManager.default.removeItem(atPath: tmp)
            throw FileError("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A file problem with a message naming the path.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ m: String) { description = m }
}
