import Foundation

/// A model hub's manifest (`hub.json`): its entrypoints, each a model with
/// its architecture and configuration, weights files with SHA-256, a
/// docstring and the workbench version it needs.
///
/// ```json
/// {"hub": 1, "entries": [{"name": "lenet5-shapes", "doc": "LeNet-5 on Shapes10",
///   "architecture": "lenet5", "config": {…ModelMetadata…}, "requires": "0.1.0",
///   "files": [{"path": "lenet5-shapes.safetensors", "sha256": "…", "size": 251000}]}]}
/// ```
public struct HubManifest: Codable, Equatable, Sendable {
    /// The manifest format version.
    public static let currentVersion = 1
    /// The file name inside a hub.
    public static let fileName = "hub.json"

    /// One file of an entry, with its hash.
    public struct File: Codable, Equatable, Sendable {
        /// Path relative to the hub's root (no `..`).
        public var path: String
        /// Lower-case hex SHA-256 of the contents.
        public var sha256: String
        /// Size in bytes.
        public var size: Int
    }

    /// One entrypoint.
    public struct Entry: Codable, Equatable, Sendable {
        /// Its name (`hub load SOURCE NAME`).
        public var name: String
        /// Its docstring (`hub help`).
        public var doc: String
        /// The zoo architecture.
        public var architecture: String
        /// The model's configuration (shape, task, classes, transform).
        public var config: ModelMetadata
        /// The workbench version it needs (at least).
        public var requires: String
        /// Its files; the first is the weights file.
        public var files: [File]
    }

    /// Format version.
    public var hub: Int
    /// The entrypoints.
    public var entries: [Entry]

    /// A manifest.
    public init(entries: [Entry] = []) {
        hub = Self.currentVersion
        self.entries = entries
    }

    /// Parses `hub.json` bytes; `source` names it in errors.
    public static func parse(_ data: Data, source: String) throws -> HubManifest {
        let m: HubManifest
        do { m = try JSONDecoder().decode(HubManifest.self, from: data) } catch {
            throw HubError("\(source): \(fileName) is not a valid hub manifest (\(error))")
        }
        guard m.hub <= currentVersion else { throw HubError("\(source): manifest version \(m.hub) is newer than this workbench reads") }
        for e in m.entries {
            guard isSafeName(e.name) else {
                throw HubError("\(source): entry name '\(e.name)' is not allowed (letters, digits, '.', '_' and '-', not starting with '.')")
            }
            for f in e.files {
                guard isSafePath(f.path) else {
                    throw HubError("\(source): entry '\(e.name)' file path '\(f.path)' leaves the hub or names a hidden file "
                                   + "(expected a relative path of plain names, without '..', '.' or backslashes)")
                }
                guard f.sha256.count == 64, f.sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                    throw HubError("\(source): entry '\(e.name)' file '\(f.path)': sha256 must be 64 lower-case hex digits")
                }
                guard f.size >= 0, f.size <= maxFileSize else {
                    throw HubError("\(source): entry '\(e.name)' file '\(f.path)': size \(f.size) is outside 0…\(maxFileSize) bytes")
                }
            }
        }
        return m
    }

    /// The largest file a manifest may list (16 GiB).
    public static let maxFileSize = 16 << 30

    /// Whether `name` can name an entry (and its cache folder): letters, digits, `.`, `_`, `-`, not starting with `.`.
    public static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// Whether `path` stays inside the hub: relative, `/`-separated names that
    /// are neither empty nor hidden (no `..`, `.`, `.git`), without backslashes or control characters.
    public static func isSafePath(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 4096, !path.contains("\\"),
              !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return false }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") && !$0.hasPrefix("~") }
    }

    /// The JSON written to `hub.json` (sorted keys, indented).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The entry called `name`, or an error listing the available ones.
    public func entry(_ name: String, source: String) throws -> Entry {
        guard let e = entries.first(where: { $0.name == name }) else {
            throw HubError("\(source): no entry '\(name)' (available: \(entries.map(\.name).joined(separator: ", ")))")
        }
        return e
    }
}

/// A hub operation that failed: unreachable source, bad manifest, hash mismatch, missing file.
public struct HubError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
