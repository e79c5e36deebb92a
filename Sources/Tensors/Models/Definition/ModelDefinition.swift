import Foundation

/// A user-defined model: a model file (`.model.yaml`, `.yaml`, `.yml` or
/// `.json`) listing layers by their PyTorch names and arguments.
///
/// ```yaml
/// name: mynet                 # optional; default: the file name
/// input: [3, 32, 32]          # optional: one sample's shape (default 3x32x32)
/// layers:
///   - Conv2d: {in_channels: 3, out_channels: 32, kernel_size: 3, padding: 1}
///   - ReLU
///   - Residual:               # x + body(x)
///       - Conv2d: {out_channels: 32, kernel_size: 3, padding: 1}   # in_channels: auto
///       - BatchNorm2d         # num_features from the input
///   - MaxPool2d: {kernel_size: 2}
///   - Flatten
///   - Linear: {in_features: auto, out_features: classes}
/// ```
///
/// A bare list of layers is a model file too. Containers: `Sequential`
/// (a list of layers), `Residual` (a list; adds the input to its output),
/// `Add` and `Concat` (a list of branches, each a layer or a list of layers;
/// `Concat: {dim: 1, branches: […]}`). Layer arguments are a mapping by
/// name or a list in PyTorch's order (`- Linear: [400, 120]`). Sizes of the
/// input may be `auto` (inferred from the shape, like `LazyLinear`);
/// `classes` is the number of outputs the data needs.
///
/// The model is a `Sequential` of the top-level layers, so its state-dict
/// keys are PyTorch's for the same `nn.Sequential` (`0.weight`, `3.1.bias`).
/// The file's text is what weights files record (`ModelMetadata`), so a
/// weights file alone rebuilds its model.
///
/// ```swift
/// let def = try ModelDefinition.load(path: "mynet.model.yaml")
/// let model = try def.build(inputShape: [3, 32, 32], outputs: 10, generator: Generator(seed: 0))
/// ```
public struct ModelDefinition: Sendable {
    /// The default sample shape when the file gives none.
    public static let defaultInputShape = [3, 32, 32]

    /// The file's text, as read.
    public let text: String
    /// Where it came from, for messages (a path, or a description).
    public let file: String
    /// The model's name: the file's `name`, else the file name without its extensions.
    public let name: String
    /// One sample's shape from the file's `input`, or nil.
    public let declaredInputShape: [Int]?
    let layers: [DefinitionNode]

    /// Whether `model` names a model file rather than a zoo model (by its extension).
    public static func isModelFile(_ model: String) -> Bool {
        let l = model.lowercased()
        return l.hasSuffix(".yaml") || l.hasSuffix(".yml") || l.hasSuffix(".json")
    }

    /// Reads and parses the model file at `path`.
    public static func load(path: String) throws -> ModelDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelDefinitionError("\(path): model file not found or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelDefinitionError("\(path): the model file is not UTF-8 text")
        }
        return try ModelDefinition(text: text, file: path)
    }

    /// Parses model-file `text`; `file` names it in errors.
    public init(text: String, file: String, name: String? = nil) throws {
        self.text = text
        self.file = file
        let root = try DefinitionNode.parse(text, file: file)
        let stem = URL(fileURLWithPath: file).lastPathComponent.components(separatedBy: ".").first ?? "model"
        switch root {
        case .list(let items, _):
            layers = items
            self.name = name ?? stem
            declaredInputShape = nil
        case .map(let entries, _):
            if let bad = entries.first(where: { !["name", "input", "layers"].contains($0.key) }) {
                throw ModelDefinitionError("\(file): line \(bad.value.line): unknown key '\(bad.key)' (a model file has name, input and layers)")
            }
            guard let list = root["layers"]?.list else {
                throw ModelDefinitionError("\(file): a model file needs `layers:` with a list of layers")
            }
            layers = list
            self.name = name ?? root["name"]?.scalar ?? stem
            if let input = root["input"] {
                let dims = (input.list ?? [input]).compactMap { $0.scalar.flatMap(Int.init) }
                guard !dims.isEmpty, dims.count == (input.list?.count ?? 1), dims.allSatisfy({ $0 > 0 }) else {
                    throw ModelDefinitionError("\(file): line \(input.line): input: expected one sample's shape, e.g. [3, 32, 32]")
                }
                declaredInputShape = dims
            } else {
                declaredInputShape = nil
            }
        case .scalar(_, _, let line):
            throw ModelDefinitionError("\(file): line \(line): expected a list of layers or a mapping with `layers:`")
        }
        guard !layers.isEmpty else { throw ModelDefinitionError("\(file): the model has no layers") }
    }

    /// The sample shape to use: the file's `input`, else 3x32x32.
    public var inputShape: [Int] { declaredInputShape ?? Self.defaultInputShape }

    /// Builds the model for samples of `inputShape` (nil: the file's), drawing
    /// parameters from `generator`. With `outputs`, `classes` stands for it and
    /// the model must end in [N, outputs] (unless `checkOutputs` is false).
    /// Errors name the file, the line, the layer and the expected shape.
    /// Inside `withMetaInit` it builds meta parameters (structure only). A model of
    /// more than `maxParameters` parameters is refused before any layer allocates.
    public func build(inputShape: [Int]? = nil, outputs: Int? = nil, checkOutputs: Bool = true,
                      generator: Generator? = nil,
                      maxParameters: Int = ModelDefinitionLimits.maxParameters) throws -> Sequential {
        let sample = inputShape ?? self.inputShape
        let builder = ModelDefinitionBuilder(outputs: outputs, generator: generator, maxParameters: maxParameters)
        do {
            let (modules, out) = try builder.sequence(layers, input: [2] + sample)
            if let outputs, checkOutputs {
                guard out.count == 2, out[1] == outputs else {
                    throw ModelDefinitionError("the model's output is \(Array(out.dropFirst())) per sample but the data needs "
                                               + "[\(outputs)]; end with a layer giving \(outputs) features (e.g. Linear out_features: classes)")
                }
            }
            return Sequential(modules)
        } catch let e as ModelDefinitionError {
            throw ModelDefinitionError("\(file): \(e.message)")
        }
    }

    /// One sample's output shape for samples of `inputShape` (meta: nothing is allocated).
    public func outputShape(inputShape: [Int]? = nil, outputs: Int? = nil) throws -> [Int] {
        let sample = inputShape ?? self.inputShape
        let model = try withMetaInit { try build(inputShape: sample, outputs: outputs) }
        let layers = try model.validate(inputShape: [2] + sample)
        return Array((layers.first?.outputShape ?? []).dropFirst())
    }
}
