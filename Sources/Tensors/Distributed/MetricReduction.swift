/// Metrics of a pass split over ranks, combined into the metrics of the whole pass.
extension ProcessGroup {
    /// Sample-weighted means over all ranks of each rank's `values` over its
    /// `samples` (a rank with no samples adds nothing). Means (loss,
    /// accuracy, MAE) combine exactly; `rmse` combines through its square;
    /// other metrics (R², perplexity) as weighted means of the ranks' values.
    /// Every rank must pass the same keys.
    public func reduceMeans(_ values: [String: Double], samples: Int) -> [String: Double] {
        guard isDistributed else { return values }
        let keys = values.keys.sorted()
        let w = Double(samples)
        var v = [w] + keys.map { k -> Double in
            guard samples > 0, let x = values[k] else { return 0 }
            return (k == "rmse" ? x * x : x) * w
        }
        allReduceSum(&v)
        var out: [String: Double] = [:]
        for (i, k) in keys.enumerated() {
            let mean = v[0] > 0 ? v[i + 1] / v[0] : .nan
            out[k] = k == "rmse" ? mean.squareRoot() : mean
        }
        return out
    }

    /// An evaluation over every rank's shard: losses and metrics weighted by
    /// samples, confusion matrices summed (accuracy taken from the sum).
    public func reduce(_ e: Evaluation) -> Evaluation {
        guard isDistributed else { return e }
        var values = reduceMeans(e.values, samples: e.samples)
        let loss = values.removeValue(forKey: "loss") ?? .nan
        var total = [Double(e.samples)]
        allReduceSum(&total)
        var confusion = e.confusion
        if let cm = e.confusion {
            var counts = cm.counts.map(Double.init)
            allReduceSum(&counts)
            let summed = ConfusionMatrix(classes: cm.classes, counts: counts.map { Int($0) })
            confusion = summed
            if values["accuracy"] != nil { values["accuracy"] = summed.accuracy }
        }
        return Evaluation(split: e.split, loss: loss, metrics: values, confusion: confusion, samples: Int(total[0]))
    }
}
