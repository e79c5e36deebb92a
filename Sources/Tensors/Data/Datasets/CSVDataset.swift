import Foundation

/// A tabular classification dataset from a CSV file with a header row:
/// numeric feature columns and a label column chosen by name.
///
/// Items are `(.tensor(features [F]), classIndex)`. Labels that are all
/// integers in 0..<`maxClassIndexLabels` are used as class indices (`classes`
/// are `"0"`, `"1"`, …); otherwise (negative, huge, or not integers) the
/// distinct label strings, sorted, become the classes.
/// Quoted fields (`"a, b"`, `""` for a quote) and CRLF line ends are
/// understood; blank lines are skipped.
///
/// ```swift
/// let iris = try CSVDataset(path: "iris.csv", labelColumn: "species")
/// iris.classes        // ["setosa", "versicolor", "virginica"]
/// let (x, y) = try iris[0]   // x: Tensor [4]
/// ```
public struct CSVDataset: Dataset, CustomStringConvertible {
    /// Integer labels at or above this are ids, not class indices: reading them as
    /// indices would make `classes` `0...label` long (a fuzzed file with the label
    /// 55555555555555555 asked for 10¹⁹ bytes).
    public static let maxClassIndexLabels = 1 << 20
    /// All features, `[count, featureNames.count]`.
    public let features: Tensor
    /// The class index of every item, like torchvision's `.targets`.
    public let targets: [Int]
    /// Class names, indexed by class.
    public let classes: [String]
    /// The feature columns, in order.
    public let featureNames: [String]
    /// The label column's name.
    public let labelColumn: String
    /// The CSV file.
    public let path: String
    /// Applied to every item's input (settable, like `dataset.transform = …`).
    public var transform: (any Transform)?
    /// Applied to every label.
    public var targetTransform: ((Int) -> Int)?

    /// Number of rows.
    public var count: Int { targets.count }

    /// Class name → index.
    public var classToIndex: [String: Int] {
        Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// - Parameters:
    ///   - featureColumns: the feature columns in order; nil means every column but the label.
    /// - Throws: `DataError` naming the file, line and column for a missing
    ///   column, a row with the wrong number of fields or a non-numeric feature.
    public init(path: String, labelColumn: String, featureColumns: [String]? = nil, delimiter: Character = ",",
                transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil) throws {
        let table = try CSVTable(path: path, delimiter: delimiter)
        let names = table.names
        let rows = table.rows
        let labelIndex = try table.index(of: labelColumn, role: "label")
        let featureNames = featureColumns ?? names.enumerated().filter { $0.offset != labelIndex }.map { $0.element }
        let featureIndices = try featureNames.map { try table.index(of: $0, role: "feature") }
        guard !rows.isEmpty else { throw DataError(.badFormat, "\(path): no data rows after the header") }
        let values = try table.numbers(featureIndices)
        let labelStrings = rows.map { $0.fields[labelIndex].trimmingCharacters(in: .whitespaces) }
        let ints = labelStrings.map { Int($0) }
        if ints.allSatisfy({ (0..<Self.maxClassIndexLabels).contains($0 ?? -1) }) {
            let t = ints.map { $0 ?? 0 }
            targets = t
            classes = (0...(t.max() ?? 0)).map { String($0) }
        } else {
            let names = Array(Set(labelStrings)).sorted()
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            classes = names
            targets = labelStrings.map { index[$0] ?? 0 }
        }
        features = Tensor(values, shape: [rows.count, featureIndices.count])
        self.featureNames = featureNames
        self.labelColumn = labelColumn
        self.path = path
        self.transform = transform
        self.targetTransform = targetTransform
    }

    public subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
        get throws {
            try checkIndex(index, count, "CSVDataset")
            let f = featureNames.count
            let row = Tensor(shape: [f]) { buf in
                if let b = buf.baseAddress { b.update(from: features.dataPointer + index * f, count: f) }
            }
            let x = try transform.map { try $0.apply(.tensor(row), generator: generator) } ?? .tensor(row)
            return (x, targetTransform.map { $0(targets[index]) } ?? targets[index])
        }
    }

    public var description: String {
        visionDatasetDescription(name: "CSVDataset", count: count, root: path,
                                 extra: ["Features: \(featureNames.count) (\(featureNames.joined(separator: ", ")))",
                                         "Label: \(labelColumn) (\(classes.count) classes)"],
                                 transform: transform, hasTargetTransform: targetTransform != nil)
    }
}
