import Foundation
import Tensors

/// The models a server serves, by name, each behind its own `DynamicBatcher`.
///
/// `reload(name:)` reads the weights file again and swaps the model in
/// without dropping requests: queued requests run on the new model, a batch
/// already running finishes on the old one. A file that fails to load leaves
/// the old model serving.
public final class ModelRepository: @unchecked Sendable {
    /// One served model.
    public struct Entry: Sendable {
        /// The name in URLs (`/v2/models/{name}`).
        public var name: String
        /// Its weights file.
        public var weights: URL
        /// The zoo model to use when the file records none.
        public var modelName: String?
        /// Its batcher (holds the current predictor).
        public var batcher: DynamicBatcher
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    /// Names in the order given.
    public private(set) var names: [String] = []

    /// Loads every `(name, weights, zoo model)`; throws naming the first file that fails.
    public init(models: [(name: String, weights: URL, modelName: String?)], options: ServeOptions,
                onBatch: (@Sendable (Int, TimeInterval) -> Void)? = nil) throws {
        for m in models {
            guard entries[m.name] == nil else { throw PredictionError("model name '\(m.name)' is given twice") }
            let p = try Predictor(weights: m.weights, modelName: m.modelName)
            let b = DynamicBatcher(predictor: p, maxBatch: options.maxBatch, maxDelayMs: options.maxDelayMs, workers: options.workers,
                                     maxQueue: options.maxQueue)
            b.onBatch = onBatch
            entries[m.name] = Entry(name: m.name, weights: m.weights, modelName: m.modelName, batcher: b)
            names.append(m.name)
        }
    }

    /// The entry called `name`, or nil.
    public func entry(_ name: String) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        return entries[name]
    }

    /// Reloads `name`'s weights file; the old model keeps serving if it fails.
    public func reload(_ name: String) throws {
        guard let e = entry(name) else { throw PredictionError("unknown model '\(name)'") }
        let p = try Predictor(weights: e.weights, modelName: e.modelName)
        e.batcher.replace(with: p)
    }

    /// Reloads every model; returns one message per failure.
    @discardableResult
    public func reloadAll() -> [String] {
        names.compactMap { n in
            do { try reload(n); return nil } catch { return "\(n): \(error)" }
        }
    }

    /// Finishes queued requests and stops every batcher.
    public func close() {
        for n in names { entry(n)?.batcher.close() }
    }
}
