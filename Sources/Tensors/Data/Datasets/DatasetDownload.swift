import Foundation

/// The files of one downloadable dataset, where they go, and fetching them
/// all (verified, resumable, cancellable) with progress over the whole set.
///
/// `official(_:)` gives torchvision's files and digests: CIFAR-10 and
/// CIFAR-100 (the binary releases) go into the chosen folder, MNIST and
/// Fashion-MNIST's four `.gz` files into `FOLDER/MNIST/raw` and
/// `FOLDER/FashionMNIST/raw`, where the readers look first.
///
/// `resolved(_:environment:)` applies two variables for offline use and tests:
/// - `WORKBENCH_DATASET_MIRROR=http://host:port/path/` fetches every file
///   from `MIRROR/<mirrorFolder>/<file>` (`cifar-10/`, `cifar-100/`,
///   `mnist/`, `fashion-mnist/`) instead, still checked against the official
///   MD5, so a mirror of the real files needs nothing else.
/// - `WORKBENCH_DATASET_MANIFEST=FILE` (only with a mirror) names a local
///   file in `md5sum` format (`HASH  mnist/train-images-idx3-ubyte.gz`, paths
///   relative to the mirror) whose digests replace the official ones for the
///   files it lists: for a mirror of other files (a test's generated ones).
///   The digest comes from a file the user wrote, never from the mirror.
///
/// ```swift
/// let mnist = try DatasetDownload.resolved(.mnist)
/// let root = try mnist.fetch(into: "data") { p in print(p.filename, p.received) }
/// let train = try MNIST(root: root, train: true)
/// ```
public struct DatasetDownload: Sendable, Equatable {
    /// The dataset.
    public var kind: ImageDatasetKind
    /// Its files, fetched in this order.
    public var resources: [DownloadResource]
    /// The folder under the chosen one the files go in ("" for the chosen folder itself).
    public var subfolder: String

    /// The variable naming a mirror that replaces the base URL of every dataset file.
    public static let mirrorVariable = "WORKBENCH_DATASET_MIRROR"
    /// The variable naming a local `md5sum`-format file of digests for the mirror's files.
    public static let manifestVariable = "WORKBENCH_DATASET_MANIFEST"

    /// `kind`'s files in `subfolder` of the chosen folder.
    public init(kind: ImageDatasetKind, resources: [DownloadResource], subfolder: String = "") {
        self.kind = kind
        self.resources = resources
        self.subfolder = subfolder
    }

    /// torchvision's files and digests for `kind`.
    public static func official(_ kind: ImageDatasetKind) -> DatasetDownload {
        func idx(_ mirror: String, _ files: [(String, String)], sizes: [Int], folder: String) -> DatasetDownload {
            DatasetDownload(kind: kind, resources: zip(files, sizes).map { f, size in
                DownloadResource(url: mirror + f.0, filename: f.0, md5: f.1, size: size)
            }, subfolder: folder)
        }
        switch kind {
        case .cifar10: return DatasetDownload(kind: kind, resources: [CIFAR10.resource])
        case .cifar100: return DatasetDownload(kind: kind, resources: [CIFAR100.resource])
        case .mnist:
            return idx(MNIST.mirror, MNIST.resources, sizes: [9_912_422, 28_881, 1_648_877, 4_542], folder: "MNIST/raw")
        case .fashionMNIST:
            return idx(FashionMNIST.mirror, FashionMNIST.resources, sizes: [26_421_880, 29_515, 4_422_102, 5_148],
                       folder: "FashionMNIST/raw")
        }
    }

