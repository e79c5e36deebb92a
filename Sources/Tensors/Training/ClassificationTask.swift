/// Classification of one input tensor per sample (images, tabular rows):
/// the model is a `UnaryLayer` returning logits [N, C], the loss is
/// cross-entropy against class indices, and a pass reports accuracy and a
/// confusion matrix.
public struct ClassificationTask: TrainingTask {
    /// Classes of the dataset.
    public let numClasses: Int
    /// Shape of one sample ([3, 32, 32]); nil skips the shape check.
    public let inputShape: [Int]?
    /// The loss of logits against labels (cross-entropy by default).
    public let loss: (Tensor, IntTensor) -> Tensor

    /// A task over `numClasses` classes (positive).
    public init(numClasses: Int, inputShape: [Int]? = nil,
                loss: @escaping (Tensor, IntTensor) -> Tensor = { crossEntropy($0, $1) }) {
        precondition(numClasses > 0, "ClassificationTask: numClasses must be positive, got \(numClasses)")
        self.numClasses = numClasses
        self.inputShape = inputShape
        self.loss = loss
    }

    public var kind: TaskKind { .classification }
    public var metrics: [MetricSpec] { kind.metrics }

    public func validate(_ model: Module) throws {
        if let out = try UnaryTaskSupport.outputShape(model, inputShape, for: "classification"), out.count == 2, out[1] < numClasses {
            throw TrainingSetupError("the model outputs \(out[1]) classes but the dataset has \(numClasses)")
        }
    }

    public func forward(_ model: Module, _ batch: Batch) throws -> (output: Tensor, loss: Tensor) {
        let m = try UnaryTaskSupport.layer(model, for: "classification")
        let x = try UnaryTaskSupport.input(batch, target: "class indices", for: "classification")
        guard let y = batch.target.indices else {
            throw TrainingSetupError("classification expects class indices as targets, got \(batch.target.summary)")
        }
        let out = m(x)
        return (out, loss(out, y))
    }

    public func makeMeter() -> any MetricMeter { ClassificationMeter(numClasses: numClasses) }
}

/// Loss, accuracy and confusion matrix of arg-max predictions.
public struct ClassificationMeter: MetricMeter, Codable {
    private var lossMean = LossMean()
    private var matrix: ConfusionMatrix
    private var correct = 0
    private var seen = 0

    /// An empty meter for `numClasses` classes.
    public init(numClasses: Int) { matrix = ConfusionMatrix(classes: numClasses) }

    public mutating func add(output: Tensor, batch: Batch, loss: Double) {
        guard let y = batch.target.indices else { return }
        lossMean.add(loss, count: batch.count)
        // Predictions outside the matrix (models with more outputs than classes) still count as wrong.
        correct += matrix.add(logits: output, targets: y)
        seen += y.count
    }

    public func values() -> [String: Double] {
        ["loss": lossMean.value, "accuracy": seen > 0 ? Double(correct) / Double(seen) : 0]
    }

    public var confusion: ConfusionMatrix? { matrix }
}
