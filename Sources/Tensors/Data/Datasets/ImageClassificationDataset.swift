import Foundation

/// An in-memory image classification dataset (CIFAR-10/100, MNIST,
/// Shapes10): all images in one HWC UInt8 buffer, one class index per image.
///
/// Items are `(Feature, Int)`: the image (an `Image` until a `ToTensor` in
/// `transform`) and its class, after `targetTransform`.
public protocol ImageClassificationDataset: Dataset, CustomStringConvertible where Element == (Feature, Int) {
    /// All images, `count × imageHeight × imageWidth × imageChannels` bytes
    /// (torchvision's `.data`, an N×H×W×C uint8 array).
    var data: [UInt8] { get }
    var imageHeight: Int { get }
    var imageWidth: Int { get }
    var imageChannels: Int { get }
    /// Class index of every image (torchvision's `.targets`).
    var targets: [Int] { get }
    /// Class names, indexed by class.
    var classes: [String] { get }
    /// Applied to every image (settable, like torchvision's `dataset.transform = …`).
    var transform: (any Transform)? { get set }
    var targetTransform: ((Int) -> Int)? { get set }
    /// Where the data was read from.
    var root: String { get }
    /// True for the training split.
    var train: Bool { get }
    /// The dataset's name as torchvision prints it (`CIFAR10`).
    var datasetName: String { get }
}

extension ImageClassificationDataset {
    /// Number of rows.
    public var count: Int { targets.count }

    /// Class name → index (torchvision's `class_to_idx`).
    public var classToIndex: [String: Int] {
        Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Number of images per class.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for t in targets where t >= 0 && t < counts.count { counts[t] += 1 }
        return counts
    }

    /// A copy with another transform; the pixels are shared, not copied.
    public func withTransform(_ transform: (any Transform)?, targetTransform: ((Int) -> Int)? = nil) -> Self {
        var copy = self
        copy.transform = transform
        copy.targetTransform = targetTransform
        return copy
    }

    /// Image `index` as stored, before any transform.
    public func image(at index: Int) throws -> Image {
        try checkIndex(index, count, datasetName)
        let n = imageHeight * imageWidth * imageChannels
        return Image(width: imageWidth, height: imageHeight, channels: imageChannels,
                     pixels: Array(data[(index * n)..<((index + 1) * n)]))
    }

    public subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
        get throws {
            let img = try image(at: index)
            let feature = try transform.map { try $0.apply(.image(img), generator: generator) } ?? .image(img)
            let label = targetTransform.map { $0(targets[index]) } ?? targets[index]
            return (feature, label)
        }
    }

    /// The split's name as torchvision prints it.
    public var splitName: String { train ? "Train" : "Test" }

    public var description: String {
        visionDatasetDescription(name: datasetName, count: count, root: root, extra: ["Split: \(splitName)"],
                                 transform: transform, hasTargetTransform: targetTransform != nil)
    }

    func makeFusedSource() -> FusedImageSource? {
        FusedImageSource(pixels: data, height: imageHeight, width: imageWidth, channels: imageChannels,
                         targets: targets, indexMap: nil, transform: transform, targetTransform: targetTransform,
                         name: datasetName)
    }
}

/// torchvision's `VisionDataset.__repr__`, including its quirk of indenting
/// only the first line of the transforms block.
func visionDatasetDescription(name: String, count: Int, root: String?, extra: [String],
                              transform: (any Transform)?, hasTargetTransform: Bool) -> String {
    var lines = ["Dataset \(name)", "    Number of datapoints: \(count)"]
    if let root { lines.append("    Root location: \(root)") }
    lines += extra.map { "    " + $0 }
    if transform != nil || hasTargetTransform {
        lines.append("    StandardTransform")
        if let t = transform {
            let head = "Transform: "
            for (k, line) in t.description.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                lines.append(k == 0 ? head + line : String(repeating: " ", count: head.count) + line)
            }
        }
        if hasTargetTransform { lines.append("Target transform: Lambda()") }
    }
    return lines.joined(separator: "\n")
}

/// Reads fixed-size records (label bytes, then 3 planes of pixels in CHW
/// order) into an HWC pixel buffer and label arrays, as CIFAR stores them.
struct CIFARRecordReader {
    let labelBytes: Int
    let labelLimits: [Int]
    let height = 32, width = 32, channels = 3
    var imageBytes: Int { height * width * channels }
    var recordSize: Int { labelBytes + imageBytes }
    /// Pixels of all records read so far, HWC.
    var pixels: [UInt8] = []
    /// One array of labels per label byte.
    var labels: [[Int]]

    init(labelBytes: Int, labelLimits: [Int]) {
        self.labelBytes = labelBytes
        self.labelLimits = labelLimits
        labels = Array(repeating: [], count: labelBytes)
    }

    var recordCount: Int { labels.first?.count ?? 0 }

