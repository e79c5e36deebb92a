import Foundation

/// Per-class precision, recall and F1 from a confusion matrix, as scikit-learn's
/// `classification_report` (rows of the matrix are true classes, columns predictions).
public struct ClassReport: Equatable, Sendable {
    /// One class's figures; precision/recall/F1 are 0 where undefined (sklearn's `zero_division=0`).
    public struct Row: Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// True samples of the class.
        public var support: Int
    }

    /// One row per class.
    public var rows: [Row]

    /// The report of `m`.
    public init(_ m: ConfusionMatrix) {
        rows = (0..<m.classes).map { c in
            let tp = Double(m[c, c])
            let predicted = Double((0..<m.classes).reduce(0) { $0 + m[$1, c] })
            let support = (0..<m.classes).reduce(0) { $0 + m[c, $1] }
            let p = predicted == 0 ? 0 : tp / predicted
            let r = support == 0 ? 0 : tp / Double(support)
            return Row(precision: p, recall: r, f1: p + r == 0 ? 0 : 2 * p * r / (p + r), support: support)
        }
    }

    /// Unweighted means over classes (precision, recall, F1).
    public var macro: (precision: Double, recall: Double, f1: Double) {
        let n = Double(max(1, rows.count))
        return (rows.map(\.precision).reduce(0, +) / n, rows.map(\.recall).reduce(0, +) / n, rows.map(\.f1).reduce(0, +) / n)
    }

    /// The report as text: one line per class (`names` label them), then the macro average.
    public func table(names: [String]) -> String {
        let w = max(12, (names.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String) -> String { s.padding(toLength: w, withPad: " ", startingAt: 0) }
        var lines = [pad("") + " precision    recall        f1   support"]
        for (i, r) in rows.enumerated() {
            let name = i < names.count ? names[i] : "\(i)"
            lines.append(pad(name) + String(format: " %9.4f %9.4f %9.4f %9d", r.precision, r.recall, r.f1, r.support))
        }
        let m = macro
        lines.append(pad("macro avg") + String(format: " %9.4f %9.4f %9.4f %9d", m.precision, m.recall, m.f1, rows.reduce(0) { $0 + $1.support }))
        return lines.joined(separator: "\n")
    }
}
