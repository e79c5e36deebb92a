import Foundation

/// What a weights file says about its model, so the file alone can be
/// predicted with, served, exported and published: the zoo architecture and
/// its constructor shape, the task, class names, the input columns of a
/// tabular model, and the test-time transform.
///
/// Stored as JSON under the key `workbench` in the safetensors
/// `__metadata__` (a string map, so tools that read safetensors still work);
/// files written before it existed have only `workbench.model` and load as
/// metadata with that architecture name and the zoo's defaults.
///
/// ```swift
/// let meta = ModelMetadata(architecture: .init(name: "lenet5", inputShape: [3, 32, 32], outputs: 10),
///                          task: .classification, classes: cifarClasses,
///                          transform: .cifar10)
/// try ModelFile.save(model, metadata: meta, to: url)
/// let back = try ModelFile.metadata(in: url)   // the same value
/// ```
public struct ModelMetadata: Codable, Equatable, Sendable {
    /// The metadata format; bumped when a field changes meaning.
    public static let currentVersion = 1

    /// Which zoo model and the shape it was built for.
    public struct Architecture: Codable, Equatable, Sendable {
        /// The zoo name (`lenet5`, `mlp`).
        public var name: String
        /// One sample's shape without the batch dim ([3, 32, 32], or [F] for a row of F features).
        public var inputShape: [Int]
        /// Number of outputs (classes, or regression targets).
        public var outputs: Int
        /// The model file's text (`ModelDefinition`) for a user-defined model, nil for a zoo model.
        public var definition: String?

        /// An architecture record.
        public init(name: String, inputShape: [Int], outputs: Int, definition: String? = nil) {
            self.name = name
            self.inputShape = inputShape
            self.outputs = outputs
            self.definition = definition
        }
    }

    /// How a raw input becomes the model's input at test time.
    ///
    /// Images: `Resize(resize)` (smaller edge), `CenterCrop(centerCrop)`,
    /// `ToTensor()`, `Normalize(mean, std)`; each step is skipped when nil.
    public struct TestTransform: Codable, Equatable, Sendable {
        /// `Resize` size (smaller edge), or nil.
        public var resize: Int?
        /// `CenterCrop` size (square), or nil.
        public var centerCrop: Int?
        /// `Normalize` per-channel means, or nil.
        public var mean: [Float]?
        /// `Normalize` per-channel standard deviations, or nil.
        public var std: [Float]?

        /// A transform record.
        public init(resize: Int? = nil, centerCrop: Int? = nil, mean: [Float]? = nil, std: [Float]? = nil) {
            self.resize = resize
            self.centerCrop = centerCrop
            self.mean = mean
            self.std = std
        }

        /// The reference chapter's CIFAR-10 test transform for 32×32 models:
        /// Resize(32) + CenterCrop(32) (so any image size works) and Normalize.
        public static let cifar10 = TestTransform(resize: 32, centerCrop: 32,
                                                  mean: TrainingSetup.mean, std: TrainingSetup.std)

        /// The pipeline for one image (`Resize`, `CenterCrop`, `ToTensor`, `Normalize`).
        public func imagePipeline() -> Compose {
            var steps: [any Transform] = []
            if let resize { steps.append(Resize(resize)) }
            if let centerCrop { steps.append(CenterCrop(centerCrop)) }
            steps.append(ToTensor())
            if let mean, let std { steps.append(Normalize(mean: mean, std: std)) }
            return Compose(steps)
        }
    }

    /// Format version of this record.
    public var version: Int
    /// The model's architecture.
    public var architecture: Architecture
    /// What the model predicts.
    public var task: TaskKind
    /// Class names by index (classification), empty otherwise.
    public var classes: [String]
    /// Input column names of a tabular model, in order (nil for images).
    public var features: [String]?
    /// Predicted column names (regression), nil otherwise.
    public var targets: [String]?
    /// The test-time transform (nil: inputs are used as they are).
    public var transform: TestTransform?

    /// A metadata record.
    public init(architecture: Architecture, task: TaskKind = .classification, classes: [String] = [],
                features: [String]? = nil, targets: [String]? = nil, transform: TestTransform? = nil) {
        version = Self.currentVersion
        self.architecture = architecture
        self.task = task
        self.classes = classes
        self.features = features
        self.targets = targets
        self.transform = transform
    }

    /// Whether the model reads rows of features rather than images.
    public var readsFeatures: Bool { architecture.inputShape.count == 1 }

