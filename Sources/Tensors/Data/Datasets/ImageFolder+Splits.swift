import Foundation

extension ImageFolder {
    /// The class-folder root that `path` names for a split, or nil when `path`
    /// is not an image folder (a CIFAR or MNIST folder, a file).
    ///
    /// `path/train` is the training split and `path/test` (or `path/val`) the
    /// test split when they hold class folders; otherwise `path` itself is the
    /// training split and there is no test split (nil for `train: false`).
    /// - Throws: `DataError` for a folder of images without class folders.
    public static func splitRoot(_ path: String, train: Bool) throws -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return nil }
        let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        let datasetMarkers = ["data_batch_", "test_batch", "train.bin", "test.bin", "cifar-", "train-images-idx3",
                              "t10k-images-idx3", "MNIST", "FashionMNIST", "batches.meta"]
        if entries.contains(where: { e in datasetMarkers.contains { e.hasPrefix($0) } }) { return nil }
        func subfolders(_ dir: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { e in
                var d: ObjCBool = false
                return fm.fileExists(atPath: dir + "/" + e, isDirectory: &d) && d.boolValue
            }
        }
        let subs = subfolders(path)
        guard !subs.isEmpty else {
            if entries.contains(where: { DatasetFolder.hasFileAllowedExtension($0, imageExtensions) }) {
                throw DataError(.badFormat, "\(path) holds image files but no class folders: an image folder needs one subfolder of images per class (\(path)/CLASS/xxx.png)")
            }
            return nil
        }
        let wanted = train ? ["train"] : ["test", "val"]
        if let split = wanted.first(where: { subs.contains($0) }) {
            let inner = path + "/" + split
            if !subfolders(inner).isEmpty { return inner }
        }
        if !train {
            if subs.contains("train") {
                throw DataError(.notFound, "\(path) has a train/ folder but no test/ or val/ folder for the test split")
            }
            return nil
        }
        return path
    }
}
