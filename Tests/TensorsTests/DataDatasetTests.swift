import DataTestKit
import Foundation
import XCTest
@testable import Tensors

/// A map-style dataset of squares, for the utility tests.
struct Squares: Dataset {
    var count: Int
    subscript(index: Int, generator generator: Generator) -> Int {
        get throws {
            try checkIndex(index, count, "Squares")
            return index * index
        }
    }
}

/// A stream of numbers, for the iterable tests.
struct Counter: IterableDataset {
    var start: Int
    var end: Int
    func makeIterator() -> Range<Int>.Iterator { (start..<end).makeIterator() }
}

final class DataDatasetTests: XCTestCase {
    func testTensorDataset() throws {
        let x = Tensor((0..<12).map(Float.init), shape: [4, 3])
        let y = Tensor([10, 11, 12, 13], shape: [4])
        let ds = try TensorDataset(x, y)
        XCTAssertEqual(ds.count, 4)
        let row = try ds[2]
        XCTAssertEqual(row.map { $0.shape }, [[3], []])
        XCTAssertEqual(row[0].toArray(), [6, 7, 8])
        XCTAssertEqual(row[1].item(), 12)
        assertDataError(try TensorDataset(x, Tensor.zeros([5])), "size mismatch", "tensor 1 has 5")
        assertDataError(try ds[4], "index 4", kind: .indexOutOfRange)
        // A transposed (non-contiguous) tensor is read in logical order.
        let t = try TensorDataset(x.t)
        XCTAssertEqual(try t[1][0].toArray(), [1, 4, 7, 10])
    }

