import Foundation

/// Saving and loading model weights as safetensors files with PyTorch key names.
///
/// The file holds the model's `stateDict()` (parameters and persistent
/// buffers) and metadata `format: pt` plus the zoo model name when known, so
/// `safetensors.torch.load_file` returns a state dict for the torch model.
/// With a `ModelMetadata` it also records the architecture, task, classes and
/// test-time transform as JSON (key `workbench`), so the file alone can be
/// predicted with, served and exported.
public enum ModelFile {
    /// The `__metadata__` key holding the `ModelMetadata` JSON.
    public static let metadataKey = "workbench"

    /// Writes the model's weights atomically; a `tokenizer` (text models) is kept in the
    /// metadata (`workbench.tokenizer`, its JSON) so the file alone can generate text.
    public static func save(_ model: Module, modelName: String? = nil, tokenizer: Tokenizer? = nil, to url: URL) throws {
        var meta = ["format": "pt"]
        if let modelName { meta["workbench.model"] = modelName }
        if let tokenizer { meta["workbench.tokenizer"] = try tokenizer.jsonString() }
        try Safetensors.save(model.stateDict(), metadata: meta, to: url)
    }

    /// The tokenizer recorded in a weights file, if any.
    public static func tokenizer(in url: URL) throws -> Tokenizer? {
        guard let json = try Safetensors.readHeader(from: url).metadata["workbench.tokenizer"] else { return nil }
        return try Tokenizer(jsonString: json)
    }

    /// Writes the model's weights and `metadata` atomically (`workbench.model` is kept for older readers).
    public static func save(_ model: Module, metadata: ModelMetadata, to url: URL) throws {
        try Safetensors.save(model.stateDict(), metadata: try headerMetadata(metadata), to: url)
    }

    /// The safetensors `__metadata__` map for `metadata`.
    public static func headerMetadata(_ metadata: ModelMetadata) throws -> [String: String] {
        ["format": "pt", "workbench.model": metadata.architecture.name, metadataKey: try metadata.json()]
    }

    /// The model metadata recorded in a weights file: the full record when
    /// present, else one built from `workbench.model` and the zoo's defaults,
    /// else nil (a plain safetensors file). Throws for an unreadable file or
    /// malformed metadata.
    public static func metadata(in url: URL) throws -> ModelMetadata? {
        let header = try Safetensors.readHeader(from: url)
        return try metadata(header.metadata, file: url.path)
    }

    /// The model metadata in a safetensors `__metadata__` map (see `metadata(in:)`).
    public static func metadata(_ map: [String: String], file: String) throws -> ModelMetadata? {
        if let json = map[metadataKey] { return try ModelMetadata.parse(json, file: file) }
        if let name = map["workbench.model"] {
            do { return try ModelMetadata.zooDefault(name) } catch { throw ModelFileError("\(file): \(error)") }
        }
        return nil
    }

    /// Builds the model a weights file describes and loads its weights.
    ///
    /// `modelName` overrides (or supplies, for files without metadata) the zoo
    /// architecture, or names a model file (`ModelDefinition`) whose layers
    /// replace the recorded ones. Errors name the file: no architecture
    /// recorded, unknown model, weights that do not fit.
    public static func loadModel(from url: URL, modelName: String? = nil) throws -> (model: any UnaryLayer, metadata: ModelMetadata) {
        var meta = try metadata(in: url)
        if let modelName, ModelDefinition.isModelFile(modelName) {
            do {
                // The file's architecture replaces the recorded one; task, classes and transform stay.
                let def = try ModelDefinition.load(path: modelName)
                let fresh = try ModelMetadata.forDefinition(def, inputShape: meta?.architecture.inputShape,
                                                            outputs: meta?.architecture.outputs)
                var kept = meta ?? fresh
                kept.architecture = fresh.architecture
                meta = kept
            } catch { throw ModelFileError("\(url.path): \(error)") }
        } else if let modelName {
            if meta == nil || meta?.architecture.name != modelName.lowercased() {
                do { meta = try ModelMetadata.zooDefault(modelName) } catch { throw ModelFileError("\(url.path): \(error)") }
            }
        }
        guard let meta else {
            throw ModelFileError("\(url.path): no model architecture recorded in the file; pass --model NAME")
        }
        // The architecture is counted on meta tensors first: a definition asking for more
        // parameters than the file holds values cannot load, so nothing is allocated for it.
        let header = try Safetensors.readHeader(from: url)
        let stored = header.tensors.reduce(0) { $0 + $1.count }
        let needed: Int
        do { needed = try withMetaInit { try meta.makeModel() }.parameterCount } catch { throw ModelFileError("\(url.path): \(error)") }
        guard needed <= stored else {
            throw ModelFileError("\(url.path): its model '\(meta.architecture.name)' has \(needed) parameters but the file "
                                 + "holds \(stored) values; the weights do not fit the architecture")
        }
        let model: any UnaryLayer
        do { model = try meta.makeModel() } catch { throw ModelFileError("\(url.path): \(error)") }
        try load(into: model, from: url)
        model.eval()
        return (model, meta)
    }

    /// Loads weights into `model`. On any error (unreadable file, missing or
    /// unexpected keys, shape mismatch) the model is left unchanged and the
    /// error names the file and the problem.
    @discardableResult
    public static func load(into model: Module, from url: URL, strict: Bool = true) throws -> LoadStateDictResult {
        let file = try Safetensors.load(from: url)
        do {
            return try model.loadStateDict(file.tensors, strict: strict)
        } catch {
            throw ModelFileError("\(url.path): \(error)")
        }
    }

    /// The zoo model name recorded in a weights file, if any.
    public static func modelName(in url: URL) -> String? {
        (try? Safetensors.readHeader(from: url))?.metadata["workbench.model"]
    }
}

/// A weights file that cannot be saved or loaded into a model, naming the file.
public struct ModelFileError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
