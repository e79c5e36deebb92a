import Foundation
import XCTest
@testable import Tensors

/// ImageFolder and DatasetFolder: torchvision's structure semantics
/// (classes, class_to_idx, samples order of make_dataset), errors, the
/// preload / cache / corrupt-file policy, and loading through DataLoader.
final class ImageFolderTests: XCTestCase {
    /// Writes each (relative path, image) as a PNG under a fresh root.
    private func makeFolder(_ files: [(String, Image)]) throws -> String {
        let root = try makeDataTempDir(self, "imagefolder")
        for (path, image) in files { try writeTestPNG(image, root + "/" + path) }
        return root
    }

    private func small(_ seed: Int, _ w: Int = 4, _ h: Int = 4, _ c: Int = 3) -> Image {
        testPixels(width: w, height: h, channels: c, seed: seed)
    }

    /// The tree checked against Python's `sorted(os.walk(...))` order: "x-1" sorts between "x" and "x/y".
    func testClassesAndSamplesInTorchvisionOrder() throws {
        let root = try makeFolder([("a/x/y/3.png", small(3)), ("a/x-1/2.png", small(2)), ("a/x/1.png", small(1)),
                                   ("a/0.png", small(0)), ("a/z.PNG", small(4)), ("C/c.png", small(5))])
        try writeTestFile(root + "/a/notes.txt", Array("not an image".utf8))
        try writeTestFile(root + "/readme.png", [])            // not in a class folder: ignored
        try FileManager.default.createDirectory(atPath: root + "/b", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtureURL("images/rgb.jpg").path, toPath: root + "/b/img.jpeg")
        let ds = try ImageFolder(root: root)
        XCTAssertEqual(ds.classes, ["C", "a", "b"])
        XCTAssertEqual(ds.classToIndex, ["C": 0, "a": 1, "b": 2])
        XCTAssertEqual(ds.samples.map { String($0.path.dropFirst(root.count + 1)) },
                       ["C/c.png", "a/0.png", "a/z.PNG", "a/x/1.png", "a/x-1/2.png", "a/x/y/3.png", "b/img.jpeg"])
        XCTAssertEqual(ds.samples.map { $0.classIndex }, [0, 1, 1, 1, 1, 1, 2])
        XCTAssertEqual(ds.targets, [0, 1, 1, 1, 1, 1, 2])
        XCTAssertEqual(ds.imgs.map { $0.path }, ds.samples.map { $0.path })
        XCTAssertEqual(ds.extensions, imageExtensions)
        XCTAssertEqual(ds.classCounts, [1, 5, 1])
        XCTAssertEqual(ds.count, 7)
        let (x, y) = try ds[3]
        XCTAssertEqual(y, 1)
        XCTAssertEqual(x.image, small(1))
        let (jpeg, label) = try ds[6]
        XCTAssertEqual(label, 2)
        XCTAssertEqual(jpeg.image?.shape, [3, 12, 16])
        XCTAssertEqual(ds.description, "Dataset ImageFolder\n    Number of datapoints: 7\n    Root location: \(root)")
    }

    func testSymbolicLinksAreFollowed() throws {
        let root = try makeFolder([("cat/1.png", small(1))])
        let outside = try makeFolder([("more/2.png", small(2))])
        try FileManager.default.createSymbolicLink(atPath: root + "/cat/linked", withDestinationPath: outside + "/more")
        try FileManager.default.createSymbolicLink(atPath: root + "/dog", withDestinationPath: outside + "/more")
        try FileManager.default.createSymbolicLink(atPath: root + "/cat/loop", withDestinationPath: root + "/cat")
        let ds = try ImageFolder(root: root)
        XCTAssertEqual(ds.classes, ["cat", "dog"])
        XCTAssertEqual(ds.samples.map { String($0.path.dropFirst(root.count + 1)) }, ["cat/1.png", "cat/linked/2.png", "dog/2.png"])
    }

    func testEmptyClassFolderNamesTheClassAndFolder() throws {
        let root = try makeFolder([("cat/1.png", small(1))])
        try FileManager.default.createDirectory(atPath: root + "/dog", withIntermediateDirectories: true)
        try writeTestFile(root + "/dog/notes.txt", [1, 2, 3])
        assertDataError(try ImageFolder(root: root), "Found no valid file for the classes dog", root,
                        "Supported extensions are: .jpg, .jpeg, .png", kind: .notFound)
        let ds = try ImageFolder(root: root, allowEmpty: true)
        XCTAssertEqual(ds.classes, ["cat", "dog"])
        XCTAssertEqual(ds.classCounts, [1, 0])
    }

    func testMissingRootAndNoClassFolders() throws {
        let root = try makeDataTempDir(self, "noclasses")
        assertDataError(try ImageFolder(root: root), "Couldn't find any class folder in \(root).", kind: .notFound)
        assertDataError(try ImageFolder(root: root + "/missing"), "missing", "no such folder", kind: .notFound)
        try writeTestFile(root + "/file.png", [])
        assertDataError(try ImageFolder(root: root + "/file.png"), "file.png", "is a file", kind: .notFound)
    }