    /// Builds the model this metadata describes (fresh parameters; load the weights next):
    /// from the recorded model file when there is one, else from the zoo.
    public func makeModel() throws -> any UnaryLayer {
        if let text = architecture.definition {
            let def = try ModelDefinition(text: text, file: "model file '\(architecture.name)'", name: architecture.name)
            return try def.build(inputShape: architecture.inputShape, outputs: architecture.outputs)
        }
        return try ModelZoo.make(architecture.name, inputShape: architecture.inputShape, outputs: architecture.outputs)
    }

    /// The metadata of a model file's model for samples of `inputShape` (nil:
    /// the file's) with `outputs` outputs (nil: what the model gives), the
    /// images' transform as for training (`Resize`, `CenterCrop`, CIFAR-10's `Normalize`).
    public static func forDefinition(_ def: ModelDefinition, inputShape: [Int]? = nil, outputs: Int? = nil,
                                     classes: [String] = []) throws -> ModelMetadata {
        let shape = inputShape ?? def.inputShape
        let out = try outputs ?? def.outputShape(inputShape: shape).last ?? 1
        return ModelMetadata(architecture: Architecture(name: def.name, inputShape: shape, outputs: out, definition: def.text),
                             task: .classification, classes: classes,
                             transform: shape.count == 3 ? TestTransform(resize: shape[1], centerCrop: shape[1],
                                                                         mean: TrainingSetup.mean, std: TrainingSetup.std) : nil)
    }

    /// The label of output `index`: its class name, target name, or the index.
    public func label(_ index: Int) -> String {
        if index < classes.count { return classes[index] }
        if let targets, index < targets.count { return targets[index] }
        return String(index)
    }

    /// The metadata of a zoo model with its default shape and no class names
    /// (old files, or `--model` without metadata in the file).
    public static func zooDefault(_ name: String) throws -> ModelMetadata {
        guard let e = ModelZoo.entry(named: name) else { throw ModelZooError(name: name) }
        let isImage32 = e.inputShape == [3, 32, 32]
        return ModelMetadata(architecture: Architecture(name: e.name, inputShape: e.inputShape, outputs: e.numClasses),
                             task: .classification, classes: [],
                             transform: e.readsFeatures ? nil
                                : isImage32 ? .cifar10
                                : TestTransform(resize: e.inputShape[1], centerCrop: e.inputShape[1],
                                                mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]))
    }

    /// The metadata of a finished training setup: the zoo model, its shape, the
    /// task, classes or target columns, CSV feature columns, the test transform.
    public init(setup: TrainingSetup) {
        let c = setup.config
        let outputs = setup.task.kind == .regression ? (setup.task as? RegressionTask)?.outputs ?? 1 : setup.classes.count
        var features: [String]?
        var targets: [String]?
        if let path = c.dataPath, TrainingConfig.isCSV(path) {
            let chosen = (c.target ?? (setup.task.kind == .regression ? "" : "label"))
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let columns = (try? CSVRegressionDataset.columns(path: path)) ?? []
            features = columns.filter { !chosen.contains($0) }
            if setup.task.kind == .regression { targets = chosen }
        }
        let isImage = setup.inputShape.count == 3
        let def = setup.modelDefinition
        self.init(architecture: Architecture(name: def?.name ?? c.model, inputShape: setup.inputShape, outputs: outputs,
                                             definition: def?.text),
                  task: setup.task.kind, classes: setup.classes, features: features, targets: targets,
                  transform: isImage ? TestTransform(resize: setup.inputShape[1], centerCrop: setup.inputShape[1],
                                                     mean: TrainingSetup.normalization(channels: setup.inputShape[0]).mean,
                                                     std: TrainingSetup.normalization(channels: setup.inputShape[0]).std) : nil)
    }

    /// The JSON stored in the file (sorted keys, compact).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Parses the stored JSON; `file` names the source in errors.
    public static func parse(_ json: String, file: String) throws -> ModelMetadata {
        do {
            let m = try JSONDecoder().decode(ModelMetadata.self, from: Data(json.utf8))
            guard m.version <= currentVersion else {
                throw ModelFileError("\(file): model metadata version \(m.version) is newer than this workbench reads (\(currentVersion))")
            }
            guard m.architecture.outputs > 0, !m.architecture.inputShape.isEmpty,
                  m.architecture.inputShape.allSatisfy({ $0 > 0 }) else {
                throw ModelFileError("\(file): model metadata has an invalid shape (input \(m.architecture.inputShape), outputs \(m.architecture.outputs))")
            }
            return m
        } catch let e as ModelFileError {
            throw e
        } catch {
            throw ModelFileError("\(file): the model metadata (`workbench` in __metadata__) is not valid JSON of the expected form")
        }
    }
}
