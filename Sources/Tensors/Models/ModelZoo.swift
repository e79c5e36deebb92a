/// The built-in models by name, for the CLI and the UI.
///
/// ```swift
/// let model = try ModelZoo.make("lenet5")
/// for e in ModelZoo.entries { print(e.name, e.inputShape) }
/// ```
public enum ModelZoo {
    /// What a model reads.
    public enum Input: Equatable, Sendable {
        /// Images of one fixed shape [C, H, W] (or any spatial size the model adapts to).
        case image([Int])
        /// Feature vectors of any length (tabular rows); the model is sized to the data.
        /// `example` is the length used where no data is at hand (listings, `models show`).
        case features(example: Int)
    }

    /// One model of the zoo.
    public struct Entry: Sendable {
        /// The name used on the command line (`lenet5`).
        public let name: String
        /// One line for listings.
        public let summary: String
        /// What the model reads.
        public let input: Input
        /// Output classes (or values) the model has by default.
        public let numClasses: Int
        let build: @Sendable (_ inputShape: [Int], _ outputs: Int, Generator?) -> any UnaryLayer

        /// Input of one sample (without the batch dim): the image shape, or an example feature count.
        public var inputShape: [Int] {
            switch input {
            case .image(let s): return s
            case .features(let n): return [n]
            }
        }

        /// Whether the model reads feature vectors (tabular rows) rather than images.
        public var readsFeatures: Bool {
            if case .features = input { return true }
            return false
        }

        /// A freshly initialised model (parameters drawn from `generator`, or
        /// the global default) with `outputs` outputs (nil: the default) for
        /// samples of `inputShape` (needed by feature models, e.g. [8]).
        public func make(inputShape: [Int]? = nil, outputs: Int? = nil, generator: Generator? = nil) -> any UnaryLayer {
            build(inputShape ?? self.inputShape, outputs ?? numClasses, generator)
        }

        /// The model with meta parameters (structure only, no memory): for
        /// printing, counting parameters and validating shapes.
        public func makeMeta(inputShape: [Int]? = nil, outputs: Int? = nil) -> any UnaryLayer {
            withMetaInit { make(inputShape: inputShape, outputs: outputs) }
        }
    }

    /// All models, in listing order.
    public static let entries: [Entry] = [
        Entry(name: "lenet5", summary: "LeNet-5 for CIFAR-10 (the reference chapter's model)",
              input: .image([3, 32, 32]), numClasses: 10) { LeNet5(numClasses: $1, generator: $2) },
        Entry(name: "simplenet", summary: "Fully connected 3072-256-64-10 with ReLU (the chapter's SimpleNet for CIFAR-10)",
              input: .image([3, 32, 32]), numClasses: 10) { SimpleNet(numClasses: $1, generator: $2) },
        Entry(name: "smallvgg", summary: "VGG-style CIFAR net with batch norm (conv 64-64-128-128-256, fc 10)",
              input: .image([3, 32, 32]), numClasses: 10) { smallVGG(numClasses: $1, generator: $2) },
        Entry(name: "resnet18", summary: "ResNet-18 for 32x32 inputs (3x3 stem, no max-pool), torchvision keys",
              input: .image([3, 32, 32]), numClasses: 10) { ResNet.resnet18(numClasses: $1, cifarStem: true, generator: $2) },
        Entry(name: "vgg16", summary: "VGG16 with torchvision's structure and keys (ImageNet, 1000 classes)",
              input: .image([3, 224, 224]), numClasses: 1000) { VGG.vgg16(numClasses: $1, generator: $2) },
        Entry(name: "mlp", summary: "MLP for tabular data: features-64-64-outputs with ReLU (torchvision.ops.MLP layout)",
              input: .features(example: 8), numClasses: 1) { shape, outputs, g in
            MLP(inChannels: Swift.max(1, shape.reduce(1, *)), hiddenChannels: [64, 64, outputs], generator: g)
        },
    ]

    /// Names of all models.
    public static var names: [String] { entries.map(\.name) }

    /// The entry for `name` (case-insensitive), or nil.
    public static func entry(named name: String) -> Entry? {
        entries.first { $0.name == name.lowercased() }
    }

    /// A new model by name; throws `ModelZooError` for an unknown name.
    public static func make(_ name: String, inputShape: [Int]? = nil, outputs: Int? = nil,
                            generator: Generator? = nil) throws -> any UnaryLayer {
        guard let e = entry(named: name) else { throw ModelZooError(name: name) }
        return e.make(inputShape: inputShape, outputs: outputs, generator: generator)
    }
}

/// An unknown model name.
public struct ModelZooError: TensorsError, Equatable, Sendable {
    /// The name that was asked for.
    public var name: String
    /// An error for the unknown `name`.
    public init(name: String) { self.name = name }
    public var description: String {
        "unknown model '\(name)' (available: \(ModelZoo.names.joined(separator: ", ")))"
    }
}