    /// Describes the record layout for error messages.
    var layout: String {
        labelBytes == 1 ? "\(recordSize)-byte records (1 label byte + \(imageBytes) pixel bytes)"
            : "\(recordSize)-byte records (\(labelBytes) label bytes + \(imageBytes) pixel bytes)"
    }

    /// Checks a file's size before reading it.
    func checkSize(_ size: Int, file: String) throws {
        if size == 0 {
            throw DataError(.badFormat, "\(file): file is empty, expected \(layout)")
        }
        if size % recordSize != 0 {
            throw DataError(.badFormat, "\(file): \(size) bytes is not a whole number of \(layout)")
        }
    }

    /// Reads `size` bytes of records from `source`.
    mutating func read(_ source: ByteSource, size: Int, file: String) throws {
        try checkSize(size, file: file)
        let records = size / recordSize
        let chunkRecords = 1024
        var chunk = [UInt8](repeating: 0, count: chunkRecords * recordSize)
        var hwc = [UInt8](repeating: 0, count: chunkRecords * imageBytes)
        var chunkLabels = [Int](repeating: 0, count: chunkRecords * labelBytes)
        var done = 0
        pixels.reserveCapacity(pixels.count + records * imageBytes)
        while done < records {
            let n = Swift.min(chunkRecords, records - done)
            let want = n * recordSize
            let got = try chunk.withUnsafeMutableBytes { buf in
                try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<want]))
            }
            if got < want {
                throw DataError(.badFormat, "\(file): file is truncated (expected \(size) bytes, got \(done * recordSize + got))")
            }
            let bad = chunk.withUnsafeBufferPointer { src in
                hwc.withUnsafeMutableBufferPointer { dst in
                    chunkLabels.withUnsafeMutableBufferPointer { lab in
                        labelLimits.withUnsafeBufferPointer { lim -> (record: Int, labelByte: Int)? in
                            guard let sp = src.baseAddress, let dp = dst.baseAddress, let lp = lab.baseAddress,
                                  let limits = lim.baseAddress else { return nil }
                            return convertCIFARRecords(sp, count: n, labelBytes: labelBytes, hw: height * width,
                                                       limits: limits, pixels: dp, labels: lp)
                        }
                    }
                }
            }
            if let (r, k) = bad {
                let label = chunk[r * recordSize + k]
                throw DataError(.badFormat, "\(file): record \(done + r) has label \(label), expected 0–\(labelLimits[k] - 1)")
            }
            hwc.withUnsafeBufferPointer { pixels.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<(n * imageBytes)])) }
            for k in 0..<labelBytes {
                chunkLabels.withUnsafeBufferPointer { labels[k].append(contentsOf: UnsafeBufferPointer(rebasing: $0[(k * n)..<((k + 1) * n)])) }
            }
            done += n
        }
    }
}

/// Where a dataset's files are: an archive, or a folder of extracted files.
enum DatasetLocation {
    case archive(String)
    case folder(String)
}

func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}

func fileExists(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
}

func joinPath(_ a: String, _ b: String) -> String {
    a.isEmpty ? b : (a.hasSuffix("/") ? a + b : a + "/" + b)
}

/// Reads the wanted files of a dataset from a (possibly gzipped) tar archive
/// or from a folder, calling `body(name, label, source, size)` for each
/// (`label` names the file in error messages). A folder is read in the order
/// of `wanted`, an archive once, in its own order.
///
/// Archive members are matched by base name. Stops reading the archive as
/// soon as every wanted file was seen.
func readDatasetFiles(_ location: DatasetLocation, wanted: [String], dataset: String,
                      body: (String, String, ByteSource, Int) throws -> Void) throws {
    switch location {
    case .folder(let dir):
        for name in wanted {
            let path = joinPath(dir, name)
            guard fileExists(path) else {
                throw DataError(.notFound, "\(dataset): \(path) not found (expected \(wanted.joined(separator: ", ")) in \(dir))")
            }
            let f = try FileSource(path: path)
            try body(name, path, f, f.size)
        }
    case .archive(let path):
        let archiveName = (path as NSString).lastPathComponent
        let file = try FileSource(path: path)
        let source: ByteSource = fileIsGzip(path) ? try GzipSource(file, name: archiveName) : file
        let tar = TarReader(source, archiveName: archiveName)
        var seen = Set<String>()
        while seen.count < wanted.count {
            guard let entry = try tar.next() else {
                let missing = wanted.filter { !seen.contains($0) }
                let ending = tar.sawEndMarker ? "" : " (the archive ends without an end-of-archive marker: truncated?)"
                throw DataError(.notFound, "\(archiveName): \(missing.joined(separator: ", ")) not found in the archive (expected \(wanted.joined(separator: ", ")))\(ending)")
            }
            guard entry.kind == .file else { continue }
            let base = (entry.name as NSString).lastPathComponent
            guard wanted.contains(base), !seen.contains(base) else { continue }
            seen.insert(base)
            try body(base, "\(archiveName): \(entry.name)", tar.entrySource(), entry.size)
        }
    }
}
