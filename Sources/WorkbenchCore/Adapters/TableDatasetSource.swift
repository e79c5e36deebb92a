import Foundation
import Tensors

/// A CSV file as the dataset browser sees it: rows of feature and target
/// values, the classes of a label column (classification) or the values of a
/// target column (regression). A CSV has one split: all rows are `train`
/// (the run holds out its validation rows from them); `test` is empty.
public final class TableDatasetSource: DatasetSource, @unchecked Sendable {
    public let name: String
    public let location: String?
    public let classNames: [String]
    public let inputShape: [Int]
    public let task: TaskKind
    public let target: String?
    public let columnNames: [String]
    public var sampleKind: SampleKind { .table }
    private let features: [Float]
    private let featureCount: Int
    private let labels: [Int]
    private let targets: [Float]
    private let targetCount: Int
    private let classes: [String]

    /// Opens `path` predicting `target` (a label column for classification; one or
    /// more comma-separated numeric columns for regression).
    public init(path: String, target: String, task: TaskKind) throws {
        name = "CSV " + URL(fileURLWithPath: path).lastPathComponent
        location = path
        self.task = task
        self.target = target
        switch task {
        case .regression:
            let columns = target.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let d = try CSVRegressionDataset(path: path, targetColumns: columns)
            features = d.features.toArray()
            featureCount = d.featureNames.count
            targets = d.targets.toArray()
            targetCount = columns.count
            labels = []
            classes = []
            columnNames = d.featureNames + d.targetNames
        default:
            let d = try CSVDataset(path: path, labelColumn: target)
            features = d.features.toArray()
            featureCount = d.featureNames.count
            labels = d.targets
            classes = d.classes
            targets = []
            targetCount = 0
            columnNames = d.featureNames + [target]
        }
        classNames = classes
        inputShape = [featureCount]
    }

    public var outputs: Int { task == .regression ? targetCount : classes.count }

    private var rows: Int { featureCount > 0 ? features.count / featureCount : 0 }

    public func count(_ split: DatasetSplit) -> Int { split == .train ? rows : 0 }

    public func label(_ split: DatasetSplit, _ index: Int) -> Int {
        split == .train && index < labels.count ? labels[index] : 0
    }

    public func row(_ split: DatasetSplit, _ index: Int) -> [String] {
        guard split == .train, index >= 0, index < rows else { return [] }
        var out = (0..<featureCount).map { Self.format(features[index * featureCount + $0]) }
        if task == .regression {
            out += (0..<targetCount).map { Self.format(targets[index * targetCount + $0]) }
        } else if index < labels.count {
            out.append(classes.indices.contains(labels[index]) ? classes[labels[index]] : "\(labels[index])")
        }
        return out
    }

    public func targetValue(_ split: DatasetSplit, _ index: Int) -> Double? {
        guard task == .regression, split == .train, index >= 0, index < rows else { return nil }
        return Double(targets[index * targetCount])
    }

    /// Tables have no pictures: an empty image.
    public func image(_ split: DatasetSplit, _ index: Int) -> RGBImage { RGBImage(width: 0, height: 0, pixels: []) }

    public func augmentedImage(_ split: DatasetSplit, _ index: Int, variant: UInt64) -> RGBImage { image(split, index) }

    /// A value as the table shows it: up to 6 significant digits.
    static func format(_ v: Float) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        return String(format: "%.6g", Double(v))
    }
}
