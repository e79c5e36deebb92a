import Foundation

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// Number of classes.
    public let classes: Int
    /// Row-major `classes × classes`: `counts[t * classes + p]`.
    public private(set) var counts: [Int]

    /// An empty matrix for `classes` classes (non-negative).
    public init(classes: Int) {
        precondition(classes >= 0, "ConfusionMatrix: classes must be non-negative, got \(classes)")
        self.classes = classes
        counts = [Int](repeating: 0, count: classes * classes)
    }

    /// A matrix with these row-major counts (`counts.count == classes * classes`),
    /// e.g. the sums of every rank's matrix in a distributed run.
    init(classes: Int, counts: [Int]) {
        precondition(counts.count == classes * classes, "ConfusionMatrix: expected \(classes * classes) counts, got \(counts.count)")
        self.classes = classes
        self.counts = counts
    }

    /// Samples of class `truth` predicted as `predicted`.
    public subscript(truth: Int, predicted: Int) -> Int { counts[truth * classes + predicted] }

    /// Counts one sample; pairs outside `0..<classes` are ignored.
    public mutating func add(truth: Int, predicted: Int) {
        guard truth >= 0, truth < classes, predicted >= 0, predicted < classes else { return }
        counts[truth * classes + predicted] += 1
    }

    /// Adds the arg-max predictions of `logits` ([N, C]) against `targets`; returns the number correct.
    /// Predictions or targets outside `0..<classes` are not counted in the matrix.
    @discardableResult
    public mutating func add(logits: Tensor, targets: IntTensor) -> Int {
        precondition(logits.rank == 2 && logits.shape[1] > 0 && targets.values.count == logits.shape[0],
                     "ConfusionMatrix.add: expected logits [N, C] and N targets, got \(logits.shape) and \(targets.shape)")
        let n = logits.shape[0], c = logits.shape[1]
        var correct = 0
        logits.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var best = 0
                var bv = p[i * c]
                for j in 1..<c where p[i * c + j] > bv { bv = p[i * c + j]; best = j }
                let t = targets.values[i]
                if best == t { correct += 1 }
                add(truth: t, predicted: best)
            }
        }
        return correct
    }

    /// Number of samples counted.
    public var total: Int { counts.reduce(0, +) }
    /// Fraction of samples on the diagonal (0 when empty).
    public var accuracy: Double {
        let t = total
        return t == 0 ? 0 : Double((0..<classes).reduce(0) { $0 + self[$1, $1] }) / Double(t)
    }

    /// Recall of each class (correct / samples of that class); nil where a class has no samples.
    public var perClassAccuracy: [Double?] {
        (0..<classes).map { t in
            let row = (0..<classes).reduce(0) { $0 + self[t, $1] }
            return row == 0 ? nil : Double(self[t, t]) / Double(row)
        }
    }
}