    func testLabeledTensorDataset() throws {
        let ds = try LabeledTensorDataset(Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]), labels: IntTensor([2, 0, 1]))
        let (x, y) = try ds[1]
        XCTAssertEqual(x.tensor?.toArray(), [3, 4])
        XCTAssertEqual(y, 0)
        assertDataError(try LabeledTensorDataset(Tensor.zeros([3, 2]), labels: IntTensor([1])), "size mismatch")
    }

    func testSubsetAndConcat() throws {
        let a = Squares(count: 5), b = Squares(count: 3)
        let sub = Subset(a, indices: [4, 0, 2])
        XCTAssertEqual(try (0..<3).map { try sub[$0] }, [16, 0, 4])
        assertDataError(try sub[3], "Subset", "index 3")
        let cat = ConcatDataset([a, b])
        XCTAssertEqual(cat.count, 8)
        XCTAssertEqual(cat.cumulativeSizes, [5, 8])
        XCTAssertEqual(try (0..<8).map { try cat[$0] }, [0, 1, 4, 9, 16, 0, 1, 4])
        assertDataError(try cat[8], "ConcatDataset", "index 8")
        let mixed = ConcatDataset([AnyDataset(a), AnyDataset(sub), AnyDataset(Squares(count: 0)), AnyDataset(b)])
        XCTAssertEqual(try (0..<mixed.count).map { try mixed[$0] }, [0, 1, 4, 9, 16, 16, 0, 4, 0, 1, 4])
    }

    func testChainDataset() {
        let chain = ChainDataset([Counter(start: 0, end: 3), Counter(start: 10, end: 10), Counter(start: 5, end: 7)])
        XCTAssertEqual(Array(chain), [0, 1, 2, 5, 6])
        XCTAssertEqual(Array(chain), [0, 1, 2, 5, 6], "iterable again")
    }

    func testRandomSplitLengths() throws {
        let ds = Squares(count: 10)
        let parts = try randomSplit(ds, lengths: [6, 3, 1], generator: Generator(seed: 1))
        XCTAssertEqual(parts.map { $0.count }, [6, 3, 1])
        let all = parts.flatMap { $0.indices }
        XCTAssertEqual(all.sorted(), Array(0..<10), "disjoint and complete")
        let again = try randomSplit(ds, lengths: [6, 3, 1], generator: Generator(seed: 1))
        XCTAssertEqual(again.map { $0.indices }, parts.map { $0.indices }, "reproducible")
        // The split follows one permutation of randperm(n), cut in order.
        let perm = Generator(seed: 1).randperm(10)
        XCTAssertEqual(parts[0].indices, Array(perm[0..<6]))
        XCTAssertEqual(parts[2].indices, [perm[9]])
        assertDataError(try randomSplit(ds, lengths: [6, 3]), "sum of input lengths (9) does not equal the length of the input dataset (10)")
        assertDataError(try randomSplit(ds, lengths: [11, -1]), "negative")
    }

    func testRandomSplitFractions() throws {
        // torch: floor of each, remainder dealt round-robin from the first.
        XCTAssertEqual(try splitLengths(count: 10, fractions: [0.33, 0.33, 0.34]), [4, 3, 3])
        XCTAssertEqual(try splitLengths(count: 50_000, fractions: [0.8, 0.2]), [40_000, 10_000])
        XCTAssertEqual(try splitLengths(count: 7, fractions: [0.5, 0.5]), [4, 3])
        let parts = try randomSplit(Squares(count: 7), fractions: [0.5, 0.5], generator: Generator(seed: 2))
        XCTAssertEqual(parts.map { $0.count }, [4, 3])
        assertDataError(try splitLengths(count: 10, fractions: [0.5, 0.6]), "sum to")
        assertDataError(try splitLengths(count: 10, fractions: [1.5, -0.5]), "fraction at index 0")
    }

    func testShapes10IsDeterministicBalancedAndPrintsLikeCIFAR() throws {
        let a = Shapes10(train: true, count: 200, seed: 3)
        let b = Shapes10(train: true, count: 200, seed: 3)
        XCTAssertEqual(a.data, b.data)
        XCTAssertEqual(a.targets, b.targets)
        XCTAssertEqual(a.classCounts, [Int](repeating: 20, count: 10))
        XCTAssertEqual(a.data.count, 200 * 32 * 32 * 3)
        let other = Shapes10(train: true, count: 200, seed: 4)
        XCTAssertNotEqual(other.data, a.data)
        let test = Shapes10(train: false, count: 200, seed: 3)
        XCTAssertNotEqual(test.data, a.data, "test split differs from train")
        XCTAssertEqual(a.classes.count, 10)
        XCTAssertEqual(a.classToIndex["ring"], 6)
        XCTAssertEqual(Shapes10.defaultTrainCount, 20_000)
        XCTAssertEqual(Shapes10.defaultTestCount, 4_000)
        let (x, y) = try a.withTransform(ToTensor())[5]
        XCTAssertEqual(x.shape, [3, 32, 32])
        XCTAssertEqual(y, a.targets[5])
        XCTAssertEqual(a.description, """
            Dataset Shapes10
                Number of datapoints: 200
                Root location: (embedded, seed 3)
                Split: Train
            """)
        // Images differ within a class (random colour, position, size).
        let circles = a.targets.enumerated().filter { $0.element == 0 }.map { $0.offset }
        XCTAssertNotEqual(try a.image(at: circles[0]), try a.image(at: circles[1]))
        // The foreground is brighter than the background: the brightest and darkest pixels differ clearly.
        for i in 0..<20 {
            let img = try a.image(at: i)
            let lum: [Double] = (0..<(32 * 32)).map { p -> Double in
                let r = Double(img.pixels[3 * p]), g = Double(img.pixels[3 * p + 1]), b = Double(img.pixels[3 * p + 2])
                return 0.299 * r + 0.587 * g + 0.114 * b
            }
            XCTAssertGreaterThan((lum.max() ?? 0) - (lum.min() ?? 0), 60, "image \(i) has visible contrast")
        }
    }

    func testMNISTFromIDXFilesGzippedOrNot() throws {
        let dir = try makeDataTempDir(self)
        let raw = dir + "/MNIST/raw"
        try FileManager.default.createDirectory(atPath: raw, withIntermediateDirectories: true)
        let images = seededBytes(5 * 28 * 28, seed: 1)
        let labels: [UInt8] = [7, 2, 1, 0, 4]
        try writeTestFile(raw + "/train-images-idx3-ubyte.gz", gzipBytes(idxFile(dims: [5, 28, 28], data: images)))
        try writeTestFile(raw + "/train-labels-idx1-ubyte", idxFile(dims: [5], data: labels))
        let ds = try MNIST(root: dir)
        XCTAssertEqual(ds.count, 5)
        XCTAssertEqual(ds.targets, [7, 2, 1, 0, 4])
        XCTAssertEqual(ds.data, images)
        let (x, y) = try ds[3]
        XCTAssertEqual(y, 0)
        XCTAssertEqual(x.image?.channels, 1)
        XCTAssertEqual(x.image?[27, 27, 0], images[3 * 784 + 783])
        XCTAssertEqual(ds.classes[7], "7 - seven")
        XCTAssertTrue(ds.description.hasPrefix("Dataset MNIST\n    Number of datapoints: 5\n    Root location: \(dir)\n    Split: Train"))
        let t = try XCTUnwrap(try ds.withTransform(ToTensor())[0].0.tensor)
        XCTAssertEqual(t.shape, [1, 28, 28])
        assertDataError(try MNIST(root: dir, train: false), "t10k-images-idx3-ubyte", "not found")

        // Fashion-MNIST: files directly in root.
        let fdir = try makeDataTempDir(self)
        try writeTestFile(fdir + "/t10k-images-idx3-ubyte", idxFile(dims: [2, 28, 28], data: seededBytes(2 * 784, seed: 2)))
        try writeTestFile(fdir + "/t10k-labels-idx1-ubyte.gz", gzipBytes(idxFile(dims: [2], data: [9, 3])))
        let f = try FashionMNIST(root: fdir, train: false)
        XCTAssertEqual(f.targets, [9, 3])
        XCTAssertEqual(f.classes[9], "Ankle boot")
        XCTAssertTrue(f.description.contains("Split: Test"))
    }

    func testMNISTErrorsNameTheFile() throws {
        let dir = try makeDataTempDir(self)
        try writeTestFile(dir + "/train-images-idx3-ubyte", idxFile(dims: [3, 28, 28], data: seededBytes(2 * 784, seed: 1)))
        try writeTestFile(dir + "/train-labels-idx1-ubyte", idxFile(dims: [3], data: [1, 2, 3]))
        assertDataError(try MNIST(root: dir), "train-images-idx3-ubyte", "truncated", kind: .badFormat)
        try writeTestFile(dir + "/train-images-idx3-ubyte", idxFile(dims: [2, 28, 28], data: seededBytes(2 * 784, seed: 1)))
        assertDataError(try MNIST(root: dir), "holds 2 images but", "3 labels")
        try writeTestFile(dir + "/train-labels-idx1-ubyte", idxFile(dims: [2], data: [1, 12]))
        assertDataError(try MNIST(root: dir), "train-labels-idx1-ubyte", "label 1 is 12")
        try writeTestFile(dir + "/train-labels-idx1-ubyte", [8, 0, 8, 1] + [0, 0, 0, 2, 1, 1])
        assertDataError(try MNIST(root: dir), "bad magic number")
        try writeTestFile(dir + "/train-labels-idx1-ubyte", idxFile(dims: [2, 1], data: [1, 1]))
        assertDataError(try MNIST(root: dir), "2 dimensions, expected 1")
        try writeTestFile(dir + "/train-labels-idx1-ubyte", idxFile(dims: [2], data: [1, 1, 5]))
        assertDataError(try MNIST(root: dir), "unexpected bytes after")
    }

    func testCSVDataset() throws {
        let dir = try makeDataTempDir(self)
        let path = dir + "/iris.csv"
        try writeTestFile(path, Array("""
            sepal_length,sepal_width,"note, quoted",species\r
            5.1,3.5,"a ""b"" c",setosa\r
            7.0,3.2,x,versicolor\r
            \r
            6.3,3.3,y,virginica\r
            4.9,3.0,z,setosa\r

            """.utf8))
        let ds = try CSVDataset(path: path, labelColumn: "species", featureColumns: ["sepal_length", "sepal_width"])
        XCTAssertEqual(ds.count, 4)
        XCTAssertEqual(ds.classes, ["setosa", "versicolor", "virginica"])
        XCTAssertEqual(ds.targets, [0, 1, 2, 0])
        XCTAssertEqual(ds.features.shape, [4, 2])
        let (x, y) = try ds[2]
        XCTAssertEqual(x.tensor?.toArray(), [6.3, 3.3])
        XCTAssertEqual(y, 2)
        XCTAssertEqual(ds.classToIndex["virginica"], 2)
        XCTAssertTrue(ds.description.contains("Features: 2 (sepal_length, sepal_width)"))
        // All other columns as features: the quoted text column is not numeric.
        assertDataError(try CSVDataset(path: path, labelColumn: "species"), "line 2", "note, quoted", "'a \"b\" c' is not a number")
        assertDataError(try CSVDataset(path: path, labelColumn: "kind"), "label column 'kind' not found", "sepal_length, sepal_width")
        // Integer labels are class indices; a short row is an error naming its line.
        let p2 = dir + "/num.csv"
        try writeTestFile(p2, Array("a;b;label\n1;2;3\n4;5;0\n".utf8))
        let num = try CSVDataset(path: p2, labelColumn: "label", delimiter: ";")
        XCTAssertEqual(num.targets, [3, 0])
        XCTAssertEqual(num.classes, ["0", "1", "2", "3"])
        // An integer label too large for a class index is an id: the labels become names
        // (libFuzzer found 55555555555555555 asking for a 10¹⁹-byte class list).
        try writeTestFile(p2, Array("a,label\n1,55555555555555555\n2,7\n3,7\n".utf8))
        let ids = try CSVDataset(path: p2, labelColumn: "label")
        XCTAssertEqual(ids.classes, ["55555555555555555", "7"])
        XCTAssertEqual(ids.targets, [0, 1, 1])
        try writeTestFile(p2, Array("a,label\n1,\(CSVDataset.maxClassIndexLabels - 1)\n".utf8))
        XCTAssertEqual(try CSVDataset(path: p2, labelColumn: "label").classes.count, CSVDataset.maxClassIndexLabels)
        try writeTestFile(p2, Array("a,b,label\n1,2,3\n4,0\n".utf8))
        assertDataError(try CSVDataset(path: p2, labelColumn: "label"), "line 3", "2 fields, expected 3")
        // The default collate batches CSV rows.
        let loader = try DataLoader(ds, batchSize: 3)
        let batches = Array(loader)
        XCTAssertEqual(batches.map { $0.0.shape }, [[3, 2], [1, 2]])
        XCTAssertEqual(batches[0].1.values, [0, 1, 2])
    }
}
