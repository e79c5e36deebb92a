/// Images of one size held in memory with their class indices: what an
/// `ImageFolder` loaded with `resize` becomes for training, so it takes the
/// same paths as CIFAR-10 (splits by index, the fused loader, the browser).
///
/// ```swift
/// let folder = try ImageFolder(root: "pets/train", resize: (32, 32))
/// let train = ImageArrayDataset(folder, train: true)
/// ```
public struct ImageArrayDataset: ImageClassificationDataset, FusableImageDataset {
    public let data: [UInt8]
    public let imageHeight: Int
    public let imageWidth: Int
    public let imageChannels: Int
    public let targets: [Int]
    public let classes: [String]
    public var transform: (any Transform)?
    public var targetTransform: ((Int) -> Int)?
    public let root: String
    public let train: Bool
    public let datasetName: String

    /// Images `data` (N×H×W×C bytes) with `targets`; `data.count` must match.
    public init(data: [UInt8], height: Int, width: Int, channels: Int, targets: [Int], classes: [String],
                root: String, train: Bool, name: String, transform: (any Transform)? = nil) {
        precondition(data.count == targets.count * height * width * channels,
                     "ImageArrayDataset: \(data.count) bytes for \(targets.count) images of \(height)x\(width)x\(channels)")
        self.data = data
        imageHeight = height
        imageWidth = width
        imageChannels = channels
        self.targets = targets
        self.classes = classes
        self.root = root
        self.train = train
        datasetName = name
        self.transform = transform
    }

    /// The images of an `ImageFolder` loaded with `resize` (nil for one without).
    public init?(_ folder: ImageFolder, train: Bool, transform: (any Transform)? = nil) {
        guard let pixels = folder.resized, let size = folder.imageSize else { return nil }
        self.init(data: pixels, height: size.height, width: size.width, channels: 3, targets: folder.targets,
                  classes: folder.classes, root: folder.root, train: train, name: "ImageFolder", transform: transform)
    }

    func fusedImageSource() -> FusedImageSource? { makeFusedSource() }
}
