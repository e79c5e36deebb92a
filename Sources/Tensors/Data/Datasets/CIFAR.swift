import Foundation

/// CIFAR-10, like `torchvision.datasets.CIFAR10`, read from the official
/// binary release.
///
/// `root` may be the `cifar-10-binary.tar.gz` archive, the extracted
/// `cifar-10-batches-bin` folder, or a folder holding either. The archive is
/// read in-process (zlib + tar), nothing is extracted to disk. Training uses
/// `data_batch_1.bin` … `data_batch_5.bin` (50,000 images), test uses
/// `test_batch.bin` (10,000). Each record is 1 label byte and 3,072 pixel
/// bytes (red, green, blue planes of 32×32).
///
/// ```swift
/// let train = try CIFAR10(root: "../shared/data", train: true, transform: ToTensor())
/// print(train)          // Dataset CIFAR10 / Number of datapoints: 50000 / …
/// let (x, y) = try train[0]
/// ```
///
/// A missing, truncated or corrupt file, a record size that does not divide
/// a file or a label outside 0–9 throws a `DataError` naming the file.
public struct CIFAR10: ImageClassificationDataset, FusableImageDataset {
    /// All images, N×H×W×C bytes (HWC), like torchvision's `.data`.
    public let data: [UInt8]
    /// The class index of every item, like torchvision's `.targets`.
    public let targets: [Int]
    /// Class names, indexed by class.
    public let classes: [String]
    /// The path the dataset was opened with.
    public let root: String
    /// True for the training split.
    public let train: Bool
    /// Applied to every item's input (settable, like `dataset.transform = …`).
    public var transform: (any Transform)?
    /// Applied to every label.
    public var targetTransform: ((Int) -> Int)?
    /// Image height in pixels (32).
    public var imageHeight: Int { 32 }
    /// Image width in pixels (32).
    public var imageWidth: Int { 32 }
    /// Colour channels (3, RGB).
    public var imageChannels: Int { 3 }
    /// The dataset's name as torchvision prints it.
    public var datasetName: String { "CIFAR10" }

    /// The official archive.
    public static let resource = DownloadResource(
        url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
        filename: "cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530", size: 170_052_171)
    /// The archive's file name.
    public static let archiveName = "cifar-10-binary.tar.gz"
    /// The folder the archive holds.
    public static let folderName = "cifar-10-batches-bin"
    /// The training batch files, in order.
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    /// The test batch file.
    public static let testFiles = ["test_batch.bin"]
    /// The ten class names, indexed by label.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// Reads the train or test split.
    /// - Parameters:
    ///   - download: fetch the archive into `root` first if it is not there
    ///     (verified by MD5, moved into place atomically).
    ///   - resource: where `download` fetches from (tests point it at a local server).
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil,
                targetTransform: ((Int) -> Int)? = nil, download: Bool = false,
                resource: DownloadResource = CIFAR10.resource, progress: Download.Progress? = nil) throws {
        self.root = root
        self.train = train
        self.transform = transform
        self.targetTransform = targetTransform
        classes = CIFAR10.classNames
        let location = try locateCIFAR(root: root, name: "CIFAR10", archive: CIFAR10.archiveName,
                                       folder: CIFAR10.folderName, markerFile: "data_batch_1.bin",
                                       download: download, resource: resource, progress: progress)
        var reader = CIFARRecordReader(labelBytes: 1, labelLimits: [10])
        try readCIFAR(location, files: train ? CIFAR10.trainFiles : CIFAR10.testFiles, reader: &reader, dataset: "CIFAR10")
        data = reader.pixels
        targets = reader.labels[0]
    }

    func fusedImageSource() -> FusedImageSource? { makeFusedSource() }
}

/// CIFAR-100, like `torchvision.datasets.CIFAR100`, read from the binary
/// release (`cifar-100-binary.tar.gz` with `train.bin` and `test.bin`).
///
/// Each record is a coarse label byte (20 superclasses), a fine label byte
/// (100 classes) and 3,072 pixel bytes. `targets` and items use the fine
/// labels, as torchvision does; `coarseTargets` holds the superclasses.
/// With `labelType: .coarse`, items and `classes` use the superclasses.
public struct CIFAR100: ImageClassificationDataset, FusableImageDataset {
    /// Which of the two labels items carry.
    public enum LabelType: String, Sendable {
        case fine, coarse
    }

    /// All images, N×H×W×C bytes (HWC), like torchvision's `.data`.
    public let data: [UInt8]
    /// The class index of every item, like torchvision's `.targets`.
    public let targets: [Int]
    /// The fine labels (100 classes).
    public let fineTargets: [Int]
    /// The coarse labels (20 superclasses).
    public let coarseTargets: [Int]
    /// Class names, indexed by class.
    public let classes: [String]
    /// Which label items and `targets` carry.
    public let labelType: LabelType
    /// The path the dataset was opened with.
    public let root: String
    /// True for the training split.
    public let train: Bool
    /// Applied to every item's input (settable, like `dataset.transform = …`).
    public var transform: (any Transform)?
    /// Applied to every label.
    public var targetTransform: ((Int) -> Int)?
    /// Image height in pixels (32).
    public var imageHeight: Int { 32 }
    /// Image width in pixels (32).
    public var imageWidth: Int { 32 }
    /// Colour channels (3, RGB).
    public var imageChannels: Int { 3 }
    /// The dataset's name as torchvision prints it.
    public var datasetName: String { "CIFAR100" }