    func testIsValidFileAndExtensionsArguments() throws {
        let root = try makeFolder([("a/keep_1.png", small(1)), ("a/drop_2.png", small(2)), ("b/keep_3.png", small(3))])
        let ds = try ImageFolder(root: root, isValidFile: { ($0 as NSString).lastPathComponent.hasPrefix("keep") })
        XCTAssertNil(ds.extensions)
        XCTAssertEqual(ds.samples.map { ($0.path as NSString).lastPathComponent }, ["keep_1.png", "keep_3.png"])
        let loader: DatasetFolder.Loader = { .tensor(Tensor([Float($0.count)])) }
        assertDataError(try DatasetFolder(root: root, loader: loader), "Both extensions and is_valid_file cannot be None", kind: .invalidArgument)
        assertDataError(try DatasetFolder(root: root, loader: loader, extensions: [".png"], isValidFile: { _ in true }),
                        "Both extensions and is_valid_file", kind: .invalidArgument)
        // torchvision lowercases the file name, not the extensions.
        XCTAssertTrue(DatasetFolder.hasFileAllowedExtension("A/B.JPG", [".jpg"]))
        XCTAssertFalse(DatasetFolder.hasFileAllowedExtension("a/b.jpg", [".JPG"]))
        let generic = try DatasetFolder(root: root, loader: loader, extensions: [".png"], targetTransform: { $0 + 10 })
        XCTAssertEqual(generic.count, 3)
        let (x, y) = try generic[2]
        XCTAssertEqual(x.tensor?.toArray(), [Float(generic.samples[2].path.count)])
        XCTAssertEqual(y, 11)
        XCTAssertTrue(generic.description.hasPrefix("Dataset DatasetFolder\n    Number of datapoints: 3"))
    }

    func testItemsAreRGBAndTransformed() throws {
        let root = try makeFolder([("gray/1.png", small(1, 5, 3, 1)), ("rgba/2.png", small(2, 5, 3, 4))])
        let ds = try ImageFolder(root: root, transform: ToTensor(), targetTransform: { $0 * 7 })
        XCTAssertEqual(try ds.load(at: 0).image, try small(1, 5, 3, 1).convert(to: "RGB"))
        XCTAssertEqual(try ds.load(at: 1).image, try small(2, 5, 3, 4).convert(to: "RGB"))
        let (x, y) = try ds[1]
        XCTAssertEqual(x.tensor?.shape, [3, 3, 5])
        XCTAssertEqual(y, 7)
        XCTAssertTrue(ds.description.contains("StandardTransform\nTransform: ToTensor()\nTarget transform: Lambda()"))
    }

    /// Corrupt files: `.fail` names the first in sample order, `.skip` lists them, lazy loading names the file on access.
    func testCorruptFilePolicies() throws {
        let root = try makeFolder([("a/1.png", small(1)), ("b/3.png", small(3))])
        try writeTestFile(root + "/a/2.png", Array("definitely not a png".utf8))
        try writeTestFile(root + "/b/0.bmp", [0x42, 0x4D, 0, 0, 0, 0])
        assertDataError(try ImageFolder(root: root, preload: true), root + "/a/2.png", "not a PNG or JPEG", kind: .badFormat)
        let ds = try ImageFolder(root: root, preload: true, onCorruptFile: .skip)
        XCTAssertEqual(ds.skipped.map { $0.path }, [root + "/a/2.png", root + "/b/0.bmp"])
        XCTAssertTrue(ds.skipped[1].reason.contains("42 4D"), ds.skipped[1].reason)
        XCTAssertEqual(ds.samples.map { $0.path }, [root + "/a/1.png", root + "/b/3.png"])
        XCTAssertEqual(ds.targets, [0, 1])
        XCTAssertEqual(try ds[1].1, 1)
        let lazy = try ImageFolder(root: root)
        XCTAssertEqual(lazy.count, 4)
        XCTAssertTrue(lazy.skipped.isEmpty)
        assertDataError(try lazy[1], root + "/a/2.png", kind: .badFormat)
        XCTAssertEqual(try lazy[0].0.image, small(1))
    }

    func testLoaderErrorsNameTheFile() throws {
        struct Broken: Error {}
        let root = try makeFolder([("a/1.png", small(1))])
        let ds = try DatasetFolder(root: root, loader: { _ in throw Broken() }, extensions: [".png"])
        assertDataError(try ds[0], root + "/a/1.png", "Broken")
        assertDataError(try DatasetFolder(root: root, loader: { _ in throw Broken() }, extensions: [".png"], preload: true),
                        root + "/a/1.png")
    }

    func testPreloadReportsProgress() throws {
        let files = (0..<9).map { ("c\($0 % 3)/\($0).png", small($0)) }
        let root = try makeFolder(files)
        let lock = NSLock()
        var calls: [(Int, Int)] = []
        let ds = try ImageFolder(root: root, preload: true, progress: { done, total in
            lock.lock()
            calls.append((done, total))
            lock.unlock()
        })
        XCTAssertEqual(calls.map { $0.0 }, Array(0...9), "one call per file, in order, from 0 to all")
        XCTAssertTrue(calls.allSatisfy { $0.1 == 9 })
        XCTAssertEqual(ds.cachedBytes, 9 * 48)
    }

