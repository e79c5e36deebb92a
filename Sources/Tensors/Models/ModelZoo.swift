/// The built-in models by name, for the CLI and the UI.
///
/// ```swift
/// let model = try ModelZoo.make("lenet5")
/// for e in ModelZoo.entries { print(e.name, e.inputShape) }
/// ```
public enum ModelZoo {
    /// One model of the zoo.
    public struct Entry: Sendable {
        /// The name used on the command line (`lenet5`).
        public let name: String
        /// One line for listings.
        public let summary: String
        /// Expected input of one sample (without the batch dim), e.g. [3, 32, 32].
        public let inputShape: [Int]
        /// Number of output classes.
        public let numClasses: Int
        let build: @Sendable (Generator?) -> any UnaryLayer

        /// A freshly initialised model (parameters drawn from `generator`, or the global default).
        public func make(generator: Generator? = nil) -> any UnaryLayer { build(generator) }

        /// The model with meta parameters (structure only, no memory): for
        /// printing, counting parameters and validating shapes.
        public func makeMeta() -> any UnaryLayer { withMetaInit { build(nil) } }
    }

    /// All models, in listing order.
    public static let entries: [Entry] = [
        Entry(name: "lenet5", summary: "LeNet-5 for CIFAR-10 (the reference chapter's model)",
              inputShape: [3, 32, 32], numClasses: 10) { LeNet5(generator: $0) },
        Entry(name: "simplenet", summary: "Fully connected 3072-256-64-10 with ReLU (the chapter's SimpleNet for CIFAR-10)",
              inputShape: [3, 32, 32], numClasses: 10) { SimpleNet(generator: $0) },
        Entry(name: "smallvgg", summary: "VGG-style CIFAR net with batch norm (conv 64-64-128-128-256, fc 10)",
              inputShape: [3, 32, 32], numClasses: 10) { smallVGG(generator: $0) },
        Entry(name: "resnet18", summary: "ResNet-18 for 32x32 inputs (3x3 stem, no max-pool), torchvision keys",
              inputShape: [3, 32, 32], numClasses: 10) { ResNet.resnet18(numClasses: 10, cifarStem: true, generator: $0) },
        Entry(name: "vgg16", summary: "VGG16 with torchvision's structure and keys (ImageNet, 1000 classes)",
              inputShape: [3, 224, 224], numClasses: 1000) { VGG.vgg16(generator: $0) },
    ]

    /// Names of all models.
    public static var names: [String] { entries.map(\.name) }

    /// The entry for `name` (case-insensitive), or nil.
    public static func entry(named name: String) -> Entry? {
        entries.first { $0.name == name.lowercased() }
    }

    /// A new model by name; throws `ModelZooError` for an unknown name.
    public static func make(_ name: String, generator: Generator? = nil) throws -> any UnaryLayer {
        guard let e = entry(named: name) else { throw ModelZooError(name: name) }
        return e.make(generator: generator)
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
