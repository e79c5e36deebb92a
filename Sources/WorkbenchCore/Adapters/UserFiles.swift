import Foundation
import Tensors

/// The file system as the app's prompts use it: existence checks, the folder a
/// file goes into, and atomic writes of text. Keeps file I/O out of the UI code.
enum UserFiles {
    /// Whether a file or folder exists at `path`.
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Creates the folder a file will be written into; returns an error message on failure.
    static func makeParentFolder(_ path: String) -> String? {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            return isDir.boolValue ? nil : "\(dir) is a file, not a folder"
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return nil
        } catch {
            return "cannot create the folder \(dir): \(error.localizedDescription)"
        }
    }

    /// Why `path` cannot name a file to write — a folder, or a parent that is a file — or nil
    /// once its parent folder exists (created when missing).
    static func prepareFileToWrite(_ path: String) -> String? {
        var isDir: ObjCBool = false
        if path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue) {
            return "\(path) is a folder; expected a file name"
        }
        return makeParentFolder(path)
    }

    /// Why `path` cannot be read as a file — missing, or a folder — or nil.
    static func fileToReadProblem(_ path: String) -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return "\(path): no such file" }
        return isDir.boolValue ? "\(path) is a folder; expected a file" : nil
    }

    /// Why files cannot be written into the folder `path` (which need not exist yet), or nil
    /// when they can. Creates nothing: it checks `path` or its nearest existing parent.
    static func folderProblem(_ path: String) -> String? {
        var dir = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        while !FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) {
            let up = dir.deletingLastPathComponent()
            if up.path == dir.path { break }
            dir = up
        }
        if !isDir.boolValue { return "\(dir.path) is a file, not a folder" }
        if !FileManager.default.isWritableFile(atPath: dir.path) { return "cannot write in \(dir.path) (permission denied)" }
        return nil
    }

    /// Writes `text` to `path` atomically (temporary file, fsync, rename).
    static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }
}
