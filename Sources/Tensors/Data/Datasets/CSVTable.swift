import Foundation

/// A CSV file read whole: the header's column names and the data rows,
/// shared by `CSVDataset` (classification) and `CSVRegressionDataset`.
struct CSVTable {
    /// The file.
    let path: String
    /// Column names from the header row, trimmed.
    let names: [String]
    /// Data rows with the line each starts on.
    let rows: [CSVRow]

    /// Reads and parses `path`; throws `DataError` naming the file for a
    /// missing file, non-UTF-8 text, an empty file or one without data rows.
    init(path: String, delimiter: Character = ",") throws {
        guard fileExists(path) else { throw DataError(.notFound, "\(path): no such file") }
        let bytes = try FileSource(path: path).readAll()
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw DataError(.badFormat, "\(path): not UTF-8 text")
        }
        var rows = parseCSV(text, delimiter: delimiter)
        guard !rows.isEmpty else { throw DataError(.badFormat, "\(path): file is empty, expected a header row") }
        let header = rows.removeFirst()
        self.path = path
        names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        self.rows = rows
    }

    /// The index of column `name`; throws naming the available columns.
    func index(of name: String, role: String) throws -> Int {
        guard let i = names.firstIndex(of: name) else {
            throw DataError(.notFound, "\(path): \(role) column '\(name)' not found (columns: \(names.joined(separator: ", ")))")
        }
        return i
    }

    /// The values of `columns` row by row (`rows.count × columns.count`), as numbers;
    /// throws naming the line and column of a short row or a non-number.
    func numbers(_ columns: [Int]) throws -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(rows.count * columns.count)
        for row in rows {
            guard row.fields.count == names.count else {
                throw DataError(.badFormat, "\(path) line \(row.line): \(row.fields.count) fields, expected \(names.count) (as in the header)")
            }
            for i in columns {
                let s = row.fields[i].trimmingCharacters(in: .whitespaces)
                guard let v = Float(s) else {
                    throw DataError(.badFormat, "\(path) line \(row.line), column '\(names[i])': '\(s)' is not a number")
                }
                values.append(v)
            }
        }
        return values
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
