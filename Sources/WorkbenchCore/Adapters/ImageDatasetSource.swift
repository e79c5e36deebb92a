import Foundation
import Tensors

/// A `Tensors` image classification dataset (Shapes10, CIFAR-10 …) as the dataset browser
/// sees it: both splits, class names, images as RGB bytes, and the training transforms
/// (random crop with padding 4, horizontal flip) for the augmentation preview.
///
/// Holds only immutable pixel buffers, so the training thread may read it too.
public final class ImageDatasetSource: DatasetSource, @unchecked Sendable {
    struct Split {
        var data: [UInt8]
        var targets: [Int]
        var height: Int
        var width: Int
        var channels: Int
    }

    public let name: String
    public let location: String?
    public let classNames: [String]
    public let inputShape: [Int]
    private let splits: [DatasetSplit: Split]
    private let augmentation: any Transform

    /// Wraps a train and a test split of the same dataset.
    public init<D: ImageClassificationDataset, E: ImageClassificationDataset>(name: String, location: String?, train: D, test: E) {
        self.name = name
        self.location = location
        classNames = train.classes
        inputShape = [train.imageChannels, train.imageHeight, train.imageWidth]
        func split<X: ImageClassificationDataset>(_ d: X) -> Split {
            Split(data: d.data, targets: d.targets, height: d.imageHeight, width: d.imageWidth, channels: d.imageChannels)
        }
        splits = [.train: split(train), .test: split(test)]
        augmentation = Compose(RandomCrop(train.imageHeight, padding: 4), RandomHorizontalFlip())
    }

    public func count(_ split: DatasetSplit) -> Int { splits[split]?.targets.count ?? 0 }

    public func label(_ split: DatasetSplit, _ index: Int) -> Int { splits[split]?.targets[index] ?? 0 }

    public func image(_ split: DatasetSplit, _ index: Int) -> RGBImage {
        guard let s = splits[split] else { return RGBImage(width: 0, height: 0, pixels: []) }
        let n = s.height * s.width * s.channels
        return ImageDatasetSource.rgb(Array(s.data[(index * n)..<((index + 1) * n)]), width: s.width, height: s.height, channels: s.channels)
    }

    public func augmentedImage(_ split: DatasetSplit, _ index: Int, variant: UInt64) -> RGBImage {
        guard let s = splits[split] else { return RGBImage(width: 0, height: 0, pixels: []) }
        let n = s.height * s.width * s.channels
        let img = Image(width: s.width, height: s.height, channels: s.channels, pixels: Array(s.data[(index * n)..<((index + 1) * n)]))
        let g = Generator(seed: variant &* 0x9E37_79B9 &+ UInt64(index))
        guard let out = (try? augmentation.apply(.image(img), generator: g))?.image else { return image(split, index) }
        return ImageDatasetSource.rgb(out.pixels, width: out.width, height: out.height, channels: out.channels)
    }

    /// HWC bytes with 1 (grey) or 3+ channels as RGB.
    static func rgb(_ px: [UInt8], width: Int, height: Int, channels: Int) -> RGBImage {
        if channels == 3 { return RGBImage(width: width, height: height, pixels: px) }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            for c in 0..<3 { out[3 * i + c] = px[i * channels + min(c, channels - 1)] }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}

/// Datasets from `Tensors/Data`: the embedded Shapes10 set, CIFAR-10/100, MNIST and
/// Fashion-MNIST (archives or folders), image folders and CSV files.
public final class TensorsDatasetProvider: DatasetProvider {
    let embeddedTrainCount: Int?
    let embeddedTestCount: Int?

    /// `trainCount`/`testCount` size the embedded Shapes10 set (nil: its defaults).
    public init(embeddedTrainCount: Int? = nil, embeddedTestCount: Int? = nil) {
        self.embeddedTrainCount = embeddedTrainCount
        self.embeddedTestCount = embeddedTestCount
    }

    public func embeddedDefault() -> DatasetSource {
        // Both splits at once (launch time).
        let (train, test) = TensorsDatasetProvider.both({ Shapes10(train: true, count: self.embeddedTrainCount) },
                                                        { Shapes10(train: false, count: self.embeddedTestCount) })
        return ImageDatasetSource(name: "Shapes10", location: nil, train: train, test: test)
    }

    public func openCIFAR10(path: String) throws -> DatasetSource { try open(.cifar10, path: path) }

    public func open(_ kind: ImageDatasetKind, path: String) throws -> DatasetSource {
        // An archive is inflated once per split: read them side by side.
        let (train, test) = TensorsDatasetProvider.both({ Result { try kind.open(root: path, train: true) } },
                                                        { Result { try kind.open(root: path, train: false) } })
        do {
            let (a, b) = (try train.get(), try test.get())
            LoadedDatasets.remember(a, path: path, train: true)
            LoadedDatasets.remember(b, path: path, train: false)
            return ImageDatasetSource(name: kind.rawValue, location: path, train: a, test: b)
        } catch {
            // The library's hint names its API; here the menu does the download.
            throw DatasetOpenError("\(error)".replacingOccurrences(of: "use download: true to fetch it", with: "or use Download dataset… in the menu (m D)"))
        }
    }

    public func openDataset(path: String) throws -> DatasetSource {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetOpenError("\(path): no such file or folder") }
        // Text: a .txt file is language modelling, a folder of <class>/*.txt files is text classification.
        if TrainingConfig.isText(path) { return try openSequence(task: .languageModeling, path: path, target: nil) }
        if SequenceDatasetSource.isTextFolder(path) { return try openSequence(task: .sequenceClassification, path: path, target: nil) }
        do {
            if let root = try ImageFolder.splitRoot(path, train: true) {
                // Decoded and resized to 32x32 once, as a run on it will see them.
                func open(_ root: String, train: Bool) throws -> ImageArrayDataset {
                    let folder = try ImageFolder(root: root, resize: (32, 32), onCorruptFile: .skip)
                    guard let set = ImageArrayDataset(folder, train: train) else { throw DatasetOpenError("\(root): the images could not be loaded") }
                    return set
                }
                let train = try open(root, train: true)
                let test = try ImageFolder.splitRoot(path, train: false).map { try open($0, train: false) } ?? train
                return ImageDatasetSource(name: "ImageFolder \(URL(fileURLWithPath: path).lastPathComponent)", location: path,
                                          train: train, test: test)
            }
            return try open(ImageDatasetKind.detect(path), path: path)
        } catch let e as DatasetOpenError {
            throw e
        } catch {
            throw DatasetOpenError("\(error)")
        }
    }

    public func csvColumns(path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetOpenError("\(path): no such file") }
        let d = try CSVRegressionDataset.columns(path: path)
        return d
    }

    public func openCSV(path: String, target: String, task: TaskKind) throws -> DatasetSource {
        if task.readsSequences { return try openSequence(task: task, path: path, target: target) }
        return try TableDatasetSource(path: path, target: target, task: task)
    }

    public func openSequence(task: TaskKind, path: String?, target: String?) throws -> DatasetSource {
        let source = try SequenceDatasetSource(task: task, path: path, target: target)
        return source
    }

    /// Runs `a` on another thread while `b` runs on this one.
    static func both<A, B>(_ a: @escaping () -> A, _ b: () -> B) -> (A, B) {
        let box = ResultBox<A>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.value = a()
            done.signal()
        }
        let second = b()
        done.wait()
        guard let first = box.value else { return (a(), second) }
        return (first, second)
    }
}

/// Hands a value from a helper thread to the thread that waits for it.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// A dataset that could not be opened, with a message for the user.
public struct DatasetOpenError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
