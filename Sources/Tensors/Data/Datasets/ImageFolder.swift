import Foundation

/// A folder of images sorted into one subfolder per class, like
/// `torchvision.datasets.ImageFolder`:
///
/// ```
/// root/dog/xxx.png
/// root/dog/xxy.jpg
/// root/cat/123.png
/// root/cat/nsdf3.jpeg
/// ```
///
/// A `DatasetFolder` whose files are those with torchvision's
/// `imageExtensions` (or those `isValidFile` accepts) and whose loader
/// decodes a PNG or JPEG and converts it to RGB, as torchvision's
/// `pil_loader` does. Items are `(Feature, Int)`: an RGB `Image` (a tensor
/// after `ToTensor` in `transform`) and the class index.
///
/// ```swift
/// let train = try ImageFolder(root: "pets/train", transform: Compose(
///     Resize(256), CenterCrop(224), ToTensor()))
/// print(train.classes)              // ["cat", "dog"]
/// let (x, y) = try train[0]         // x: [3, 224, 224], y: 0
/// ```
///
/// **Loading.** By default files are decoded when an item is read, as in
/// torchvision, and kept in a cache of up to `cacheLimit` bytes. With
/// `preload: true` every file is decoded at construction in parallel
/// (`progress` reports files done / total), and a file that is corrupt or not
/// a PNG/JPEG fails the construction with a `DataError` naming it, or with
/// `onCorruptFile: .skip` is left out and listed in `skipped`.
///
/// **One size.** `resize: (h, w)` decodes every image at construction,
/// converts it to RGB and resizes it with `Resize((h, w))` (bilinear,
/// antialiased, as torchvision on PIL images) into one HWC buffer, which must
/// fit in `cacheLimit`. Items are then the same as torchvision's
/// `ImageFolder(root, transform=Compose([Resize((h, w)), *transform]))`, and
/// a `DataLoader` batches crops, flips, `ToTensor` and `Normalize` on its
/// fused path, as for CIFAR-10.
public struct ImageFolder: Dataset, CustomStringConvertible {
    /// The scanned folder: classes, samples, loader, cache.
    public private(set) var folder: DatasetFolder
    /// The images resized at load (`resize`), HWC RGB, one after another.
    let resized: [UInt8]?
    /// The size every image was resized to, nil when images keep their own size.
    public let imageSize: (height: Int, width: Int)?

    /// torchvision's `default_loader`: decode the PNG or JPEG at `path` and
    /// convert it to RGB.
    public static func defaultLoader(_ path: String) throws -> Feature {
        .image(try Image(contentsOfFile: path).convert(to: "RGB"))
    }

    /// Scans `root`; with `preload` or `resize`, decodes every image now, in parallel.
    ///
    /// - Parameters:
    ///   - loader: reads a file into a sample (default: `defaultLoader`).
    ///   - isValidFile: chooses the files instead of `imageExtensions`.
    ///   - allowEmpty: accept class folders without an image (else an error names them).
    ///   - resize: resize every image to (height, width) once, at load.
    ///   - preload: decode every file now.
    ///   - cacheLimit: bytes of decoded images kept in memory.
    ///   - onCorruptFile: what preloading does with a file that cannot be decoded.
    ///   - progress: `(done, total)` while preloading, one call at a time, from the loading threads.
    /// - Throws: `DataError` naming the folder or file (see `DatasetFolder.init`);
    ///   with `resize`, also when the resized images do not fit in `cacheLimit`.
    public init(root: String, transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                loader: DatasetFolder.Loader? = nil, isValidFile: ((String) -> Bool)? = nil,
                allowEmpty: Bool = false, resize: (height: Int, width: Int)? = nil, preload: Bool = false,
                cacheLimit: Int = DatasetFolder.defaultCacheLimit, onCorruptFile: CorruptFilePolicy = .fail,
                progress: DatasetFolder.Progress? = nil) throws {
        let load = loader ?? ImageFolder.defaultLoader
        var folder = try DatasetFolder(root: root, loader: load, extensions: isValidFile == nil ? imageExtensions : nil,
                                       transform: transform, targetTransform: targetTransform,
                                       isValidFile: isValidFile, allowEmpty: allowEmpty,
                                       preload: preload && resize == nil, cacheLimit: resize == nil ? cacheLimit : 0,
                                       onCorruptFile: onCorruptFile, progress: progress, name: "ImageFolder")
        guard let size = resize else {
            self.folder = folder
            resized = nil
            imageSize = nil
            return
        }
        resized = try ImageFolder.loadResized(&folder, size: size, cacheLimit: cacheLimit,
                                              onCorruptFile: onCorruptFile, progress: progress)
        self.folder = folder
        imageSize = size
    }

