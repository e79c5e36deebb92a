import Crypto
import Foundation

/// A model hub in the spirit of torch.hub: list a source's entrypoints, show
/// one's docstring, load one into a local cache (every file's SHA-256 checked
/// on every load; a mismatch or a missing file is an error and nothing is left
/// half-written, since files are moved into the cache atomically), and
/// publish weights into a hub folder.
///
/// The cache is `$WORKBENCH_HOME/hub`, else `~/.cache/workbench/hub`.
///
/// ```swift
/// let source = try HubSource("models/")            // a folder, file://, https://, owner/repo[:ref], git URL
/// let manifest = try Hub.manifest(source)
/// let weights = try Hub.load(source, entry: "lenet5-shapes")   // verified file in the cache
/// ```
public enum Hub {
    /// The cache root.
    public static func cacheRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["WORKBENCH_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent("hub")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/workbench/hub")
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The root URL files are read from: the folder, the URL, or the git clone in the cache.
    public static func root(_ source: HubSource, cache: URL = cacheRoot()) throws -> URL {
        switch source {
        case .folder(let u): return u
        case .http(let u): return u
        case .git(let url, let ref):
            let dest = cache.appendingPathComponent("git").appendingPathComponent(source.cacheKey)
            let fm = FileManager.default
            if fm.fileExists(atPath: dest.appendingPathComponent(".git").path) {
                _ = try? git(["-C", dest.path, "fetch", "--quiet", "--depth", "1", "origin", ref ?? "HEAD"])
                if (try? git(["-C", dest.path, "checkout", "--quiet", "FETCH_HEAD"])) != nil { return dest }
                return dest
            }
            try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Clone into a temporary folder, then move: an interrupted clone leaves nothing under `dest`.
            let tmp = dest.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)")
            defer { try? fm.removeItem(at: tmp) }
            var args = ["clone", "--quiet", "--depth", "1"]
            if let ref { args += ["--branch", ref] }
            try git(args + [url, tmp.path])
            try fm.moveItem(at: tmp, to: dest)
            return dest
        }
    }

    @discardableResult
    static func git(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + args
        var env = ProcessInfo.processInfo.environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { throw HubError("git is not available: \(error)") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw HubError("git \(args.first ?? "") failed: \(out.split(separator: "\n").first ?? "")")
        }
        return out
    }

    /// The source's manifest.
    public static func manifest(_ source: HubSource, cache: URL = cacheRoot()) throws -> HubManifest {
        let base = try root(source, cache: cache)
        let data = try HubSource.fetch(base, HubManifest.fileName, source: source.description)
        return try HubManifest.parse(data, source: source.description)
    }

    /// Loads `entry` into the cache and returns its weights file: each file is
    /// fetched (or found in the cache), its SHA-256 checked, and moved into
    /// place atomically. Throws for a missing entry or file and a hash mismatch,
    /// leaving the cache as it was.
    public static func load(_ source: HubSource, entry name: String, cache: URL = cacheRoot()) throws -> (weights: URL, entry: HubManifest.Entry) {
        let m = try manifest(source, cache: cache)
        let entry = try m.entry(name, source: source.description)
        guard !entry.files.isEmpty else { throw HubError("\(source): entry '\(name)' lists no files") }
        let base = try root(source, cache: cache)
        let dir = cache.appendingPathComponent(source.cacheKey).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var out: [URL] = []
        for f in entry.files {
            let dest = dir.appendingPathComponent(f.path)
            if let have = FileManager.default.contents(atPath: dest.path), sha256(have) == f.sha256 {
                out.append(dest)
                continue
            }
            try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !base.isFileURL {
                // Over http(s): a verified, resumable, size-capped download straight into the cache.
                let resource = DownloadResource(url: base.appendingPathComponent(f.path).absoluteString, filename: dest.lastPathComponent,
                                                md5: "", size: f.size, sha256: f.sha256)
                do {
                    try Download.fetch(resource, into: dest.deletingLastPathComponent().path)
                } catch {
                    throw HubError("\(source): \(f.path): \(error)")
                }
                out.append(dest)
                continue
            }
            let data = try HubSource.fetch(base, f.path, source: source.description)
            guard data.count == f.size else {
                throw HubError("\(source): \(f.path): \(data.count) bytes, the manifest says \(f.size); nothing was cached")
            }
            let got = sha256(data)
            guard got == f.sha256 else {
                throw HubError("\(source): \(f.path): SHA-256 mismatch (manifest \(f.sha256), file \(got)); nothing was cached")
            }
            try AtomicFile.write(data, to: dest)
            out.append(dest)
        }
        return (out[0], entry)
    }

    /// Throws unless `name` can name a hub entry (and its file): letters, digits, '.', '_', '-', not starting with '.'.
    public static func checkEntryName(_ name: String) throws {
        guard name.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil, !name.hasPrefix(".") else {
            throw HubError("entry name '\(name)': use letters, digits, '.', '_' and '-'")
        }
    }

    /// Publishes `weights` as entry `name` into the hub folder `dir`: copies
    /// the file as `<name>.safetensors`, then rewrites `hub.json` (atomically)
    /// with the entry's architecture, configuration, hash and docstring.
    @discardableResult
    public static func publish(weights: URL, name: String, doc: String, into dir: URL,
                               version: String) throws -> HubManifest.Entry {
        try checkEntryName(name)
        guard let meta = try ModelFile.metadata(in: weights) else {
            throw HubError("\(weights.path): no model metadata; save it with `workbench train --save` (or pass a file that records its architecture)")
        }
        _ = try ModelFile.loadModel(from: weights)  // the weights must fit the architecture they claim
        let data = try Data(contentsOf: weights)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let manifestURL = dir.appendingPathComponent(HubManifest.fileName)
        var manifest = HubManifest()
        if let existing = FileManager.default.contents(atPath: manifestURL.path) {
            manifest = try HubManifest.parse(existing, source: dir.path)
        }
        let file = "\(name).safetensors"
        try AtomicFile.write(data, to: dir.appendingPathComponent(file))
        let entry = HubManifest.Entry(name: name, doc: doc, architecture: meta.architecture.name, config: meta,
                                      requires: version, files: [.init(path: file, sha256: sha256(data), size: data.count)])
        manifest.entries.removeAll { $0.name == name }
        manifest.entries.append(entry)
        try AtomicFile.write(try manifest.json(), to: manifestURL)
        return entry
    }

    /// Writes `weights` in the Hugging Face layout into `dir`: `model.safetensors`,
    /// `config.json` (architecture, shapes, `id2label`/`label2id`, transform) and a
    /// README model card, ready to upload.
    public static func exportHuggingFace(weights: URL, into dir: URL, doc: String) throws {
        guard let meta = try ModelFile.metadata(in: weights) else { throw HubError("\(weights.path): no model metadata") }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(try Data(contentsOf: weights), to: dir.appendingPathComponent("model.safetensors"))
        var config: [String: Any] = [
            "architectures": [meta.architecture.name], "model_type": "workbench-\(meta.architecture.name)",
            "input_shape": meta.architecture.inputShape, "num_labels": meta.architecture.outputs,
            "task": meta.task.rawValue, "library_name": "workbench",
        ]
        if !meta.classes.isEmpty {
            config["id2label"] = Dictionary(uniqueKeysWithValues: meta.classes.enumerated().map { (String($0), $1) })
            config["label2id"] = Dictionary(meta.classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        }
        if let t = meta.transform {
            var p: [String: Any] = [:]
            if let r = t.resize { p["resize"] = r }
            if let c = t.centerCrop { p["center_crop"] = c }
            if let m = t.mean { p["image_mean"] = m.map(Double.init) }
            if let s = t.std { p["image_std"] = s.map(Double.init) }
            config["preprocessing"] = p
        }
        if let f = meta.features { config["feature_names"] = f }
        config["workbench"] = try meta.json()
        let json = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted])
        try AtomicFile.write(json, to: dir.appendingPathComponent("config.json"))
        let classes = meta.classes.isEmpty ? "" : "\n## Classes\n\n" + meta.classes.enumerated().map { "- \($0): \($1)" }.joined(separator: "\n") + "\n"
        let card = """
        ---
        library_name: workbench
        tags:
        - \(meta.architecture.name)
        - \(meta.task.rawValue)
        ---

        # \(meta.architecture.name)

        \(doc)

        - Architecture: `\(meta.architecture.name)` (workbench model zoo), input `\(meta.architecture.inputShape)`, \(meta.architecture.outputs) outputs
        - Task: \(meta.task.rawValue)
        - Weights: `model.safetensors` with PyTorch state-dict keys (`safetensors.torch.load_file`)
        \(classes)
        ## Use

        ```sh
        workbench predict --weights model.safetensors FILES…
        workbench export --format onnx --weights model.safetensors model.onnx
        ```

        """
        try AtomicFile.write(Data(card.utf8), to: dir.appendingPathComponent("README.md"))
    }
}
