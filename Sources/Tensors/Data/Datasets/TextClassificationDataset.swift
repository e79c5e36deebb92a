import Foundation

/// Labelled texts, tokenized: from a folder per class of `.txt` files or
/// from a CSV file's text and label columns.
///
/// Items are `(token ids [L], class index)` with L varying per text (at most
/// `maxLength` tokens, the rest cut off); batch them with `padCollate`.
/// Classes are sorted folder names (as `ImageFolder`) or sorted distinct CSV
/// labels. Without a tokenizer a word tokenizer (lowercased) is fitted to the
/// texts.
///
/// ```swift
/// let reviews = try TextClassificationDataset(folder: "reviews")       // reviews/neg/*.txt, reviews/pos/*.txt
/// let loader = try DataLoader(reviews, batchSize: 32, shuffle: true, collate: { try padCollate($0) })
/// ```
public struct TextClassificationDataset: Dataset, CustomStringConvertible {
    /// The tokenizer used.
    public let tokenizer: Tokenizer
    /// The raw texts.
    public let texts: [String]
    /// The class index of every text.
    public let targets: [Int]
    /// Class names by index.
    public let classes: [String]
    /// The token ids of every text.
    public let encoded: [[Int]]
    /// Longest kept item (nil = no limit).
    public let maxLength: Int?
    /// Where the texts came from.
    public let source: String

    /// Number of texts.
    public var count: Int { texts.count }

    /// Texts and labels given directly (`classes` defaults to the sorted labels).
    public init(texts: [String], labels: [String], classes: [String]? = nil, tokenizer: Tokenizer? = nil,
                maxLength: Int? = nil, source: String = "memory") throws {
        guard texts.count == labels.count else {
            throw DataError(.invalidArgument, "TextClassificationDataset: \(texts.count) texts but \(labels.count) labels")
        }
        if let maxLength, maxLength <= 0 {
            throw DataError(.invalidArgument, "TextClassificationDataset: maxLength must be positive, got \(maxLength)")
        }
        let cls = classes ?? Array(Set(labels)).sorted()
        let lookup = Dictionary(cls.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var targets: [Int] = []
        for (k, l) in labels.enumerated() {
            guard let i = lookup[l] else { throw DataError(.invalidArgument, "\(source): label '\(l)' of item \(k) is not a class (\(cls))") }
            targets.append(i)
        }
        let tok = tokenizer ?? Tokenizer.word(fitting: texts)
        self.tokenizer = tok
        self.texts = texts
        self.targets = targets
        self.classes = cls
        self.maxLength = maxLength
        self.source = source
        encoded = texts.map { t in
            let ids = tok.encode(t)
            return maxLength.map { Array(ids.prefix($0)) } ?? ids
        }
    }

    /// Texts from `folder/<class>/*.txt` (UTF-8), classes the sorted subfolder names.
    public init(folder: String, tokenizer: Tokenizer? = nil, maxLength: Int? = nil) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw DataError(.notFound, "\(folder): no such folder")
        }
        let classes = try fm.contentsOfDirectory(atPath: folder).filter { name in
            var d: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: folder + "/" + name, isDirectory: &d) && d.boolValue
        }.sorted()
        guard !classes.isEmpty else { throw DataError(.notFound, "\(folder): no class folders (expected \(folder)/<class>/*.txt)") }
        var texts: [String] = [], labels: [String] = []
        for c in classes {
            for file in try fm.contentsOfDirectory(atPath: folder + "/" + c).filter({ $0.hasSuffix(".txt") }).sorted() {
                let path = folder + "/" + c + "/" + file
                guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw DataError(.badFormat, "\(path): not UTF-8 text")
                }
                texts.append(text)
                labels.append(c)
            }
        }
        guard !texts.isEmpty else { throw DataError(.notFound, "\(folder): no .txt files in the class folders") }
        try self.init(texts: texts, labels: labels, classes: classes, tokenizer: tokenizer, maxLength: maxLength, source: folder)
    }

    /// Texts from a CSV file with a header row: `textColumn` and `labelColumn` by name.
    public init(csv path: String, textColumn: String, labelColumn: String, delimiter: Character = ",",
                tokenizer: Tokenizer? = nil, maxLength: Int? = nil) throws {
        guard fileExists(path) else { throw DataError(.notFound, "\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DataError(.badFormat, "\(path): not UTF-8 text")
        }
        var rows = parseCSV(text, delimiter: delimiter)
        guard !rows.isEmpty else { throw DataError(.badFormat, "\(path): file is empty, expected a header row") }
        let header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let ti = header.firstIndex(of: textColumn) else {
            throw DataError(.notFound, "\(path): text column '\(textColumn)' not found (columns: \(header.joined(separator: ", ")))")
        }
        guard let li = header.firstIndex(of: labelColumn) else {
            throw DataError(.notFound, "\(path): label column '\(labelColumn)' not found (columns: \(header.joined(separator: ", ")))")
        }
        var texts: [String] = [], labels: [String] = []
        for r in rows {
            guard r.fields.count == header.count else {
                throw DataError(.badFormat, "\(path): line \(r.line) has \(r.fields.count) fields, expected \(header.count)")
            }
            texts.append(r.fields[ti])
            labels.append(r.fields[li].trimmingCharacters(in: .whitespaces))
        }
        try self.init(texts: texts, labels: labels, tokenizer: tokenizer, maxLength: maxLength, source: path)
    }

    /// `(token ids [L], class index)`.
    public subscript(index: Int, generator generator: Generator) -> (IntTensor, Int) {
        get throws {
            try checkIndex(index, count, "TextClassificationDataset")
            return (IntTensor(encoded[index]), targets[index])
        }
    }

    public var description: String {
        ["Dataset TextClassificationDataset", "    Number of datapoints: \(count)", "    Root location: \(source)",
         "    Classes: \(classes.joined(separator: ", "))",
         "    Vocabulary: \(tokenizer.vocabularySize) (\(tokenizer.kind.rawValue))"].joined(separator: "\n")
    }
}

/// A padded batch of variable-length token sequences.
public struct TextBatch: Sendable {
    /// Token ids `[B, L_max]`, padded with the padding index after each sequence.
    public var tokens: IntTensor
    /// The true length of each sequence.
    public var lengths: [Int]
    /// The class of each sequence `[B]`.
    public var labels: IntTensor

    /// A float mask `[B, L_max]`: 1 at padding positions (for `AttentionMask.bool`).
    public var paddingMask: Tensor {
        let l = tokens.shape.count == 2 ? tokens.shape[1] : 0
        return Tensor(shape: [lengths.count, l]) { p in
            for (b, n) in lengths.enumerated() { for t in 0..<l { p[b * l + t] = t >= n ? 1 : 0 } }
        }
    }
}

/// Pads `(token ids, label)` items to the longest and returns the lengths,
/// like `pad_sequence` in a collate function. Empty sequences get one
/// padding token (length 0 is kept in `lengths`).
public func padCollate(_ items: [(IntTensor, Int)], paddingIndex: Int = 0) throws -> TextBatch {
    let l = max(1, items.map(\.0.count).max() ?? 0)
    var values: [Int] = []
    values.reserveCapacity(items.count * l)
    for (ids, _) in items {
        values += ids.values
        values += [Int](repeating: paddingIndex, count: l - ids.count)
    }
    return TextBatch(tokens: IntTensor(values, shape: [items.count, l]), lengths: items.map(\.0.count),
                     labels: IntTensor(items.map(\.1)))
}
