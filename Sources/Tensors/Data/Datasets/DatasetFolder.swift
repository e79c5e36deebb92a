import Foundation

/// The file extensions `ImageFolder` accepts: torchvision's `IMG_EXTENSIONS`
/// (matched case-insensitively against the lowercased file name).
///
/// Only PNG and JPEG are decoded here; a `.bmp`, `.tif`, `.webp`, … file is
/// still a sample (as in torchvision) and fails to load with a `DataError`
/// naming it (skipped under `CorruptFilePolicy.skip`).
public let imageExtensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"]

/// What a folder dataset does with a file its loader cannot read while it
/// preloads.
public enum CorruptFilePolicy: String, Sendable {
    /// Throw a `DataError` naming the first such file (in sample order).
    case fail
    /// Leave the file out of `samples` and list it in `skipped`.
    case skip
}

/// A file a folder dataset left out because its loader failed on it.
public struct SkippedFile: Equatable, Sendable, CustomStringConvertible {
    /// The file's path, as in `samples`.
    public let path: String
    /// Why it could not be loaded (the loader's error message).
    public let reason: String

    public var description: String { reason.hasPrefix(path) ? reason : "\(path): \(reason)" }
}

/// A dataset of files sorted into one folder per class, like
/// `torchvision.datasets.DatasetFolder`:
///
/// ```
/// root/dog/xxx.png
/// root/dog/nested/xxy.png
/// root/cat/123.png
/// ```
///
/// The classes are the subfolders of `root`, sorted; `classToIndex` numbers
/// them in that order. `samples` lists `(path, classIndex)` in torchvision's
/// order: class by class, each class folder walked recursively (symbolic
/// links followed), folders in sorted path order and files sorted within
/// each. A file is a sample when its lowercased name ends with one of
/// `extensions`, or when `isValidFile` says so (exactly one of the two must
/// be given). Items are `(loader(path) after transform, targetTransform(classIndex))`.
///
/// Like torchvision, files are read lazily by default, each time an item is
/// read. With `preload` all files are read at construction, in parallel,
/// reporting `progress(done, total)`; a file the loader rejects then fails
/// the construction or is skipped (`onCorruptFile`). Loaded items (before
/// `transform`) are kept in memory up to `cacheLimit` bytes, shared by copies
/// of the dataset; later reads of a cached file cost no decoding.
///
/// ```swift
/// let ds = try DatasetFolder(root: "data/sounds", loader: { path in .tensor(try loadClip(path)) },
///                            extensions: [".wav"])
/// ```
/// - Note: torchvision counts every subfolder as a class, hidden ones
///   (`.ipynb_checkpoints`) included; so does this type.
public struct DatasetFolder: Dataset, CustomStringConvertible {
    /// Reads one file into a sample; called from several threads at once.
    public typealias Loader = (String) throws -> Feature
    /// Called with (files done, total) while preloading, one call at a time,
    /// from the loading threads.
    public typealias Progress = (Int, Int) -> Void

    /// The folder the classes are in.
    public let root: String
    /// Reads a file into a sample.
    public let loader: Loader
    /// The accepted extensions, nil when `isValidFile` chose the files.
    public let extensions: [String]?
    /// Class names: the subfolders of `root`, sorted.
    public let classes: [String]
    /// Class name → index (torchvision's `class_to_idx`).
    public let classToIndex: [String: Int]
    /// `(path, classIndex)` of every sample, in torchvision's order.
    public internal(set) var samples: [(path: String, classIndex: Int)]
    /// The class index of every sample.
    public internal(set) var targets: [Int]
    /// Files left out while preloading under `CorruptFilePolicy.skip`, in sample order.
    public internal(set) var skipped: [SkippedFile]
    /// Applied to every loaded sample (settable, like `dataset.transform = …`).
    public var transform: (any Transform)?
    /// Applied to every class index.
    public var targetTransform: ((Int) -> Int)?
    /// The name `description` prints (`DatasetFolder`, `ImageFolder`).
    var datasetName = "DatasetFolder"
    let cache: FolderCache

    /// The default `cacheLimit`: 1 GiB.
    public static let defaultCacheLimit = 1 << 30

    /// Scans `root` (and with `preload`, reads every file).
    ///
    /// - Parameters:
    ///   - extensions: accepted endings such as `[".wav"]`; give this or `isValidFile`.
    ///   - isValidFile: decides from a path whether it is a sample.
    ///   - allowEmpty: accept class folders without a valid file (else an error names them).
    ///   - preload: read every file now, in parallel.
    ///   - cacheLimit: bytes of loaded samples kept in memory (0: none).
    ///   - onCorruptFile: what preloading does with a file the loader rejects.
    ///   - progress: preloading progress, `(done, total)`.
    /// - Throws: `DataError` when `root` is missing or has no class folder, a
    ///   class has no valid file, both or neither of `extensions` and
    ///   `isValidFile` are given, or (`.fail`) a file cannot be loaded.
    public init(root: String, loader: @escaping Loader, extensions: [String]? = nil,
                transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                isValidFile: ((String) -> Bool)? = nil, allowEmpty: Bool = false,
                preload: Bool = false, cacheLimit: Int = DatasetFolder.defaultCacheLimit,
                onCorruptFile: CorruptFilePolicy = .fail, progress: Progress? = nil) throws {
        try self.init(root: root, loader: loader, extensions: extensions, transform: transform,
                      targetTransform: targetTransform, isValidFile: isValidFile, allowEmpty: allowEmpty,
                      preload: preload, cacheLimit: cacheLimit, onCorruptFile: onCorruptFile, progress: progress,
                      name: "DatasetFolder")
    }

