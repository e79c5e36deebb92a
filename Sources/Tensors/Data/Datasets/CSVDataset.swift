import Foundation

/// A tabular classification dataset from a CSV file with a header row:
/// numeric feature columns and a label column chosen by name.
///
/// Items are `(.tensor(features [F]), classIndex)`. Labels that are all
/// non-negative integers are used as class indices (`classes` are `"0"`, `"1"`,
/// …); otherwise the distinct label strings, sorted, become the classes.
/// Quoted fields (`"a, b"`, `""` for a quote) and CRLF line ends are
/// understood; blank lines are skipped.
///
/// ```swift
/// let iris = try CSVDataset(path: "iris.csv", labelColumn: "species")
/// iris.classes        // ["setosa", "versicolor", "virginica"]
/// let (x, y) = try iris[0]   // x: Tensor [4]
/// ```
public struct CSVDataset: Dataset, CustomStringConvertible {
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
        guard fileExists(path) else { throw DataError(.notFound, "\(path): no such file") }
        let bytes = try FileSource(path: path).readAll()
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw DataError(.badFormat, "\(path): not UTF-8 text")
        }
        var rows = parseCSV(text, delimiter: delimiter)
        guard !rows.isEmpty else { throw DataError(.badFormat, "\(path): file is empty, expected a header row") }
        let header = rows.removeFirst()
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let labelIndex = names.firstIndex(of: labelColumn) else {
            throw DataError(.notFound, "\(path): label column '\(labelColumn)' not found (columns: \(names.joined(separator: ", ")))")
        }
        let featureNames = featureColumns ?? names.enumerated().filter { $0.offset != labelIndex }.map { $0.element }
        var featureIndices: [Int] = []
        for f in featureNames {
            guard let i = names.firstIndex(of: f) else {
                throw DataError(.notFound, "\(path): feature column '\(f)' not found (columns: \(names.joined(separator: ", ")))")
            }
            featureIndices.append(i)
        }
        guard !rows.isEmpty else { throw DataError(.badFormat, "\(path): no data rows after the header") }
        var values: [Float] = []
        values.reserveCapacity(rows.count * featureIndices.count)
        var labelStrings: [String] = []
        for row in rows {
            guard row.fields.count == names.count else {
                throw DataError(.badFormat, "\(path) line \(row.line): \(row.fields.count) fields, expected \(names.count) (as in the header)")
            }
            for (k, i) in featureIndices.enumerated() {
                let s = row.fields[i].trimmingCharacters(in: .whitespaces)
                guard let v = Float(s) else {
                    throw DataError(.badFormat, "\(path) line \(row.line), column '\(featureNames[k])': '\(s)' is not a number")
                }
                values.append(v)
            }
            labelStrings.append(row.fields[labelIndex].trimmingCharacters(in: .whitespaces))
        }
        let ints = labelStrings.map { Int($0) }
        if ints.allSatisfy({ ($0 ?? -1) >= 0 }) {
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

/// A parsed CSV row and the line it starts on (1-based).
struct CSVRow {
    var fields: [String]
    var line: Int
}

/// Splits CSV text into rows of fields (RFC 4180 quoting; blank lines skipped).
func parseCSV(_ text: String, delimiter: Character) -> [CSVRow] {
    var rows: [CSVRow] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var line = 1
    var rowStart = 1
    var chars = text.makeIterator()
    var pending: Character? = nil
    func endRow() {
        fields.append(field)
        if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
            rows.append(CSVRow(fields: fields, line: rowStart))
        }
        fields = []
        field = ""
    }
    while let c = pending ?? chars.next() {
        pending = nil
        if inQuotes {
            if c == "\"" {
                if let n = chars.next() {
                    if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                } else {
                    inQuotes = false
                }
            } else {
                if c == "\n" || c == "\r\n" { line += 1 }
                field.append(c)
            }
            continue
        }
        switch c {
        case "\"" where field.isEmpty:
            inQuotes = true
        case delimiter:
            fields.append(field)
            field = ""
        case "\n", "\r\n", "\r":
            endRow()
            line += 1
            rowStart = line
        default:
            field.append(c)
        }
    }
    if !field.isEmpty || !fields.isEmpty { endRow() }
    return rows
}
