import DataTestKit
import Foundation
import XCTest
@testable import Tensors

final class DataCIFARTests: XCTestCase {
    /// Checks every image and label of a split read from the generated files.
    func checkSplit(_ ds: CIFAR10, records: Int, offset: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ds.count, records, file: file, line: line)
        XCTAssertEqual(ds.data.count, records * 3072, file: file, line: line)
        for r in [0, 1, records / 2, records - 1] {
            XCTAssertEqual(ds.targets[r], (offset + r) % 10, file: file, line: line)
            // HWC: data[r][y][x][c] is plane c at position y * 32 + x of the record.
            for (y, x) in [(0, 0), (0, 31), (5, 7), (31, 31)] {
                for c in 0..<3 {
                    XCTAssertEqual(ds.data[r * 3072 + (y * 32 + x) * 3 + c],
                                   cifarPixel(record: offset + r, channel: c, position: y * 32 + x), file: file, line: line)
                }
            }
        }
    }

    func testReadsArchiveFolderAndParentFolder() throws {
        let dir = try makeDataTempDir(self)
        let archive = try writeCIFAR10Archive(dir, perBatch: 20)
        // The archive itself, and the folder holding it.
        for root in [archive, dir] {
            let train = try CIFAR10(root: root, train: true)
            checkSplit(train, records: 100, offset: 0)
            let test = try CIFAR10(root: root, train: false)
            checkSplit(test, records: 20, offset: 1000)
        }
        // An extracted folder, and the folder holding it (the folder wins over the archive).
        let extracted = dir + "/cifar-10-batches-bin"
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        for (name, bytes) in cifar10Members(perBatch: 20) {
            try writeTestFile(dir + "/" + name, bytes)
        }
        try FileManager.default.removeItem(atPath: archive)
        checkSplit(try CIFAR10(root: extracted, train: true), records: 100, offset: 0)
        checkSplit(try CIFAR10(root: dir, train: false), records: 20, offset: 1000)
    }

    func testPlainTarAndOutOfOrderMembers() throws {
        let dir = try makeDataTempDir(self)
        var members = cifar10Members(perBatch: 10)
        members.reverse()
        try writeTestFile(dir + "/cifar.tar", makeTar(members))
        let train = try CIFAR10(root: dir + "/cifar.tar", train: true)
        checkSplit(train, records: 50, offset: 0)
    }

    func testItemsClassesAndPrinting() throws {
        let dir = try makeDataTempDir(self)
        let archive = try writeCIFAR10Archive(dir, perBatch: 10)
        let ds = try CIFAR10(root: archive, train: true)
        XCTAssertEqual(ds.classes, ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])
        XCTAssertEqual(ds.classToIndex["cat"], 3)
        XCTAssertEqual(ds.classCounts, [Int](repeating: 5, count: 10))
        let (x, y) = try ds[13]
        XCTAssertEqual(y, 3)
        let img = try XCTUnwrap(x.image)
        XCTAssertEqual([img.width, img.height, img.channels], [32, 32, 3])
        XCTAssertEqual(img[2, 3, 1], cifarPixel(record: 13, channel: 1, position: 2 * 32 + 3))
        assertDataError(try ds[50], "index 50", kind: .indexOutOfRange)
        XCTAssertEqual(ds.description, """
            Dataset CIFAR10
                Number of datapoints: 50
                Root location: \(archive)
                Split: Train
            """)
        let withT = try CIFAR10(root: archive, train: false, transform: Compose(RandomCrop(32, padding: 4), ToTensor()),
                                targetTransform: { $0 + 100 })
        XCTAssertEqual(withT.description, """
            Dataset CIFAR10
                Number of datapoints: 10
                Root location: \(archive)
                Split: Test
                StandardTransform
            Transform: Compose(
                           RandomCrop(size=(32, 32), padding=4)
                           ToTensor()
                       )
            Target transform: Lambda()
            """)
        let (t, label) = try withT[4]
        XCTAssertEqual(t.shape, [3, 32, 32])
        XCTAssertEqual(label, 100 + (1004 % 10))
    }

    func testMissingRootAndMissingFiles() throws {
        let dir = try makeDataTempDir(self)
        assertDataError(try CIFAR10(root: dir + "/nope"), "nope", "does not exist", kind: .notFound)
        assertDataError(try CIFAR10(root: dir), "not found in \(dir)", "cifar-10-binary.tar.gz", kind: .notFound)
        // An archive without data_batch_4.bin.
        let members = cifar10Members(perBatch: 5).filter { !$0.0.hasSuffix("data_batch_4.bin") }
        try writeTestFile(dir + "/cifar-10-binary.tar.gz", gzipBytes(makeTar(members)))
        assertDataError(try CIFAR10(root: dir), "cifar-10-binary.tar.gz", "data_batch_4.bin not found", kind: .notFound)
        XCTAssertEqual(try CIFAR10(root: dir, train: false).count, 5)
        // A folder without a batch file.
        let folder = dir + "/cifar-10-batches-bin"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeTestFile(folder + "/data_batch_1.bin", cifarBatch(records: 2, offset: 0))
        assertDataError(try CIFAR10(root: folder), "data_batch_2.bin", "not found", kind: .notFound)
    }

    func testTruncatedAndCorruptArchives() throws {
        let dir = try makeDataTempDir(self)
        let full = gzipBytes(makeTar(cifar10Members(perBatch: 30)))
        // Cut inside the compressed stream.
        try writeTestFile(dir + "/cut.tar.gz", Array(full[0..<(full.count * 2 / 3)]))
        assertDataError(try CIFAR10(root: dir + "/cut.tar.gz"), "cut.tar.gz", "truncated")
        // Corrupt compressed bytes.
        var bad = full
        for i in (bad.count / 3)..<(bad.count / 3 + 64) { bad[i] ^= 0xa5 }
        try writeTestFile(dir + "/bad.tar.gz", bad)
        assertDataError(try CIFAR10(root: dir + "/bad.tar.gz"), "bad.tar.gz")
        // A tar cut inside a member (uncompressed).
        let tar = makeTar(cifar10Members(perBatch: 30))
        try writeTestFile(dir + "/cut.tar", Array(tar[0..<(tar.count / 3)]))
        assertDataError(try CIFAR10(root: dir + "/cut.tar"), "cut.tar", "truncated")
        // Not an archive at all.
        try writeTestFile(dir + "/junk.tar.gz", seededBytes(5000, seed: 1))
        assertDataError(try CIFAR10(root: dir + "/junk.tar.gz"), "junk.tar.gz")
    }

    func testWrongRecordSizeAndLabelOutOfRange() throws {
        let dir = try makeDataTempDir(self)
        var members = cifar10Members(perBatch: 4)
        members[2].1.removeLast()   // data_batch_2.bin one byte short of whole records
        try writeTestFile(dir + "/short.tar.gz", gzipBytes(makeTar(members)))
        assertDataError(try CIFAR10(root: dir + "/short.tar.gz"), "data_batch_2.bin", "12291 bytes", "3073-byte records", kind: .badFormat)

        var labelled = cifar10Members(perBatch: 4)
        labelled[3].1[3073 * 2] = 10   // record 2 of data_batch_3.bin has label 10
        try writeTestFile(dir + "/label.tar.gz", gzipBytes(makeTar(labelled)))
        assertDataError(try CIFAR10(root: dir + "/label.tar.gz"), "data_batch_3.bin", "record 2", "label 10", "0–9", kind: .badFormat)

        // The same checks on an extracted folder name the file path.
        let folder = dir + "/cifar-10-batches-bin"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var batch = cifarBatch(records: 3, offset: 0)
        batch.append(0)
        try writeTestFile(folder + "/test_batch.bin", batch)
        assertDataError(try CIFAR10(root: folder, train: false), folder + "/test_batch.bin", "not a whole number")
        try writeTestFile(folder + "/test_batch.bin", [])
        assertDataError(try CIFAR10(root: folder, train: false), "test_batch.bin", "empty")
    }

    func testCIFAR100FineAndCoarseLabels() throws {
        let dir = try makeDataTempDir(self)
        let fine: (Int) -> UInt8 = { UInt8(($0 * 7) % 100) }
        let coarse: (Int) -> UInt8 = { UInt8(($0 * 7) % 100 / 5) }
        let members: [(String, [UInt8])] = [
            ("cifar-100-binary/train.bin", cifarRecords100(12, coarse: coarse, fine: fine)),
            ("cifar-100-binary/test.bin", cifarRecords100(4, coarse: coarse, fine: fine)),
        ]
        try writeTestFile(dir + "/cifar-100-binary.tar.gz", gzipBytes(makeTar(members)))
        let train = try CIFAR100(root: dir)
        XCTAssertEqual(train.count, 12)
        XCTAssertEqual(train.targets, (0..<12).map { ($0 * 7) % 100 })
        XCTAssertEqual(train.coarseTargets, (0..<12).map { ($0 * 7) % 100 / 5 })
        XCTAssertEqual(train.classes.count, 100)
        XCTAssertEqual(train.classes[train.targets[3]], CIFAR100.fineClassNames[21])
        XCTAssertEqual(train.data[5 * 3072 + 1], cifarPixel(record: 5, channel: 1, position: 0))
        let coarseSet = try CIFAR100(root: dir, train: false, labelType: .coarse)
        XCTAssertEqual(coarseSet.classes.count, 20)
        XCTAssertEqual(try coarseSet[3].1, 21 / 5)
        XCTAssertTrue(train.description.hasPrefix("Dataset CIFAR100\n    Number of datapoints: 12"))
        // A fine label of 100 is out of range.
        let bad: [(String, [UInt8])] = [("cifar-100-binary/train.bin", cifarRecords100(2, coarse: { _ in 1 }, fine: { _ in 100 }))]
        try writeTestFile(dir + "/bad.tar.gz", gzipBytes(makeTar(bad)))
        assertDataError(try CIFAR100(root: dir + "/bad.tar.gz"), "train.bin", "label 100", "0–99")
    }

    func cifarRecords100(_ n: Int, coarse: @escaping (Int) -> UInt8, fine: @escaping (Int) -> UInt8) -> [UInt8] {
        cifarBatch(records: n, offset: 0, labelBytes: [coarse, fine])
    }

    /// The real CIFAR-10 in ../shared/data, when present.
    func testRealCIFAR10CountsPerClass() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/cifar-10-binary.tar.gz").path
        let candidates = [path, "/work/shared/data/cifar-10-binary.tar.gz"]
        guard let archive = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw XCTSkip("real CIFAR-10 not found (looked for \(candidates.joined(separator: ", "))); skipping the real-data check")
        }
        let test = try CIFAR10(root: archive, train: false)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(test.classCounts, [Int](repeating: 1000, count: 10))
        let train = try CIFAR10(root: archive, train: true)
        XCTAssertEqual(train.count, 50_000)
        XCTAssertEqual(train.classCounts, [Int](repeating: 5000, count: 10))
        XCTAssertEqual(train.data.count, 50_000 * 32 * 32 * 3)
    }
}