    init(root: String, loader: @escaping Loader, extensions: [String]?, transform: (any Transform)?,
         targetTransform: ((Int) -> Int)?, isValidFile: ((String) -> Bool)?, allowEmpty: Bool,
         preload: Bool, cacheLimit: Int, onCorruptFile: CorruptFilePolicy, progress: Progress?, name: String) throws {
        guard cacheLimit >= 0 else {
            throw DataError(.invalidArgument, "\(name): cacheLimit must be non-negative, got \(cacheLimit)")
        }
        let (classes, classToIndex) = try DatasetFolder.findClasses(root)
        var samples = try DatasetFolder.makeDataset(root, classToIndex: classToIndex, extensions: extensions,
                                                    isValidFile: isValidFile, allowEmpty: allowEmpty)
        let cache = FolderCache(limit: cacheLimit)
        var skipped: [SkippedFile] = []
        if preload {
            let paths = samples.map { $0.path }
            let failures = preloadFiles(paths, loader: loader, progress: progress) { i, feature in
                cache.insert(feature, for: paths[i])
            }
            if onCorruptFile == .fail, let first = failures.first { throw first.1 }
            skipped = failures.map { SkippedFile(path: samples[$0.0].path, reason: $0.1.message) }
            let bad = Set(failures.map { $0.0 })
            samples = samples.enumerated().filter { !bad.contains($0.offset) }.map { $0.element }
        }
        self.root = root
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.classToIndex = classToIndex
        self.samples = samples
        self.targets = samples.map { $0.classIndex }
        self.skipped = skipped
        self.transform = transform
        self.targetTransform = targetTransform
        self.cache = cache
        datasetName = name
    }

    /// Number of samples.
    public var count: Int { samples.count }

    /// Number of samples per class.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for t in targets where t >= 0 && t < counts.count { counts[t] += 1 }
        return counts
    }

    /// Bytes of loaded samples held in the cache.
    public var cachedBytes: Int { cache.bytes }

    /// Sample `index` as the loader returns it, before `transform` (from the cache when there).
    /// - Throws: `DataError` naming the file when the loader fails.
    public func load(at index: Int) throws -> Feature {
        try checkIndex(index, count, datasetName)
        let path = samples[index].path
        if let hit = cache.lookup(path) { return hit }
        let feature = try loadFile(path, loader)
        cache.insert(feature, for: path)
        return feature
    }

    public subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
        get throws {
            let sample = try load(at: index)
            let feature = try transform.map { try $0.apply(sample, generator: generator) } ?? sample
            let label = targetTransform.map { $0(targets[index]) } ?? targets[index]
            return (feature, label)
        }
    }

    public var description: String {
        visionDatasetDescription(name: datasetName, count: count, root: root, extra: [],
                                 transform: transform, hasTargetTransform: targetTransform != nil)
    }

    // MARK: - torchvision's find_classes and make_dataset

    /// The class folders of `directory`, sorted, and their indices, like
    /// `DatasetFolder.find_classes`.
    /// - Throws: `DataError(.notFound)` if `directory` does not exist or has no subfolder.
    public static func findClasses(_ directory: String) throws -> (classes: [String], classToIndex: [String: Int]) {
        guard isDirectory(directory) else {
            throw DataError(.notFound, fileExists(directory)
                ? "\(directory) is a file, expected a folder with one subfolder per class"
                : "\(directory): no such folder (expected a folder with one subfolder per class)")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let classes = entries.filter { isDirectory(joinPath(directory, $0)) }.sorted(by: pythonLess)
        guard !classes.isEmpty else {
            throw DataError(.notFound, "Couldn't find any class folder in \(directory).")
        }
        return (classes, Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) }))
    }

    /// The `(path, classIndex)` samples under `directory`, like torchvision's
    /// `make_dataset`: for each class in sorted order, `os.walk` of its folder
    /// (following links) sorted by folder path, files sorted within a folder.
    /// - Throws: `DataError` if both or neither of `extensions` and
    ///   `isValidFile` are given, or a class has no valid file and not `allowEmpty`.
    public static func makeDataset(_ directory: String, classToIndex: [String: Int], extensions: [String]? = nil,
                                   isValidFile: ((String) -> Bool)? = nil,
                                   allowEmpty: Bool = false) throws -> [(path: String, classIndex: Int)] {
        guard (extensions == nil) != (isValidFile == nil) else {
            throw DataError(.invalidArgument, "Both extensions and is_valid_file cannot be None or not None at the same time")
        }
        let valid: (String) -> Bool = isValidFile ?? { hasFileAllowedExtension($0, extensions ?? []) }
        var instances: [(path: String, classIndex: Int)] = []
        var available = Set<String>()
        for targetClass in classToIndex.keys.sorted(by: pythonLess) {
            guard let classIndex = classToIndex[targetClass] else { continue }
            let targetDir = joinPath(directory, targetClass)
            guard isDirectory(targetDir) else { continue }
            for (folder, files) in walkFolder(targetDir) {
                for name in files {
                    let path = joinPath(folder, name)
                    if valid(path) {
                        instances.append((path, classIndex))
                        available.insert(targetClass)
                    }
                }
            }
        }
        let empty = Set(classToIndex.keys).subtracting(available).sorted(by: pythonLess)
        if !empty.isEmpty && !allowEmpty {
            var message = "Found no valid file for the classes \(empty.joined(separator: ", ")) (in \(directory)). "
            if let extensions { message += "Supported extensions are: \(extensions.joined(separator: ", "))" }
            throw DataError(.notFound, message)
        }
        return instances
    }

    /// True when the lowercased `filename` ends with one of `extensions`
    /// (torchvision's `has_file_allowed_extension`; the extensions are not lowercased).
    public static func hasFileAllowedExtension(_ filename: String, _ extensions: [String]) -> Bool {
        let lower = filename.lowercased()
        return extensions.contains { lower.hasSuffix($0) }
    }
}

