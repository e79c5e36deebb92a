import Foundation

/// A tabular regression dataset from a CSV file with a header row: numeric
/// feature columns and one or more numeric target columns chosen by name.
///
/// Items are `[features [F], targets [T]]` (the layout of a `TensorDataset`,
/// so the default collate stacks them into `[B, F]` and `[B, T]`). Quoting,
/// CRLF and blank lines are handled as in `CSVDataset`.
///
/// ```swift
/// let houses = try CSVRegressionDataset(path: "houses.csv", targetColumns: ["price"])
/// let item = try houses[0]          // [Tensor [F], Tensor [1]]
/// ```
public struct CSVRegressionDataset: Dataset, CustomStringConvertible {
    /// All features, `[count, featureNames.count]`.
    public let features: Tensor
    /// All targets, `[count, targetNames.count]`.
    public let targets: Tensor
    /// The feature columns, in order.
    public let featureNames: [String]
    /// The target columns, in order.
    public let targetNames: [String]
    /// The CSV file.
    public let path: String

    /// Number of rows.
    public var count: Int { features.shape[0] }

    /// - Parameters:
    ///   - targetColumns: the columns to predict (at least one).
    ///   - featureColumns: the inputs in order; nil means every other column.
    /// - Throws: `DataError` naming the file, line and column for a missing
    ///   column, a row with the wrong number of fields or a non-numeric value.
    public init(path: String, targetColumns: [String], featureColumns: [String]? = nil, delimiter: Character = ",") throws {
        guard !targetColumns.isEmpty else {
            throw DataError(.invalidArgument, "\(path): expected at least one target column")
        }
        let table = try CSVTable(path: path, delimiter: delimiter)
        let targetIndices = try targetColumns.map { try table.index(of: $0, role: "target") }
        let featureNames = featureColumns ?? table.names.enumerated().filter { !targetIndices.contains($0.offset) }.map(\.element)
        guard !featureNames.isEmpty else { throw DataError(.badFormat, "\(path): no feature columns besides the targets") }
        let featureIndices = try featureNames.map { try table.index(of: $0, role: "feature") }
        guard !table.rows.isEmpty else { throw DataError(.badFormat, "\(path): no data rows after the header") }
        let n = table.rows.count
        features = Tensor(try table.numbers(featureIndices), shape: [n, featureIndices.count])
        targets = Tensor(try table.numbers(targetIndices), shape: [n, targetIndices.count])
        self.featureNames = featureNames
        targetNames = targetColumns
        self.path = path
    }

    public subscript(index: Int, generator generator: Generator) -> [Tensor] {
        get throws {
            try checkIndex(index, count, "CSVRegressionDataset")
            return [features[index], targets[index]]
        }
    }

    public var description: String {
        "Dataset CSVRegressionDataset\n    Number of datapoints: \(count)\n    Root location: \(path)\n"
            + "    Features: \(featureNames.count) (\(featureNames.joined(separator: ", ")))\n"
            + "    Targets: \(targetNames.joined(separator: ", "))"
    }
}

extension CSVRegressionDataset {
    /// The column names of a CSV file's header (the whole file is read and checked).
    public static func columns(path: String, delimiter: Character = ",") throws -> [String] {
        try CSVTable(path: path, delimiter: delimiter).names
    }
}
