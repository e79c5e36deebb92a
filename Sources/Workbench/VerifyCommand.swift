import ArgumentParser
import Foundation
import Tensors
import WorkbenchRuns

/// `workbench verify`: reads the files workbench writes end to end and says
/// whether each is complete — weights and checkpoints (every tensor inside
/// the file, checkpoint metadata decoded), metrics CSV (every row complete),
/// run stores (SQLite's integrity check) and TensorBoard event files (every
/// record's checksums) — and reports temporary files left by a killed writer.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that weights, checkpoints, metrics CSV, run stores and TensorBoard files are complete.",
        discussion: "A folder is checked file by file. Exit status 1 when any file is damaged or a temporary file of an interrupted write remains."
    )

    @Argument(help: ArgumentHelp("Files or folders to check.", valueName: "path")) var paths: [String]

    func run() throws {
        var bad = 0
        for path in paths {
            for file in try Self.files(path) {
                do {
                    print("\(file): ok (\(try Self.verify(file)))")
                } catch {
                    bad += 1
                    print("\(file): damaged: \(error)")
                }
            }
        }
        if bad > 0 { throw UserError("\(bad) damaged or leftover file\(bad == 1 ? "" : "s")") }
    }

    /// `path` itself, or the files of the folder `path` (recursively; SQLite's side files skipped).
    static func files(_ path: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw UserError("\(path): no such file or folder")
        }
        guard isDir.boolValue else { return [path] }
        guard let e = FileManager.default.enumerator(atPath: path) else { return [] }
        var out: [String] = []
        for case let rel as String in e {
            let full = (path as NSString).appendingPathComponent(rel)
            var d: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &d), !d.boolValue else { continue }
            if ["-wal", "-shm", "-journal"].contains(where: { rel.hasSuffix($0) }) { continue }
            out.append(full)
        }
        return out.sorted()
    }

    struct Damaged: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Checks one file; returns what it is, or throws what is wrong.
    static func verify(_ path: String) throws -> String {
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix("."), name.contains(".tmp-") {
            throw Damaged("temporary file of an interrupted write (the next write of that file removes it)")
        }
        let url = URL(fileURLWithPath: path)
        let head = (try? FileHandle(forReadingFrom: url).read(upToCount: 16)) ?? nil
        if head.map({ $0.starts(with: Data("SQLite format 3".utf8)) }) == true {
            let store = try RunStore(path: path, markInterrupted: false)
            let check = try store.integrityCheck()
            guard check == "ok" else { throw Damaged("SQLite integrity check: \(check)") }
            return "run store, \(try store.runs().count) runs"
        }
        if name.lowercased().hasSuffix(".csv") { return try csv(url) }
        if name.hasPrefix("events.out.tfevents") { return try tensorBoard(url) }
        let (tensors, metadata) = try Safetensors.load(from: url)
        if metadata["format"] == Checkpoint.format {
            let ck = try Checkpoint.load(from: url)
            let at = ck.batch > 0 ? "epoch \(ck.epoch + 1) step \(ck.batch)" : "\(ck.epoch) epochs"
            return "checkpoint at \(at), \(ck.modelState.count) model tensors"
        }
        return "safetensors, \(tensors.count) tensors"
    }

    /// Every row has the header's number of fields and the file ends with a newline (`#` lines aside).
    static func csv(_ url: URL) throws -> String {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        guard text.hasSuffix("\n") else { throw Damaged("the last line is incomplete (no newline)") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard let header = lines.first else { throw Damaged("empty") }
        let width = header.split(separator: ",", omittingEmptySubsequences: false).count
        var rows = 0
        for (i, line) in lines.enumerated().dropFirst() where !line.hasPrefix("#") {
            let n = line.split(separator: ",", omittingEmptySubsequences: false).count
            guard n == width else { throw Damaged("line \(i + 1) has \(n) fields, the header \(width)") }
            rows += 1
        }
        return "CSV, \(rows) rows"
    }

    /// TFRecord framing: every record's length and data checksums match. A
    /// record cut short at the very end (the writer killed mid-append) is
    /// reported; TensorBoard reads the records before it.
    static func tensorBoard(_ url: URL) throws -> String {
        let bytes = [UInt8](try Data(contentsOf: url))
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        var at = 0, records = 0
        while at < bytes.count {
            guard at + 12 <= bytes.count else { throw Damaged("record \(records + 1) is cut short after \(records) complete records") }
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }
            guard u32(at + 8) == CRC32C.masked(bytes[at..<at + 8]) else { throw Damaged("record \(records + 1): length checksum mismatch") }
            let room = bytes.count - at - 16
            guard room >= 0, length <= UInt64(room) else {
                throw Damaged("record \(records + 1) is cut short after \(records) complete records")
            }
            let start = at + 12, end = start + Int(length)
            guard u32(end) == CRC32C.masked(bytes[start..<end]) else { throw Damaged("record \(records + 1): data checksum mismatch") }
            at = end + 4
            records += 1
        }
        guard records > 0 else { throw Damaged("no records") }
        return "TensorBoard events, \(records) records"
    }
}
