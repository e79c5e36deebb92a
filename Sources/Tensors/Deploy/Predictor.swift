import Foundation

/// A model ready for inference: built and loaded from a weights file, in eval
/// mode, with its metadata (classes, input shape, test transform).
///
/// `run` is safe to call from several threads at once (no autograd graph is
/// recorded and the model is not modified).
///
/// ```swift
/// let p = try Predictor(weights: URL(fileURLWithPath: "lenet5.safetensors"))
/// let top = try p.predict(batch, topK: 3)   // [[Prediction]] per sample
/// ```
public final class Predictor: @unchecked Sendable {
    /// The model (eval mode).
    public let model: any UnaryLayer
    /// What the weights file records.
    public let metadata: ModelMetadata
    /// The weights file.
    public let weights: URL

    /// Loads `weights`; `modelName` names the zoo model for files without metadata.
    public init(weights: URL, modelName: String? = nil) throws {
        (model, metadata) = try ModelFile.loadModel(from: weights, modelName: modelName)
        self.weights = weights
    }

    /// A predictor for an existing model (eval mode is set).
    public init(model: any UnaryLayer, metadata: ModelMetadata, weights: URL) {
        model.eval()
        self.model = model
        self.metadata = metadata
        self.weights = weights
    }

    /// Shape of one sample (no batch dim).
    public var inputShape: [Int] { metadata.architecture.inputShape }

    /// The model's raw outputs for a batch `[N, …inputShape]`; throws for a wrong shape.
    public func run(_ batch: Tensor) throws -> Tensor {
        guard batch.rank == inputShape.count + 1, Array(batch.shape.dropFirst()) == inputShape else {
            throw PredictionError("input of shape \(batch.shape): expected [N, \(inputShape.map(String.init).joined(separator: ", "))]")
        }
        return noGrad { model(batch) }
    }

    /// Ranked predictions per sample: the `topK` most probable classes (softmax
    /// over the outputs) for classification, every output value for regression.
    public func predict(_ batch: Tensor, topK: Int) throws -> [[Prediction]] {
        let out = try run(batch)
        return rank(out, topK: topK)
    }

    /// Ranks raw outputs `[N, outputs]` as `predict` does.
    public func rank(_ out: Tensor, topK: Int) -> [[Prediction]] {
        let n = out.shape[0], k = out.shape.count > 1 ? out.shape[1] : 1
        let regression = metadata.task == .regression
        let values = regression ? out.toArray() : out.reshape([n, k]).softmax(dim: 1).toArray()
        return (0..<n).map { i in
            let row = (0..<k).map { j in Prediction(index: j, label: metadata.label(j), score: Double(values[i * k + j])) }
            if regression { return row }
            return Array(row.sorted { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
                            .prefix(Swift.max(1, topK)))
        }
    }

    /// One image as the model's input: the recorded test transform (Resize,
    /// CenterCrop, ToTensor, Normalize), checked against the input shape.
    public func tensor(for image: Image, name: String) throws -> Tensor {
        let pipeline = (metadata.transform ?? ModelMetadata.TestTransform()).imagePipeline()
        let feature: Feature
        do { feature = try pipeline(try Self.converted(image, channels: inputShape.count == 3 ? inputShape[0] : nil)) } catch {
            throw PredictionError("\(name): \(error)")
        }
        guard let t = feature.tensor else { throw PredictionError("\(name): the transform did not give a tensor") }
        guard t.shape == inputShape else {
            throw PredictionError("\(name): image gives shape \(t.shape) after the test transform; the model expects \(inputShape)")
        }
        return t
    }

    /// `image` in the model's channels: grayscale (PIL's `convert("L")`) for a one-channel model
    /// (LeNet5 on MNIST), RGB for a three-channel one; other counts are left to the shape check.
    static func converted(_ image: Image, channels: Int?) throws -> Image {
        switch channels {
        case 1 where image.channels != 1: return try image.convert(to: "L")
        case 3 where image.channels != 3: return try image.convert(to: "RGB")
        default: return image
        }
    }
}
