import Foundation

/// The downloadable image datasets (CIFAR-10, CIFAR-100, MNIST,
/// Fashion-MNIST): which one a path holds, and opening a split of it.
///
/// Detection looks at the path's name and the folder's entries (the
/// archives' and torchvision's file names); anything else is taken for
/// CIFAR-10, whose reader then says what it expected.
///
/// ```swift
/// let kind = ImageDatasetKind.detect("data/mnist")          // .mnist
/// let train = try kind.open(root: "data/mnist", train: true)
/// ```
public enum ImageDatasetKind: String, CaseIterable, Sendable {
    case cifar10 = "CIFAR-10"
    case cifar100 = "CIFAR-100"
    case mnist = "MNIST"
    case fashionMNIST = "FashionMNIST"

    /// The dataset `path` holds (CIFAR-10 when nothing else matches).
    public static func detect(_ path: String) -> ImageDatasetKind {
        let lower = path.lowercased()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        func has(_ prefix: String) -> Bool { entries.contains { $0.hasPrefix(prefix) } }
        if lower.contains("cifar-100") || has("cifar-100") || entries.contains("train.bin") { return .cifar100 }
        if has("train-images-idx3") || has("t10k-images-idx3") || has("MNIST") || has("FashionMNIST") {
            return lower.contains("fashion") || has("FashionMNIST") ? .fashionMNIST : .mnist
        }
        if lower.contains("fashion") { return .fashionMNIST }
        if lower.hasSuffix("mnist") || lower.hasSuffix("mnist/") { return .mnist }
        return .cifar10
    }

    /// Opens the `train` or test split under `root`. With `download`, a dataset
    /// that is not there is fetched first (`DatasetDownload.resolved`, so
    /// `WORKBENCH_DATASET_MIRROR` applies; MD5-verified; `progress` in bytes of
    /// each file, else a line per file on stderr).
    public func open(root: String, train: Bool, transform: (any Transform)? = nil, download: Bool = false,
                     progress: Download.Progress? = nil) throws -> any ImageClassificationDataset {
        if download {
            do {
                return try open(root: root, train: train, transform: transform)
            } catch let e as DataError where e.kind == .notFound {
                var printers: [Int: Download.Progress] = [:]
                try DatasetDownload.resolved(self).fetch(into: root) { p in
                    guard p.phase == .transferring else { return }
                    let printer = progress ?? printers[p.fileIndex] ?? Download.terminalProgress(label: p.filename)
                    printers[p.fileIndex] = printer
                    printer(p.fileReceived, p.fileTotal)
                }
            }
        }
        switch self {
        case .cifar10: return try CIFAR10(root: root, train: train, transform: transform)
        case .cifar100: return try CIFAR100(root: root, train: train, transform: transform)
        case .mnist: return try MNIST(root: root, train: train, transform: transform)
        case .fashionMNIST: return try FashionMNIST(root: root, train: train, transform: transform)
        }
    }
}
