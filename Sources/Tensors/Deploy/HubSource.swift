import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where a hub lives: a local folder (or `file://` URL), an `http(s)://`
/// URL, or a git repository (`owner/repo[:ref]` on GitHub, or a git URL with
/// an optional `#ref`), cloned with the git CLI.
public enum HubSource: Equatable, Sendable, CustomStringConvertible {
    case folder(URL)
    case http(URL)
    case git(url: String, ref: String?)

    /// Parses the SOURCE argument of `workbench hub`.
    public init(_ text: String) throws {
        if text.hasPrefix("file://") {
            guard let u = URL(string: text), u.isFileURL else { throw HubError("\(text): not a valid file:// URL") }
            self = .folder(u)
        } else if text.hasPrefix("http://") || text.hasPrefix("https://") {
            let (base, ref) = Self.splitRef(text, "#")
            if base.hasSuffix(".git") {
                self = .git(url: base, ref: ref)
            } else {
                guard let u = URL(string: text.hasSuffix("/") ? text : text + "/") else { throw HubError("\(text): not a valid URL") }
                self = .http(u)
            }
        } else if text.hasPrefix("git@") || text.hasSuffix(".git") || text.contains(".git#") {
            let (base, ref) = Self.splitRef(text, "#")
            self = .git(url: base, ref: ref)
        } else if FileManager.default.fileExists(atPath: text) {
            self = .folder(URL(fileURLWithPath: text, isDirectory: true))
        } else if text.range(of: #"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(:[^\s]+)?$"#, options: .regularExpression) != nil {
            let (base, ref) = Self.splitRef(text, ":")
            self = .git(url: "https://github.com/\(base).git", ref: ref)
        } else {
            throw HubError("\(text): not a hub source (expected a folder, file://, https:// URL, owner/repo[:ref] or a git URL)")
        }
    }

    static func splitRef(_ s: String, _ sep: Character) -> (String, String?) {
        guard let i = s.lastIndex(of: sep) else { return (s, nil) }
        return (String(s[..<i]), String(s[s.index(after: i)...]))
    }

    public var description: String {
        switch self {
        case .folder(let u): return u.path
        case .http(let u): return u.absoluteString
        case .git(let url, let ref): return ref.map { "\(url)#\($0)" } ?? url
        }
    }

    /// A stable folder name for this source in the cache.
    public var cacheKey: String {
        let d = Data(description.utf8)
        return Hub.sha256(d).prefix(16).description
    }

    /// The most bytes `fetch` accepts over http(s) (manifests; weights go through `Download`, capped by their size).
    static let maxFetchBytes = 16 << 20

    /// The bytes of `path` under this source (git sources must be cloned first; see `Hub.root`).
    static func fetch(_ base: URL, _ path: String, source: String) throws -> Data {
        if base.isFileURL {
            let u = base.appendingPathComponent(path)
            // A symbolic link inside the hub (a folder or a cloned repository) must not lead out of it.
            let root = base.resolvingSymlinksInPath().path
            let real = u.resolvingSymlinksInPath().path
            guard real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                throw HubError("\(source): \(path) is a link to \(real), outside the hub; refused")
            }
            guard let d = FileManager.default.contents(atPath: u.path) else { throw HubError("\(source): missing file \(path)") }
            return d
        }
        let u = base.appendingPathComponent(path)
        if let caFile = CertificateTrust.caFile(for: u) {
            return try fetchWithCurl(u, path, caFile: caFile, source: source)
        }
        let sem = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var data: Data?; var status = 0; var error: Error? }
        let box = Box()
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 30
        let session = URLSession(configuration: config)
        session.dataTask(with: u) { d, r, e in
            box.data = d
            box.status = (r as? HTTPURLResponse)?.statusCode ?? 0
            box.error = e
            sem.signal()
        }.resume()
        sem.wait()
        session.finishTasksAndInvalidate()
        if let e = box.error {
            throw HubError("\(source): cannot fetch \(path): \(CertificateTrust.explain(e.localizedDescription, url: u) ?? e.localizedDescription)")
        }
        guard box.status == 200, let d = box.data else { throw HubError("\(source): \(path): HTTP \(box.status)") }
        guard d.count <= maxFetchBytes else {
            throw HubError("\(source): \(path) is \(d.count) bytes, over the limit of \(maxFetchBytes) bytes for a manifest")
        }
        return d
    }

    /// `fetch` over https with a private CA trusted (`CertificateTrust`): through the curl program, capped at `maxFetchBytes`.
    private static func fetchWithCurl(_ u: URL, _ path: String, caFile: String, source: String) throws -> Data {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-hub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        do {
            try CertificateTrust.curl(["--max-filesize", String(maxFetchBytes), "--output", tmp.path], caFile: caFile, url: u)
        } catch let e as CertificateTrust.CurlError {
            throw HubError("\(source): cannot fetch \(path): \(e.status == 63 ? "over the limit of \(maxFetchBytes) bytes for a manifest" : e.message)")
        }
        guard let d = FileManager.default.contents(atPath: tmp.path) else { throw HubError("\(source): cannot fetch \(path): nothing arrived") }
        guard d.count <= maxFetchBytes else {
            throw HubError("\(source): \(path) is \(d.count) bytes, over the limit of \(maxFetchBytes) bytes for a manifest")
        }
        return d
    }
}
