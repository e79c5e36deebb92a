import Tensors
/// One node of a model's module tree, as the model pane shows it.
public struct ModelInfo: Equatable, Sendable {
    /// The attribute name under its parent ("features", "0", "fc1"); the root's is "".
    public var name: String
    /// The module type ("Conv2d", "Sequential", "LeNet5").
    public var type: String
    /// Constructor arguments as PyTorch prints them ("3, 6, kernel_size=(5, 5)"), may be empty.
    public var detail: String
    /// The output shape for one example batch, nil when unknown (not reached after a failure).
    public var outputShape: [Int]?
    /// Parameters held directly by this module (not its children).
    public var ownParameters: Int
    public var children: [ModelInfo]
    /// Forward FLOPs of one sample through this module's own computation (a leaf's), nil when unknown.
    public var flops: Int?
    /// Bytes of this module's output for one sample (float32: the activation kept for backward), nil when unknown.
    public var outputBytes: Int?

    public init(name: String, type: String, detail: String = "", outputShape: [Int]? = nil,
                ownParameters: Int = 0, children: [ModelInfo] = [], flops: Int? = nil, outputBytes: Int? = nil) {
        self.name = name
        self.type = type
        self.detail = detail
        self.outputShape = outputShape
        self.ownParameters = ownParameters
        self.children = children
        self.flops = flops
        self.outputBytes = outputBytes
    }

    /// Parameters of this module and all its descendants.
    public var totalParameters: Int { ownParameters + children.reduce(0) { $0 + $1.totalParameters } }

    /// Forward FLOPs of this module and its descendants (nil when none is known).
    public var totalFLOPs: Int? {
        if children.isEmpty { return flops }
        let known = children.compactMap(\.totalFLOPs)
        return known.isEmpty ? flops : known.reduce(0, +) + (flops ?? 0)
    }

    /// Activation bytes of the leaves under this module for one sample (nil when none is known).
    public var totalActivationBytes: Int? {
        if children.isEmpty { return outputBytes }
        let known = children.compactMap(\.totalActivationBytes)
        return known.isEmpty ? nil : known.reduce(0, +)
    }
}

/// Why a model cannot run on the dataset's input.
public struct ModelFailure: Equatable, Sendable {
    /// Dotted path of the failing layer ("classifier.1").
    public var layerPath: String
    public var message: String

    public init(layerPath: String, message: String) {
        self.layerPath = layerPath
        self.message = message
    }
}

/// A model described against an input shape.
public struct ModelDescription: Equatable, Sendable {
    public var name: String
    public var root: ModelInfo
    /// The input shape used (batch of 1 included, e.g. [1, 3, 32, 32]).
    public var inputShape: [Int]
    public var failure: ModelFailure?

    public init(name: String, root: ModelInfo, inputShape: [Int], failure: ModelFailure? = nil) {
        self.name = name
        self.root = root
        self.inputShape = inputShape
        self.failure = failure
    }

    public var totalParameters: Int { root.totalParameters }
    /// Whether the tree knows FLOPs and memory (the model pane then shows those columns).
    public var hasCosts: Bool { root.totalFLOPs != nil }
    public var canTrain: Bool { failure == nil }
}

/// The model zoo as the UI sees it.
public protocol ModelCatalog: AnyObject {
    var modelNames: [String] { get }
    /// Builds `name` for inputs of `inputShape` (without batch) and `numClasses` outputs and
    /// runs a shape-only forward. Throws only for an unknown name.
    func describe(_ name: String, inputShape: [Int], numClasses: Int) throws -> ModelDescription
    /// As `describe(_:inputShape:numClasses:)` for data with a vocabulary (token ids): a
    /// sequence model's embedding is sized by `vocabularySize`.
    func describe(_ name: String, inputShape: [Int], numClasses: Int, vocabularySize: Int?) throws -> ModelDescription
}

extension ModelCatalog {
    public func describe(_ name: String, inputShape: [Int], numClasses: Int, vocabularySize: Int?) throws -> ModelDescription {
        try describe(name, inputShape: inputShape, numClasses: numClasses)
    }
}