    /// Decoded images are kept up to the byte limit and served without reading the file again.
    func testCacheLimit() throws {
        let root = try makeFolder([("a/1.png", small(1)), ("a/2.png", small(2)), ("a/3.png", small(3))])
        let ds = try ImageFolder(root: root, preload: true, cacheLimit: 100)   // 48 bytes each: two fit
        XCTAssertEqual(ds.cachedBytes, 96)
        XCTAssertEqual(ds.folder.cache.entries, 2)
        for i in 1...3 { try FileManager.default.removeItem(atPath: root + "/a/\(i).png") }
        var served = 0
        for i in 0..<3 {
            if let (x, _) = try? ds[i] {
                XCTAssertEqual(x.image, small(i + 1))
                served += 1
            }
        }
        XCTAssertEqual(served, 2, "the cached images survive their files, the third is read again and fails")
        assertDataError(try ImageFolder(root: root + "/..", cacheLimit: -1), "cacheLimit must be non-negative")

        let root2 = try makeFolder([("a/1.png", small(1)), ("a/2.png", small(2))])
        let none = try ImageFolder(root: root2, preload: true, cacheLimit: 0)
        XCTAssertEqual(none.cachedBytes, 0)
        let lazy = try ImageFolder(root: root2)
        XCTAssertEqual(lazy.cachedBytes, 0)
        let copy = lazy.withTransformForTest(ToTensor())
        _ = try copy[1]
        XCTAssertEqual(lazy.cachedBytes, 48, "copies share the cache")
    }

    func testDataLoaderOverLazyFolder() throws {
        let files = (0..<7).map { ("class\($0 % 2)/\($0).png", small($0, 6 + $0 % 3, 5)) }
        let root = try makeFolder(files)
        let ds = try ImageFolder(root: root, transform: Compose(Resize((8, 8)), ToTensor()))
        let loader = try DataLoader(ds, batchSize: 3, numWorkers: 2)
        XCTAssertFalse(loader.isFused)
        var labels: [Int] = []
        var shapes: [[Int]] = []
        for (x, y) in loader {
            shapes.append(x.shape)
            labels += y.values
        }
        XCTAssertEqual(shapes, [[3, 3, 8, 8], [3, 3, 8, 8], [1, 3, 8, 8]])
        XCTAssertEqual(labels, ds.targets)
    }

    /// `resize:` stores one buffer; the DataLoader batches it on the fused path with the
    /// same numbers as Resize in the transform on the general path.
    func testResizeAtLoadUsesTheFusedPath() throws {
        var files = (0..<6).map { ("k\($0 % 3)/\($0).png", small($0, 10 + $0, 7 + 2 * $0)) }
        files.append(("k1/gray.png", small(9, 9, 9, 1)))
        let root = try makeFolder(files)
        try writeTestFile(root + "/k2/broken.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])
        let tail = Compose(ToTensor(), Normalize(mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]))
        let fast = try ImageFolder(root: root, transform: tail, resize: (8, 6), onCorruptFile: .skip)
        XCTAssertEqual(fast.skipped.map { $0.path }, [root + "/k2/broken.png"])
        XCTAssertEqual(fast.count, 7)
        XCTAssertEqual(fast.cachedBytes, 7 * 8 * 6 * 3)
        XCTAssertTrue(fast.imageSize! == (8, 6))
        let slow = try ImageFolder(root: root, transform: Compose(Resize((8, 6)), tail), isValidFile: { !$0.hasSuffix("broken.png") })
        XCTAssertEqual(slow.samples.map { $0.path }, fast.samples.map { $0.path })
        let fastLoader = try DataLoader(fast, batchSize: 4)
        let slowLoader = try DataLoader(slow, batchSize: 4)
        XCTAssertTrue(fastLoader.isFused)
        XCTAssertFalse(slowLoader.isFused)
        for ((a, ya), (b, yb)) in zip(fastLoader, slowLoader) {
            XCTAssertEqual(a.shape, b.shape)
            assertFloatsClose(a.toArray(), b.toArray(), tol: 0)
            XCTAssertEqual(ya.values, yb.values)
        }
        XCTAssertEqual(try fast.load(at: 0).image, try Resize((8, 6))(small(0, 10, 7)).image)
        assertDataError(try ImageFolder(root: root, resize: (8, 6), onCorruptFile: .fail), root + "/k2/broken.png")
        assertDataError(try ImageFolder(root: root, resize: (8, 6), cacheLimit: 1000, onCorruptFile: .skip),
                        "8 images of 6x8 RGB need 1152 bytes, more than cacheLimit = 1000")
        assertDataError(try ImageFolder(root: root, resize: (0, 6)), "resize (0, 6) is invalid")
    }
}

extension ImageFolder {
    /// A copy with another transform (shares the cache).
    func withTransformForTest(_ t: any Transform) -> ImageFolder {
        var copy = self
        copy.transform = t
        return copy
    }
}