/// Python's string order (by code point), which `sorted` uses for paths.
func pythonLess(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}

/// `sorted(os.walk(top, followlinks=True))` as (folder, sorted file names):
/// every folder under `top`, symbolic links to folders followed, in sorted
/// path order. Unreadable folders are left out (os.walk ignores their
/// errors); a link back to a folder being walked is not followed again
/// (os.walk would loop until the path grows too long).
func walkFolder(_ top: String) -> [(folder: String, files: [String])] {
    var out: [(folder: String, files: [String])] = []
    func visit(_ dir: String, ancestors: Set<String>) {
        let real = (dir as NSString).resolvingSymlinksInPath
        guard !ancestors.contains(real),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        var dirs: [String] = []
        var files: [String] = []
        for name in entries {
            if isDirectory(joinPath(dir, name)) { dirs.append(name) } else { files.append(name) }
        }
        out.append((dir, files.sorted(by: pythonLess)))
        let inner = ancestors.union([real])
        for d in dirs { visit(joinPath(dir, d), ancestors: inner) }
    }
    visit(top, ancestors: [])
    return out.sorted { pythonLess($0.folder, $1.folder) }
}

/// Runs the loader on one file; an error that is not a `DataError` is wrapped in one naming the file.
func loadFile(_ path: String, _ loader: DatasetFolder.Loader) throws -> Feature {
    do {
        return try loader(path)
    } catch let e as DataError {
        if e.message.contains(path) { throw e }
        throw DataError(e.kind, "\(path): \(e.message)")
    } catch {
        throw DataError(.badFormat, "\(path): \(error)")
    }
}

/// Loads `paths` in parallel, handing each result to `store` (from the loading
/// threads) and reporting progress; returns the failures in path order.
func preloadFiles(_ paths: [String], loader: DatasetFolder.Loader, progress: DatasetFolder.Progress?,
                  store: (Int, Feature) throws -> Void) -> [(Int, DataError)] {
    let lock = NSLock()
    var failures: [(Int, DataError)] = []
    var done = 0
    let total = paths.count
    progress?(0, total)
    DispatchQueue.concurrentPerform(iterations: total) { i in
        var failure: DataError?
        do {
            try store(i, try loadFile(paths[i], loader))
        } catch let e as DataError {
            failure = e.message.contains(paths[i]) ? e : DataError(e.kind, "\(paths[i]): \(e.message)")
        } catch {
            failure = DataError(.badFormat, "\(paths[i]): \(error)")
        }
        lock.lock()
        if let failure { failures.append((i, failure)) }
        done += 1
        progress?(done, total)
        lock.unlock()
    }
    return failures.sorted { $0.0 < $1.0 }
}

/// Loaded samples by path, up to a byte limit; shared by copies of a dataset
/// and safe to use from several threads. A sample that does not fit is not
/// kept (no eviction: under random access every entry is equally likely).
final class FolderCache: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var items: [String: Feature] = [:]
    private var used = 0

    init(limit: Int) { self.limit = limit }

    var bytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return used
    }

    var entries: Int {
        lock.lock()
        defer { lock.unlock() }
        return items.count
    }

    func lookup(_ path: String) -> Feature? {
        lock.lock()
        defer { lock.unlock() }
        return items[path]
    }

    func insert(_ feature: Feature, for path: String) {
        let size = FolderCache.size(of: feature)
        lock.lock()
        defer { lock.unlock() }
        guard items[path] == nil, used + size <= limit else { return }
        items[path] = feature
        used += size
    }

    /// Bytes a sample occupies: pixels of an image, 4 per tensor element.
    static func size(of feature: Feature) -> Int {
        switch feature {
        case .image(let img): return img.pixels.count
        case .tensor(let t): return t.count * MemoryLayout<Float>.size
        }
    }
}
