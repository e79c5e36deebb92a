import Foundation

/// MNIST handwritten digits, like `torchvision.datasets.MNIST`: 28×28
/// grayscale images (`Image` with 1 channel), classes `0 - zero` … `9 - nine`.
///
/// Reads the IDX files `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`
/// (`t10k-…` for the test split), gzipped or not, from `root/MNIST/raw`,
/// `root/MNIST` or `root` itself. `download: true` fetches the four `.gz`
/// files into `root/MNIST/raw`, each verified by MD5.
public struct MNIST: ImageClassificationDataset, FusableImageDataset {
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
    /// Image height in pixels (28).
    public let imageHeight: Int
    /// Image width in pixels (28).
    public let imageWidth: Int
    /// Colour channels (1, grayscale).
    public var imageChannels: Int { 1 }
    /// The dataset's name as torchvision prints it.
    public var datasetName: String { "MNIST" }

    /// Where `download` fetches the files from.
    public static let mirror = "https://ossci-datasets.s3.amazonaws.com/mnist/"
    /// The four files and their MD5 digests.
    public static let resources: [(String, String)] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    /// The ten class names, indexed by label.
    public static let classNames = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
                                    "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    /// Reads the train (60,000 images) or test (10,000) split.
    /// - Parameters:
    ///   - download: fetch the four `.gz` files (MD5-verified) if the split's files are not there.
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil,
                targetTransform: ((Int) -> Int)? = nil, download: Bool = false,
                mirror: String = MNIST.mirror, progress: Download.Progress? = nil) throws {
        let set = try IDXImageSet(root: root, name: "MNIST", train: train, download: download,
                                  mirror: mirror, resources: MNIST.resources, progress: progress)
        data = set.pixels
        targets = set.labels
        imageHeight = set.height
        imageWidth = set.width
        classes = MNIST.classNames
        self.root = root
        self.train = train
        self.transform = transform
        self.targetTransform = targetTransform
    }

    func fusedImageSource() -> FusedImageSource? { makeFusedSource() }
}

/// Fashion-MNIST, like `torchvision.datasets.FashionMNIST`: Zalando's 28×28
/// grayscale clothing images in MNIST's file format, from
/// `root/FashionMNIST/raw`, `root/FashionMNIST` or `root`.
public struct FashionMNIST: ImageClassificationDataset, FusableImageDataset {
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
    /// Image height in pixels (28).
    public let imageHeight: Int
    /// Image width in pixels (28).
    public let imageWidth: Int
    /// Colour channels (1, grayscale).
    public var imageChannels: Int { 1 }
    /// The dataset's name as torchvision prints it.
    public var datasetName: String { "FashionMNIST" }

    /// Where `download` fetches the files from.
    public static let mirror = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    /// The four files and their MD5 digests.
    public static let resources: [(String, String)] = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    /// The ten class names, indexed by label.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Reads the train (60,000 images) or test (10,000) split.
    /// - Parameters:
    ///   - download: fetch the four `.gz` files (MD5-verified) if the split's files are not there.
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil,
                targetTransform: ((Int) -> Int)? = nil, download: Bool = false,
                mirror: String = FashionMNIST.mirror, progress: Download.Progress? = nil) throws {
        let set = try IDXImageSet(root: root, name: "FashionMNIST", train: train, download: download,
                                  mirror: mirror, resources: FashionMNIST.resources, progress: progress)
        data = set.pixels
        targets = set.labels
        imageHeight = set.height
        imageWidth = set.width
        classes = FashionMNIST.classNames
        self.root = root
        self.train = train
        self.transform = transform
        self.targetTransform = targetTransform
    }

    func fusedImageSource() -> FusedImageSource? { makeFusedSource() }
}

/// Images and labels read from a pair of IDX files.
struct IDXImageSet {
    var pixels: [UInt8]
    var labels: [Int]
    var height: Int
    var width: Int

