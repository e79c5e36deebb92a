@testable import Tensors

extension EpochSummary {
    /// A classification epoch from its figures (validation present when either value is).
    init(epoch: Int, trainLoss: Double, trainAccuracy: Double, valLoss: Double?, valAccuracy: Double?,
         imagesPerSecond: Double, seconds: Double, lr: Double) {
        var validation: [String: Double]?
        if valLoss != nil || valAccuracy != nil {
            validation = [:]
            if let valLoss { validation?["loss"] = valLoss }
            if let valAccuracy { validation?["accuracy"] = valAccuracy }
        }
        self.init(epoch: epoch, train: ["loss": trainLoss, "accuracy": trainAccuracy], validation: validation,
                  samplesPerSecond: imagesPerSecond, seconds: seconds, lr: lr)
    }
}

extension MetricHistory {
    /// A classification history with a test accuracy.
    init(epochs: [EpochSummary], testAccuracy: Double?) {
        self.init(epochs: epochs, test: testAccuracy.map { Evaluation(split: "test", loss: .nan, metrics: ["accuracy": $0]) })
    }
}
