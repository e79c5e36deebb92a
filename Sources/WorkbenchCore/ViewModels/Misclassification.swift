import Foundation
import Tensors

/// A test sample the model got wrong, for the misclassification gallery: where it is in
/// the test split, its true and predicted class, and the model's three most probable classes.
public struct Misclassification: Equatable, Sendable {
    /// A class and the softmax probability the model gave it.
    public struct Guess: Equatable, Sendable {
        public var label: Int
        public var probability: Double
        public init(label: Int, probability: Double) {
            self.label = label
            self.probability = probability
        }
    }

    /// Index in the test split (the dataset browser's index).
    public var index: Int
    public var truth: Int
    public var predicted: Int
    /// The top three classes, most probable first.
    public var top: [Guess]

    public init(index: Int, truth: Int, predicted: Int, top: [Guess]) {
        self.index = index
        self.truth = truth
        self.predicted = predicted
        self.top = top
    }

    /// The wrong predictions among `logits` [N, classes] against `labels` [N]; sample `i`
    /// of the batch is test index `offset + i`.
    public static func collect(logits: Tensor, labels: IntTensor, offset: Int, top k: Int = 3) -> [Misclassification] {
        guard logits.shape.count == 2, logits.shape[0] == labels.count else { return [] }
        let n = logits.shape[0], c = logits.shape[1]
        let p = logits.detach().softmax(dim: 1).contiguous().toArray()
        var out: [Misclassification] = []
        for i in 0..<n {
            let row = p[(i * c)..<((i + 1) * c)]
            let ranked = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
            let predicted = ranked[0] - i * c
            guard predicted != labels.values[i] else { continue }
            out.append(Misclassification(index: offset + i, truth: labels.values[i], predicted: predicted,
                                         top: ranked.prefix(k).map { Guess(label: $0 - i * c, probability: Double(row[$0])) }))
        }
        return out
    }
}
