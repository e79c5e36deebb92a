/// Regression of float targets from one input tensor per sample (a CSV's
/// target column from its feature columns): the model is a `UnaryLayer`
/// returning [N, T] (or [N] for one target), the loss is mean squared error
/// by default, and a pass reports MAE, RMSE and R².
public struct RegressionTask: TrainingTask {
    /// Shape of one sample ([F]); nil skips the shape check.
    public let inputShape: [Int]?
    /// Targets per sample.
    public let outputs: Int
    /// The loss of predictions against targets of the same shape (MSE by default).
    public let loss: (Tensor, Tensor) -> Tensor

    /// A task predicting `outputs` values per sample.
    /// `kind` is `.forecasting` for windows of a series (the same loss and metrics).
    public init(inputShape: [Int]? = nil, outputs: Int = 1, kind: TaskKind = .regression,
                loss: @escaping (Tensor, Tensor) -> Tensor = { mseLoss($0, $1) }) {
        precondition(outputs > 0, "RegressionTask: outputs must be positive, got \(outputs)")
        self.kind = kind
        self.inputShape = inputShape
        self.outputs = outputs
        self.loss = loss
    }

    /// `.regression`, or `.forecasting` for windows of a series.
    public let kind: TaskKind
    public var metrics: [MetricSpec] { kind.metrics }

    public func validate(_ model: Module) throws {
        if let out = try UnaryTaskSupport.outputShape(model, inputShape, for: "regression"), out.reduce(1, *) != outputs {
            throw TrainingSetupError("the model outputs \(out.dropFirst().map(String.init).joined(separator: "×")) values per sample but the dataset has \(outputs) target\(outputs == 1 ? "" : "s")")
        }
    }

    public func forward(_ model: Module, _ batch: Batch) throws -> (output: Tensor, loss: Tensor) {
        let m = try UnaryTaskSupport.layer(model, for: "regression")
        let x = try UnaryTaskSupport.input(batch, target: "float targets", for: "regression")
        guard let y = batch.target.tensor else {
            throw TrainingSetupError("regression expects a float input and float targets, got \(batch.target.summary)")
        }
        let out = m(x)
        // [N, 1] predictions against [N] targets (or the reverse) compare elementwise, not broadcast to [N, N].
        let pred = out.shape == y.shape ? out : out.reshape(y.shape)
        return (pred, loss(pred, y))
    }

    public func makeMeter() -> any MetricMeter { RegressionMeter() }
}

/// Loss, MAE, RMSE and R² over all target values of a pass.
public struct RegressionMeter: MetricMeter, Codable {
    private var lossMean = LossMean()
    private var absSum = 0.0, sqSum = 0.0
    private var ySum = 0.0, ySqSum = 0.0
    private var n = 0

    /// An empty meter.
    public init() {}

    public mutating func add(output: Tensor, batch: Batch, loss: Double) {
        guard let y = batch.target.tensor else { return }
        lossMean.add(loss, count: batch.count)
        let p = output.contiguous().toArray(), t = y.contiguous().toArray()
        for i in 0..<min(p.count, t.count) {
            let d = Double(p[i]) - Double(t[i])
            absSum += abs(d)
            sqSum += d * d
            ySum += Double(t[i])
            ySqSum += Double(t[i]) * Double(t[i])
        }
        n += min(p.count, t.count)
    }

    public func values() -> [String: Double] {
        guard n > 0 else { return ["loss": lossMean.value, "mae": .nan, "rmse": .nan, "r2": .nan] }
        let count = Double(n)
        let sst = ySqSum - ySum * ySum / count
        return ["loss": lossMean.value, "mae": absSum / count, "rmse": (sqSum / count).squareRoot(),
                "r2": sst > 0 ? 1 - sqSum / sst : .nan]
    }
}