    init(root: String, name: String, train: Bool, download: Bool, mirror: String,
         resources: [(String, String)], progress: Download.Progress?) throws {
        let prefix = train ? "train" : "t10k"
        let imageFile = "\(prefix)-images-idx3-ubyte", labelFile = "\(prefix)-labels-idx1-ubyte"
        let candidates = [joinPath(joinPath(root, name), "raw"), joinPath(root, name), root]
        func find(_ file: String) -> String? {
            for dir in candidates {
                for f in [file, file + ".gz"] where fileExists(joinPath(dir, f)) { return joinPath(dir, f) }
            }
            return nil
        }
        var imagesPath = find(imageFile), labelsPath = find(labelFile)
        if (imagesPath == nil || labelsPath == nil) && download {
            let dir = candidates[0]
            for (file, md5) in resources {
                try Download.fetch(DownloadResource(url: mirror + file, filename: file, md5: md5), into: dir,
                                   progress: progress ?? Download.terminalProgress(label: file))
            }
            imagesPath = find(imageFile)
            labelsPath = find(labelFile)
        }
        guard let ip = imagesPath, let lp = labelsPath else {
            let missing = imagesPath == nil ? imageFile : labelFile
            throw DataError(.notFound, "\(name): \(missing)(.gz) not found in \(candidates.joined(separator: ", ")) (use download: true to fetch it)")
        }
        let (imageDims, imageBytes) = try readIDX(ip, expectedRank: 3)
        let (labelDims, labelBytes) = try readIDX(lp, expectedRank: 1)
        guard imageDims[0] == labelDims[0] else {
            throw DataError(.badFormat, "\(name): \(ip) holds \(imageDims[0]) images but \(lp) holds \(labelDims[0]) labels")
        }
        if let bad = labelBytes.firstIndex(where: { $0 > 9 }) {
            throw DataError(.badFormat, "\(lp): label \(bad) is \(labelBytes[bad]), expected 0–9")
        }
        pixels = imageBytes
        labels = labelBytes.map { Int($0) }
        height = imageDims[1]
        width = imageDims[2]
    }
}

/// Reads an unsigned-byte IDX file (optionally gzipped): its dimensions and data.
/// - Throws: `DataError` naming the file for a bad magic number, an
///   unexpected rank, a truncated file or trailing bytes.
public func readIDX(_ path: String, expectedRank: Int? = nil) throws -> (dims: [Int], data: [UInt8]) {
    let source = try openMaybeGzip(path: path)
    var header = [UInt8](repeating: 0, count: 4)
    let n = try header.withUnsafeMutableBytes { try source.readFully(into: $0) }
    guard n == 4, header[0] == 0, header[1] == 0 else {
        throw DataError(.badFormat, "\(path): not an IDX file (bad magic number)")
    }
    guard header[2] == 0x08 else {
        throw DataError(.badFormat, "\(path): IDX data type 0x\(String(header[2], radix: 16)) is not supported, expected 0x08 (unsigned byte)")
    }
    let rank = Int(header[3])
    if let r = expectedRank, r != rank {
        throw DataError(.badFormat, "\(path): IDX file has \(rank) dimensions, expected \(r)")
    }
    var dimBytes = [UInt8](repeating: 0, count: 4 * rank)
    let got = try dimBytes.withUnsafeMutableBytes { try source.readFully(into: $0) }
    guard got == dimBytes.count else {
        throw DataError(.badFormat, "\(path): file is truncated (in the IDX header)")
    }
    var dims: [Int] = []
    for i in 0..<rank {
        var v = 0
        for k in 0..<4 { v = (v << 8) | Int(dimBytes[4 * i + k]) }
        dims.append(v)
    }
    var total = 1
    for d in dims {
        let (product, overflow) = total.multipliedReportingOverflow(by: d)
        guard !overflow, product < 1 << 34 else {
            throw DataError(.badFormat, "\(path): IDX dimensions \(dims) are implausibly large")
        }
        total = product
    }
    // The header's claim is not trusted with one allocation (a 20-byte file can claim 4 GB, found
    // by fuzzing): the data grows chunk by chunk as bytes actually arrive.
    let chunk = 1 << 20
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: min(chunk, total))
    while data.count < total {
        let want = min(chunk, total - data.count)
        let got = try buffer.withUnsafeMutableBytes { try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
        data.append(contentsOf: buffer[0..<got])
        if got < want { break }
    }
    guard data.count == total else {
        throw DataError(.badFormat, "\(path): file is truncated (dimensions \(dims) need \(total) data bytes, got \(data.count))")
    }
    var extra: [UInt8] = [0]
    let more = try extra.withUnsafeMutableBytes { try source.read(into: $0) }
    guard more == 0 else {
        throw DataError(.badFormat, "\(path): unexpected bytes after the \(total) data bytes of dimensions \(dims)")
    }
    return (dims, data)
}
