import Foundation

/// Saving and loading model weights as safetensors files with PyTorch key names.
///
/// The file holds the model's `stateDict()` (parameters and persistent
/// buffers) and metadata `format: pt` plus the zoo model name when known, so
/// `safetensors.torch.load_file` returns a state dict for the torch model.
public enum ModelFile {
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
