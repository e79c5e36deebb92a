import Foundation

/// The image dataset opened last (both splits), kept so a run that starts on
/// the same path reuses its decoded pixels instead of reading the archive
/// again (the TUI opens CIFAR-10 to browse it, then trains on it).
///
/// Only one path is kept at a time (a CIFAR-10 holds 180 MB); the pixels are
/// shared, each user sets its own transform. Thread-safe.
///
/// ```swift
/// LoadedDatasets.remember(train, path: "data/cifar", train: true)
/// let again = LoadedDatasets.recall(path: "data/cifar", train: true)   // no file read
/// ```
public enum LoadedDatasets {
    private struct Entry {
        var path: String
        var splits: [Bool: any ImageClassificationDataset]
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entry: Entry?

    /// Keeps `dataset` as the `train` (or test) split of `path`, replacing any other path's.
    public static func remember(_ dataset: any ImageClassificationDataset, path: String, train: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if entry?.path != path { entry = Entry(path: path, splits: [:]) }
        entry?.splits[train] = dataset.withTransform(nil)
    }

    /// The kept split of `path`, if any (without a transform).
    public static func recall(path: String, train: Bool) -> (any ImageClassificationDataset)? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry, entry.path == path else { return nil }
        return entry.splits[train]
    }

    /// Forgets what is kept.
    public static func clear() {
        lock.lock()
        defer { lock.unlock() }
        entry = nil
    }
}