    /// The official files of `kind`, with `WORKBENCH_DATASET_MIRROR` and
    /// `WORKBENCH_DATASET_MANIFEST` from `environment` applied.
    /// - Throws: `DataError.Kind.invalidArgument` for a mirror that is not an
    ///   http(s) URL, or a manifest without a mirror; `.io`/`.badFormat` for a
    ///   manifest that cannot be read.
    public static func resolved(_ kind: ImageDatasetKind,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatasetDownload {
        let mirror = environment[mirrorVariable].flatMap { $0.isEmpty ? nil : $0 }
        let manifest = environment[manifestVariable].flatMap { $0.isEmpty ? nil : $0 }
        guard let mirror else {
            if let manifest {
                throw DataError(.invalidArgument, "\(manifestVariable)=\(manifest) is set without \(mirrorVariable); the official files are checked against their official digests")
            }
            return official(kind)
        }
        var d = try official(kind).mirrored(at: mirror)
        if let manifest { d = d.withDigests(try readManifest(manifest)) }
        return d
    }

    /// The folder of this dataset on a mirror (`cifar-10`, `cifar-100`, `mnist`, `fashion-mnist`).
    public var mirrorFolder: String {
        switch kind {
        case .cifar10: return "cifar-10"
        case .cifar100: return "cifar-100"
        case .mnist: return "mnist"
        case .fashionMNIST: return "fashion-mnist"
        }
    }

    /// The same files fetched from `base/<mirrorFolder>/<file>`, with the same digests.
    /// - Throws: `DataError.Kind.invalidArgument` when `base` is not an http(s) URL.
    public func mirrored(at base: String) throws -> DatasetDownload {
        guard let url = URL(string: base), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw DataError(.invalidArgument, "\(DatasetDownload.mirrorVariable)=\(base) is not an http(s) URL (expected e.g. http://127.0.0.1:8000/)")
        }
        var d = self
        let root = base.hasSuffix("/") ? base : base + "/"
        d.resources = resources.map { r in
            var m = r
            m.url = root + mirrorFolder + "/" + r.filename
            return m
        }
        return d
    }

    /// The same files with the MD5s `digests` gives for `<mirrorFolder>/<file>`; a file it
    /// lists loses its official size and SHA-256 (it is another file) but keeps the size as its limit.
    public func withDigests(_ digests: [String: String]) -> DatasetDownload {
        var d = self
        d.resources = resources.map { r in
            guard let md5 = digests[mirrorFolder + "/" + r.filename] else { return r }
            return DownloadResource(url: r.url, filename: r.filename, md5: md5, sha256: nil, maxBytes: r.maxBytes ?? r.size)
        }
        return d
    }