    /// The official archive.
    public static let resource = DownloadResource(
        url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
        filename: "cifar-100-binary.tar.gz", md5: "03b5dce01913d631647c71ecec9e9cb8")
    /// The archive's file name.
    public static let archiveName = "cifar-100-binary.tar.gz"
    /// The folder the archive holds.
    public static let folderName = "cifar-100-binary"

    /// Reads the train or test split; `labelType` chooses fine (100) or coarse (20) labels.
    /// - Parameters:
    ///   - download: fetch the archive into `root` first if it is not there.
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil,
                targetTransform: ((Int) -> Int)? = nil, download: Bool = false, labelType: LabelType = .fine,
                resource: DownloadResource = CIFAR100.resource, progress: Download.Progress? = nil) throws {
        self.root = root
        self.train = train
        self.transform = transform
        self.targetTransform = targetTransform
        self.labelType = labelType
        let location = try locateCIFAR(root: root, name: "CIFAR100", archive: CIFAR100.archiveName,
                                       folder: CIFAR100.folderName, markerFile: "train.bin",
                                       download: download, resource: resource, progress: progress)
        var reader = CIFARRecordReader(labelBytes: 2, labelLimits: [20, 100])
        try readCIFAR(location, files: [train ? "train.bin" : "test.bin"], reader: &reader, dataset: "CIFAR100")
        data = reader.pixels
        coarseTargets = reader.labels[0]
        fineTargets = reader.labels[1]
        targets = labelType == .fine ? fineTargets : coarseTargets
        classes = labelType == .fine ? CIFAR100.fineClassNames : CIFAR100.coarseClassNames
    }

    func fusedImageSource() -> FusedImageSource? { makeFusedSource() }

    /// The 100 fine class names, indexed by fine label.
    public static let fineClassNames = [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ]

    /// The 20 superclass names, indexed by coarse label.
    public static let coarseClassNames = [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
        "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
        "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
        "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
        "vehicles_1", "vehicles_2",
    ]
}

/// Finds a CIFAR release under `root` (archive, extracted folder, or a folder
/// holding either), downloading the archive if asked and absent.
func locateCIFAR(root: String, name: String, archive: String, folder: String, markerFile: String,
                 download: Bool, resource: DownloadResource, progress: Download.Progress?) throws -> DatasetLocation {
    if fileExists(root) { return .archive(root) }
    if isDirectory(root) {
        if fileExists(joinPath(root, markerFile)) || fileExists(joinPath(root, "test_batch.bin")) || fileExists(joinPath(root, "test.bin")) {
            return .folder(root)
        }
        let sub = joinPath(root, folder)
        if isDirectory(sub) { return .folder(sub) }
        let arch = joinPath(root, archive)
        if fileExists(arch) && !download { return .archive(arch) }
    }
    if download {
        let path = try Download.fetch(resource, into: root,
                                      progress: progress ?? Download.terminalProgress(label: resource.filename))
        return .archive(path)
    }
    if !isDirectory(root) {
        throw DataError(.notFound, "\(name): \(root) does not exist (expected \(archive), a \(folder) folder, or a folder holding either; use download: true to fetch it)")
    }
    throw DataError(.notFound, "\(name): dataset not found in \(root) (expected \(archive) or a \(folder) folder; use download: true to fetch it)")
}

/// Reads `files` (in this order) through `reader`, whatever their order in an archive.
func readCIFAR(_ location: DatasetLocation, files: [String], reader: inout CIFARRecordReader, dataset: String) throws {
    var arrival: [(name: String, start: Int, count: Int)] = []
    try readDatasetFiles(location, wanted: files, dataset: dataset) { name, label, source, size in
        if arrival.isEmpty {
            // Reserve the whole split once (the files of a split have equal sizes).
            let records = size / reader.recordSize
            reader.pixels.reserveCapacity(records * files.count * reader.imageBytes)
        }
        let start = reader.recordCount
        try reader.read(source, size: size, file: label)
        arrival.append((name, start, reader.recordCount - start))
    }
    let order = arrival.map { $0.name }
    if order != files {
        // Archive members came in another order: put the records in the official order.
        var pixels: [UInt8] = []
        pixels.reserveCapacity(reader.pixels.count)
        var labels = Array(repeating: [Int](), count: reader.labelBytes)
        for f in files {
            guard let a = arrival.first(where: { $0.name == f }) else { continue }
            pixels += reader.pixels[(a.start * reader.imageBytes)..<((a.start + a.count) * reader.imageBytes)]
            for k in 0..<reader.labelBytes { labels[k] += reader.labels[k][a.start..<(a.start + a.count)] }
        }
        reader.pixels = pixels
        reader.labels = labels
    }
}
