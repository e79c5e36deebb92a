import Foundation

/// Tab completion of a path typed in a prompt, like a shell's: the entries of
/// the folder that start with the last component; one match completes it
/// (folders get a trailing `/`), several complete their common prefix and
/// are listed. `~` stands for the home folder. Hidden entries are offered
/// only when the typed component starts with a dot.
///
/// ```swift
/// let c = PathCompletion.complete("data/ci")   // ("data/cifar-10-batches-bin/", ["cifar-10-batches-bin/"])
/// ```
public enum PathCompletion {
    /// The completed text and the candidate names (empty when nothing matches).
    public static func complete(_ text: String, fileManager: FileManager = .default) -> (text: String, candidates: [String]) {
        let slash = text.lastIndex(of: "/")
        let dirPart = slash.map { String(text[...$0]) } ?? ""
        let prefix = slash.map { String(text[text.index(after: $0)...]) } ?? text
        let dirPath = expand(dirPart.isEmpty ? "." : dirPart)
        guard let entries = try? fileManager.contentsOfDirectory(atPath: dirPath) else { return (text, []) }
        let names = entries.filter { $0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted()
        let shown = names.map { name -> String in
            var isDir: ObjCBool = false
            _ = fileManager.fileExists(atPath: (dirPath as NSString).appendingPathComponent(name), isDirectory: &isDir)
            return isDir.boolValue ? name + "/" : name
        }
        guard let first = shown.first else { return (text, []) }
        if shown.count == 1 { return (dirPart + first, shown) }
        var common = first
        for s in shown.dropFirst() {
            while !s.hasPrefix(common) { common.removeLast() }
        }
        return (dirPart + (common.count > prefix.count ? common : prefix), shown)
    }

    /// `~/x` → the home folder's `x`.
    static func expand(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + path.dropFirst()
    }
}
