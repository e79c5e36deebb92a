import Foundation
import XCTest
@testable import Tensors

final class DataTextTests: XCTestCase {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("seqtext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func testVocabularyOrderSpecialsAndJSON() throws {
        let v = Vocabulary(building: ["b", "a", "a", "c", "b", "a"])
        XCTAssertEqual(v.tokens, ["<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c"])
        XCTAssertEqual(v["a"], 4)
        XCTAssertEqual(v["zzz"], v.unkIndex)
        XCTAssertEqual(Vocabulary(building: ["x", "y", "y"], minFrequency: 2).tokens.count, 5)
        XCTAssertEqual(Vocabulary(building: ["x", "y", "y", "z"], maxSize: 5).tokens.last, "y")
        let data = try JSONEncoder().encode(v)
        XCTAssertEqual(try JSONDecoder().decode(Vocabulary.self, from: data), v)
        XCTAssertThrowsError(try JSONDecoder().decode(Vocabulary.self, from: Data(#"{"tokens":["a"]}"#.utf8)))
    }

    func testTokenizersRoundTripAndSave() throws {
        let c = Tokenizer.character(fitting: "hello world")
        XCTAssertEqual(c.decode(c.encode("hello")), "hello")
        XCTAssertEqual(c.encode("hi", addBos: true, addEos: true).first, 2)
        XCTAssertEqual(c.encode("hi", addBos: true, addEos: true).last, 3)
        XCTAssertEqual(c.encode("z"), [1])
        let w = Tokenizer.word(fitting: ["The cat sat", "the dog"])
        XCTAssertEqual(w.tokenize("The  cat\nsat"), ["the", "cat", "sat"])
        XCTAssertEqual(w.decode(w.encode("the dog sat")), "the dog sat")
        XCTAssertEqual(w.vocabulary["the"], 4)  // most frequent first
        let url = try tempDir().appendingPathComponent("tok.json")
        try w.save(to: url)
        XCTAssertEqual(try Tokenizer(contentsOf: url), w)
        XCTAssertThrowsError(try Tokenizer(jsonString: "{nope"))
    }

    func testTextFileDatasetWindows() throws {
        let url = try tempDir().appendingPathComponent("t.txt")
        try "abcdefghij".write(to: url, atomically: true, encoding: .utf8)
        let d = try TextFileDataset(path: url.path, sequenceLength: 4, stride: 3)
        XCTAssertEqual(d.count, 2)  // starts 0, 3 (6 would need 11 chars)
        let (x, y) = try d[1]
        XCTAssertEqual(d.tokenizer.decode(x.values), "defg")
        XCTAssertEqual(d.tokenizer.decode(y.values), "efgh")
        XCTAssertThrowsError(try d[2])
        XCTAssertThrowsError(try TextFileDataset(path: url.path + "x", sequenceLength: 4))
        XCTAssertThrowsError(try TextFileDataset(text: "abc", sequenceLength: 4))
        let bad = try tempDir().appendingPathComponent("bad.txt")
        try Data([0xff, 0xfe, 0x00]).write(to: bad)
        XCTAssertThrowsError(try TextFileDataset(path: bad.path, sequenceLength: 1)) { e in
            XCTAssertEqual((e as? DataError)?.kind, .badFormat)
        }
        let loader = try DataLoader(d, batchSize: 2, collate: languageModelCollate)
        var shapes: [[Int]] = []
        try loader.forEachBatch { shapes.append($0.0.shape) }
        XCTAssertEqual(shapes, [[2, 4]])
    }

    func testTextClassificationFromFolderAndCSVAndPadCollate() throws {
        let root = try tempDir()
        for (cls, texts) in [("neg", ["bad film", "awful"]), ("pos", ["great film"])] {
            let dir = root.appendingPathComponent(cls)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (i, t) in texts.enumerated() { try t.write(to: dir.appendingPathComponent("\(i).txt"), atomically: true, encoding: .utf8) }
        }
        let d = try TextClassificationDataset(folder: root.path)
        XCTAssertEqual(d.classes, ["neg", "pos"])
        XCTAssertEqual(d.targets, [0, 0, 1])
        let (ids, label) = try d[2]
        XCTAssertEqual(d.tokenizer.decode(ids.values), "great film")
        XCTAssertEqual(label, 1)
        let batch = try padCollate([try d[0], try d[1]])
        XCTAssertEqual(batch.tokens.shape, [2, 2])
        XCTAssertEqual(batch.lengths, [2, 1])
        XCTAssertEqual(batch.tokens.values[3], 0)
        XCTAssertEqual(batch.paddingMask.toArray(), [0, 0, 0, 1])

        let csv = root.appendingPathComponent("d.csv")
        try "text,label\n\"good, really\",pos\nmeh,neg\n".write(to: csv, atomically: true, encoding: .utf8)
        let c = try TextClassificationDataset(csv: csv.path, textColumn: "text", labelColumn: "label")
        XCTAssertEqual(c.texts, ["good, really", "meh"])
        XCTAssertEqual(c.targets, [1, 0])
        XCTAssertThrowsError(try TextClassificationDataset(csv: csv.path, textColumn: "body", labelColumn: "label")) { e in
            XCTAssertTrue("\(e)".contains("text column 'body' not found"))
        }
    }

    func testTimeSeriesWindowsFromCSV() throws {
        let csv = try tempDir().appendingPathComponent("ts.csv")
        try "t,v\n0,1\n1,2\n2,3\n3,4\n4,5\n5,6\n".write(to: csv, atomically: true, encoding: .utf8)
        let d = try TimeSeriesDataset(csv: csv.path, column: "v", window: 3, horizon: 2)
        XCTAssertEqual(d.count, 2)
        let item = try d[1]
        XCTAssertEqual(item[0].shape, [3, 1])
        XCTAssertEqual(item[0].toArray(), [2, 3, 4])
        XCTAssertEqual(item[1].toArray(), [5, 6])
        let n = try TimeSeriesDataset(csv: csv.path, column: "v", window: 3, normalize: true)
        XCTAssertEqual(n.values.reduce(0, +), 0, accuracy: 1e-5)
        try "t,v\n0,1\n1,x\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TimeSeriesDataset(csv: csv.path, column: "v", window: 1)) { e in
            XCTAssertTrue("\(e)".contains("line 3"), "\(e)")
        }
        let loader = try DataLoader(try TimeSeriesDataset.sineWaves(length: 100, window: 10), batchSize: 8)
        let first = try XCTUnwrap(loader.makeIterator().nextBatch())
        XCTAssertEqual(first.map(\.shape), [[8, 10, 1], [8, 1]])
    }

    func testEmbeddedArithmeticCorpusIsDeterministic() throws {
        XCTAssertEqual(ArithmeticCorpus.text(lines: 50, seed: 3), ArithmeticCorpus.text(lines: 50, seed: 3))
        XCTAssertNotEqual(ArithmeticCorpus.text(lines: 50, seed: 3), ArithmeticCorpus.text(lines: 50, seed: 4))
        for line in ArithmeticCorpus.text(lines: 20).split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == "+" || $0 == "=" }).compactMap { Int($0) }
            XCTAssertEqual(parts.count, 3)
            XCTAssertEqual(parts[0] + parts[1], parts[2])
        }
        XCTAssertEqual(ArithmeticCorpus.tokenizer.vocabularySize, 17)
        let lm = try ArithmeticCorpus.languageModelDataset(sequenceLength: 16, lines: 100)
        XCTAssertFalse(lm.ids.contains(1), "no unknown tokens")
        let cls = try ArithmeticCorpus.classificationDataset(count: 100)
        XCTAssertEqual(cls.targets.filter { $0 == 1 }.count, 50)
    }
}