    /// Decodes, converts to RGB and resizes every sample into one buffer;
    /// drops (`.skip`) or throws for (`.fail`) the files that fail.
    private static func loadResized(_ folder: inout DatasetFolder, size: (height: Int, width: Int), cacheLimit: Int,
                                    onCorruptFile: CorruptFilePolicy, progress: DatasetFolder.Progress?) throws -> [UInt8] {
        let resize = Resize((size.height, size.width))
        do {
            try resize.validate()
        } catch let e as DataError {
            throw DataError(.invalidArgument, "ImageFolder: resize \(sizeString(size.height, size.width)) is invalid (\(e.message))")
        }
        let n = folder.count
        let itemBytes = size.height * size.width * 3
        let (total, overflow) = n.multipliedReportingOverflow(by: itemBytes)
        guard !overflow, total <= cacheLimit else {
            throw DataError(.invalidArgument, "ImageFolder: \(n) images of \(size.width)x\(size.height) RGB need \(overflow ? "more than \(Int.max)" : "\(total)") bytes, more than cacheLimit = \(cacheLimit) (\(folder.root))")
        }
        var buffer = [UInt8](repeating: 0, count: total)
        let paths = folder.samples.map { $0.path }
        let failures: [(Int, DataError)] = buffer.withUnsafeMutableBufferPointer { out in
            preloadFiles(paths, loader: folder.loader, progress: progress) { i, feature in
                guard let image = feature.image else {
                    throw DataError(.transform, "the loader returned \(feature.summary), expected an Image to resize")
                }
                let rgb = try image.convert(to: "RGB")
                guard let small = try resize.apply(.image(rgb), generator: Generator(seed: 0)).image,
                      small.pixels.count == itemBytes, let dst = out.baseAddress else {
                    throw DataError(.transform, "resizing to \(sizeString(size.height, size.width)) failed")
                }
                small.pixels.withUnsafeBufferPointer { src in
                    if let s = src.baseAddress { (dst + i * itemBytes).update(from: s, count: itemBytes) }
                }
            }
        }
        if onCorruptFile == .fail, let first = failures.first { throw first.1 }
        guard !failures.isEmpty else { return buffer }
        let bad = Set(failures.map { $0.0 })
        var kept: [UInt8] = []
        kept.reserveCapacity((n - bad.count) * itemBytes)
        for i in 0..<n where !bad.contains(i) { kept += buffer[(i * itemBytes)..<((i + 1) * itemBytes)] }
        folder.skipped = failures.map { SkippedFile(path: paths[$0.0], reason: $0.1.message) }
        folder.samples = folder.samples.enumerated().filter { !bad.contains($0.offset) }.map { $0.element }
        folder.targets = folder.samples.map { $0.classIndex }
        return kept
    }

    // MARK: - torchvision's attributes

    /// The folder the classes are in.
    public var root: String { folder.root }
    /// Class names: the subfolders of `root`, sorted.
    public var classes: [String] { folder.classes }
    /// Class name → index (`class_to_idx`).
    public var classToIndex: [String: Int] { folder.classToIndex }
    /// `(path, classIndex)` of every image, in torchvision's order.
    public var samples: [(path: String, classIndex: Int)] { folder.samples }
    /// The same as `samples` (torchvision's `imgs`).
    public var imgs: [(path: String, classIndex: Int)] { folder.samples }
    /// The class index of every image.
    public var targets: [Int] { folder.targets }
    /// The accepted extensions (`imageExtensions`), nil when `isValidFile` chose the files.
    public var extensions: [String]? { folder.extensions }
    /// Reads a file into a sample.
    public var loader: DatasetFolder.Loader { folder.loader }
    /// Files left out under `onCorruptFile: .skip`, in sample order.
    public var skipped: [SkippedFile] { folder.skipped }
    /// Applied to every image (settable, like `dataset.transform = …`).
    public var transform: (any Transform)? {
        get { folder.transform }
        set { folder.transform = newValue }
    }
    /// Applied to every class index.
    public var targetTransform: ((Int) -> Int)? {
        get { folder.targetTransform }
        set { folder.targetTransform = newValue }
    }

    /// Number of images.
    public var count: Int { folder.count }
    /// Number of images per class.
    public var classCounts: [Int] { folder.classCounts }
    /// Bytes of decoded images held in memory (the cache, or the resized buffer).
    public var cachedBytes: Int { resized?.count ?? folder.cachedBytes }

    /// Image `index` as loaded (RGB, and resized with `resize`), before `transform`.
    /// - Throws: `DataError` naming the file when it cannot be decoded.
    public func load(at index: Int) throws -> Feature {
        guard let resized, let size = imageSize else { return try folder.load(at: index) }
        try checkIndex(index, count, "ImageFolder")
        let n = size.height * size.width * 3
        return .image(Image(width: size.width, height: size.height, channels: 3,
                            pixels: Array(resized[(index * n)..<((index + 1) * n)])))
    }

    public subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
        get throws {
            let sample = try load(at: index)
            let feature = try transform.map { try $0.apply(sample, generator: generator) } ?? sample
            let label = targetTransform.map { $0(targets[index]) } ?? targets[index]
            return (feature, label)
        }
    }

    public var description: String { folder.description }
}

extension ImageFolder: FusableImageDataset {
    /// The resized buffer for the DataLoader's fused path; nil without `resize`.
    func fusedImageSource() -> FusedImageSource? {
        guard let resized, let size = imageSize else { return nil }
        return FusedImageSource(pixels: resized, height: size.height, width: size.width, channels: 3,
                                targets: targets, indexMap: nil, transform: transform,
                                targetTransform: targetTransform, name: "ImageFolder")
    }
}