    /// Reads an `md5sum`-format file: `HASH  PATH` per line (a `*` before the path allowed,
    /// `#` comments and blank lines skipped), as `[PATH: hash]`.
    /// - Throws: `DataError` naming the file and the line at fault.
    public static func readManifest(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DataError(.io, "\(manifestVariable): cannot read \(path)")
        }
        var digests: [String: String] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let hash = parts.first.map { $0.lowercased() } ?? ""
            guard parts.count == 2, hash.count == 32, hash.allSatisfy(\.isHexDigit) else {
                throw DataError(.badFormat, "\(path):\(n + 1): expected 'MD5  PATH' (32 hex digits, then the path under the mirror), got '\(line)'")
            }
            var file = parts[1].trimmingCharacters(in: .whitespaces)
            if file.hasPrefix("*") { file.removeFirst() }
            if file.hasPrefix("./") { file.removeFirst(2) }
            digests[file] = hash
        }
        return digests
    }

    /// The folder the files go in under `root`.
    public func folder(in root: String) -> String {
        subfolder.isEmpty ? root : joinPath(root, subfolder)
    }

    /// The partial files a cancelled or cut transfer left under `root` and their sizes.
    public func partialFiles(in root: String) -> [(path: String, bytes: Int64)] {
        resources.compactMap { r in
            let p = Download.partialPath(of: r.filename, in: folder(in: root))
            let n = Download.fileSize(p)
            return n > 0 ? (p, n) : nil
        }
    }

    /// Fetches every file into `folder(in: root)` (those already there and verified are
    /// kept) and returns `root`, the path the dataset opens from.
    /// - Parameters:
    ///   - cancellation: stops the transfer; `DownloadCancelled` is thrown and the partial file kept.
    ///   - progress: called (on a background thread) as bytes arrive, across all files.
    /// - Throws: what `Download.fetch` throws, for the first file that fails (the files
    ///   before it stay, verified).
    @discardableResult
    public func fetch(into root: String, cancellation: DownloadCancellation? = nil,
                      progress: ((DatasetDownloadProgress) -> Void)? = nil) throws -> String {
        let dir = folder(in: root)
        // Folders this fetch creates go again if it fails before keeping anything in them.
        var created: [String] = []
        var probe = URL(fileURLWithPath: dir).standardizedFileURL
        while !FileManager.default.fileExists(atPath: probe.path), probe.path != "/" {
            created.append(probe.path)
            probe.deleteLastPathComponent()
        }
        do {
            return try fetchFiles(into: root, dir: dir, cancellation: cancellation, progress: progress)
        } catch {
            for path in created { _ = rmdir(path) }   // deepest first; only empty folders go
            throw error
        }
    }

    private func fetchFiles(into root: String, dir: String, cancellation: DownloadCancellation?,
                            progress: ((DatasetDownloadProgress) -> Void)?) throws -> String {
        var done: Int64 = 0
        for (i, r) in resources.enumerated() {
            let later = resources[(i + 1)...].map(\.size)
            let rest: Int64? = later.contains { $0 == nil } ? nil : later.reduce(Int64(0)) { $0 + Int64($1 ?? 0) }
            var p = DatasetDownloadProgress(kind: kind, phase: .connecting, fileIndex: i, fileCount: resources.count,
                                            filename: r.filename, fileReceived: 0, fileTotal: r.size.map(Int64.init),
                                            received: done, total: nil)
            func total(_ file: Int64?) -> Int64? {
                guard let file, let rest else { return nil }
                return done + file + rest
            }
            p.total = total(p.fileTotal)
            progress?(p)
            let before = done
            let path = try Download.fetch(r, into: dir, progress: { received, announced in
                p.phase = .transferring
                p.fileReceived = received
                p.fileTotal = announced ?? r.size.map(Int64.init)
                p.received = before + received
                p.total = total(p.fileTotal)
                progress?(p)
            }, cancellation: cancellation, verifying: {
                p.phase = .verifying
                progress?(p)
            })
            done += Download.fileSize(path)
        }
        return root
    }
}

/// How far a `DatasetDownload` is: the file being fetched and the bytes so far, of it and of all.
public struct DatasetDownloadProgress: Sendable, Equatable {
    /// What the download is doing.
    public enum Phase: Sendable, Equatable {
        /// Asking the server for a file.
        case connecting
        /// Bytes are arriving.
        case transferring
        /// Checking a file's digest (one already there, a kept partial file, or the finished transfer).
        case verifying
    }

    /// The dataset.
    public var kind: ImageDatasetKind
    /// What is happening now.
    public var phase: Phase
    /// The file being fetched (0-based) and the number of files.
    public var fileIndex: Int, fileCount: Int
    /// Its name.
    public var filename: String
    /// Bytes of this file held (a kept partial file included) and its size, if known.
    public var fileReceived: Int64, fileTotal: Int64?
    /// Bytes of all files held so far and their total, if every size is known.
    public var received: Int64, total: Int64?

    /// A report of file `fileIndex` of `fileCount`.
    public init(kind: ImageDatasetKind, phase: Phase, fileIndex: Int, fileCount: Int, filename: String,
                fileReceived: Int64, fileTotal: Int64?, received: Int64, total: Int64?) {
        self.kind = kind
        self.phase = phase
        self.fileIndex = fileIndex
        self.fileCount = fileCount
        self.filename = filename
        self.fileReceived = fileReceived
        self.fileTotal = fileTotal
        self.received = received
        self.total = total
    }

    /// The share done, 0…1: by bytes when the total is known, else by files.
    public var fraction: Double {
        if let total, total > 0 { return min(1, Double(received) / Double(total)) }
        let inFile = fileTotal.map { $0 > 0 ? Double(fileReceived) / Double($0) : 0 } ?? 0
        return min(1, (Double(fileIndex) + inFile) / Double(max(1, fileCount)))
    }
}
