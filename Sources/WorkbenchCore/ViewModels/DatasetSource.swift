import Tensors
/// An RGB image, 8 bits per channel, row-major, channels interleaved (HWC).
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// `width * height * 3` bytes: r, g, b for each pixel, row by row.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: \(pixels.count) bytes cannot fill \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: RGB) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = fill.r
            pixels[3 * i + 1] = fill.g
            pixels[3 * i + 2] = fill.b
        }
    }

    /// Builds an image from planar CHW bytes (the CIFAR-10 binary layout: 1024 red, 1024 green, 1024 blue).
    public init(planar bytes: [UInt8], width: Int, height: Int) {
        let n = width * height
        precondition(bytes.count == 3 * n, "RGBImage(planar:): \(bytes.count) bytes cannot fill 3×\(height)×\(width)")
        var px = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<n {
            px[3 * i] = bytes[i]
            px[3 * i + 1] = bytes[n + i]
            px[3 * i + 2] = bytes[2 * n + i]
        }
        self.init(width: width, height: height, pixels: px)
    }

    public func pixel(_ x: Int, _ y: Int) -> RGB {
        let i = 3 * (y * width + x)
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    public mutating func setPixel(_ x: Int, _ y: Int, _ c: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        pixels[i] = c.r
        pixels[i + 1] = c.g
        pixels[i + 2] = c.b
    }

    /// The image resampled to `w`×`h`: area average when shrinking, nearest pixel when growing.
    public func resized(width w: Int, height h: Int) -> RGBImage {
        guard w > 0, h > 0 else { return RGBImage(width: 0, height: 0, pixels: []) }
        if w == width && h == height { return self }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for oy in 0..<h {
            let y0 = oy * height / h, y1 = max(y0 + 1, (oy + 1) * height / h)
            for ox in 0..<w {
                let x0 = ox * width / w, x1 = max(x0 + 1, (ox + 1) * width / w)
                var sr = 0, sg = 0, sb = 0
                for y in y0..<y1 {
                    for x in x0..<x1 {
                        let i = 3 * (y * width + x)
                        sr += Int(pixels[i]); sg += Int(pixels[i + 1]); sb += Int(pixels[i + 2])
                    }
                }
                let n = (y1 - y0) * (x1 - x0)
                let o = 3 * (oy * w + ox)
                out[o] = UInt8(sr / n); out[o + 1] = UInt8(sg / n); out[o + 2] = UInt8(sb / n)
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}

/// Train or test part of a dataset.
public enum DatasetSplit: String, Sendable, CaseIterable {
    case train, test
}

/// What the dataset browser needs from a dataset. The real implementation wraps
/// `Tensors/Data` datasets; tests and the demo use `SyntheticShapesDataset`.
///
/// Calls come from the UI thread only.
public protocol DatasetSource: AnyObject {
    /// Shown in the pane title, e.g. "CIFAR-10 (/data/cifar-10-batches-bin)".
    var name: String { get }
    var classNames: [String] { get }
    /// The shape of one input tensor, e.g. [3, 32, 32].
    var inputShape: [Int] { get }
    func count(_ split: DatasetSplit) -> Int
    func label(_ split: DatasetSplit, _ index: Int) -> Int
    /// The image as stored.
    func image(_ split: DatasetSplit, _ index: Int) -> RGBImage
    /// The image after the training transforms (augmentation), for the preview toggle.
    /// `variant` picks one random draw so the preview is stable while browsing.
    func augmentedImage(_ split: DatasetSplit, _ index: Int, variant: UInt64) -> RGBImage
    /// The path it was opened from (the training engine reopens it); nil for the embedded set.
    var location: String? { get }
    /// How samples are shown: images, or rows of a table.
    var sampleKind: SampleKind { get }
    /// What a run on this dataset learns.
    var task: TaskKind { get }
    /// The column a run predicts (CSV data), nil for image datasets.
    var target: String? { get }
    /// Column names of a table (features, then targets).
    var columnNames: [String] { get }
    /// The values of sample `index` as text, in `columnNames` order (tables).
    func row(_ split: DatasetSplit, _ index: Int) -> [String]
    /// The regression target of sample `index` (first target column), nil for classification.
    func targetValue(_ split: DatasetSplit, _ index: Int) -> Double?
    /// Values a model predicts per sample: the classes, the regression targets, or the vocabulary.
    var outputs: Int { get }
    /// Sample `index` as text (`sampleKind == .text`), nil for other data.
    func textSample(_ split: DatasetSplit, _ index: Int) -> TextSample?
    /// Sample `index` as a forecasting window (`sampleKind == .series`), nil for other data.
    func seriesWindow(_ split: DatasetSplit, _ index: Int) -> SeriesWindow?
    /// The tokenizer's vocabulary of text data, nil for other data.
    var vocabulary: VocabularyInfo? { get }
}

/// How a dataset's samples are shown in the browser.
public enum SampleKind: Sendable {
    case image
    case table
    /// Token sequences: language-modelling windows or labelled texts.
    case text
    /// Windows of a numeric series (forecasting).
    case series
}

extension DatasetSource {
    public var location: String? { nil }
    public var sampleKind: SampleKind { .image }
    public var task: TaskKind { .classification }
    public var target: String? { nil }
    public var columnNames: [String] { [] }
    public func row(_ split: DatasetSplit, _ index: Int) -> [String] { [] }
    public func targetValue(_ split: DatasetSplit, _ index: Int) -> Double? { nil }
    public var outputs: Int { classNames.count }
    public func textSample(_ split: DatasetSplit, _ index: Int) -> TextSample? { nil }
    public func seriesWindow(_ split: DatasetSplit, _ index: Int) -> SeriesWindow? { nil }
    public var vocabulary: VocabularyInfo? { nil }

    /// Number of examples per class in `split`.
    public func classCounts(_ split: DatasetSplit) -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for i in 0..<count(split) {
            let l = label(split, i)
            if l >= 0 && l < counts.count { counts[l] += 1 }
        }
        return counts
    }
}

/// Where datasets come from: the embedded default, a CIFAR-10 archive or folder, image and CSV files.
public protocol DatasetProvider: AnyObject {
    /// The built-in dataset that opens without any file.
    func embeddedDefault() -> DatasetSource
    /// Opens CIFAR-10 from an archive (`cifar-10-binary.tar.gz`) or an extracted folder.
    /// Throws an error whose description tells the user what was wrong with the path.
    func openCIFAR10(path: String) throws -> DatasetSource
    /// The column names of a CSV file's header, for choosing the column to predict.
    func csvColumns(path: String) throws -> [String]
    /// Opens a CSV file predicting `target` (classification of a label column, or
    /// regression of a numeric one). Throws naming the file, line or column at fault.
    func openCSV(path: String, target: String, task: TaskKind) throws -> DatasetSource
    /// Opens an image folder (one subfolder per class, optionally under train/ and
    /// test/) or a CIFAR-10, CIFAR-100, MNIST or Fashion-MNIST folder, told apart by its files.
    func openDataset(path: String) throws -> DatasetSource
    /// Opens sequence data for `task` (language modelling, sequence classification,
    /// forecasting): the file or folder at `path`, or the embedded set of that task when nil.
    func openSequence(task: TaskKind, path: String?, target: String?) throws -> DatasetSource
    /// Opens `kind` from `path` (what *Download dataset…* fetched there), without guessing the kind.
    func open(_ kind: ImageDatasetKind, path: String) throws -> DatasetSource
}

extension DatasetProvider {
    public func csvColumns(path: String) throws -> [String] { throw DatasetOpenError("CSV files are not supported here") }
    public func openCSV(path: String, target: String, task: TaskKind) throws -> DatasetSource {
        throw DatasetOpenError("CSV files are not supported here")
    }
    public func openDataset(path: String) throws -> DatasetSource { try openCIFAR10(path: path) }
    public func openSequence(task: TaskKind, path: String?, target: String?) throws -> DatasetSource {
        throw DatasetOpenError("sequence data is not supported here")
    }
    public func open(_ kind: ImageDatasetKind, path: String) throws -> DatasetSource {
        kind == .cifar10 ? try openCIFAR10(path: path) : try openDataset(path: path)
    }
}
