import DataTestKit
import Foundation
import XCTest
@testable import Tensors

/// `DatasetDownload`: torchvision's files and digests, the mirror and manifest variables,
/// and a multi-file fetch from a local server with progress over all files.
final class DatasetDownloadTests: XCTestCase {
    func testOfficialFilesAreTorchvisions() {
        let cifar10 = DatasetDownload.official(.cifar10)
        XCTAssertEqual(cifar10.resources, [CIFAR10.resource])
        XCTAssertEqual(cifar10.subfolder, "")
        let cifar100 = DatasetDownload.official(.cifar100).resources
        XCTAssertEqual(cifar100.map(\.url), ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"])
        XCTAssertEqual(cifar100.map(\.md5), ["03b5dce01913d631647c71ecec9e9cb8"])
        let mnist = DatasetDownload.official(.mnist)
        XCTAssertEqual(mnist.subfolder, "MNIST/raw")
        XCTAssertEqual(mnist.resources.map(\.url), ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
            .map { "https://ossci-datasets.s3.amazonaws.com/mnist/" + $0 })
        XCTAssertEqual(mnist.resources.map(\.md5), ["f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                                                    "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"])
        XCTAssertEqual(mnist.resources.map(\.size), [9_912_422, 28_881, 1_648_877, 4_542])
        let fashion = DatasetDownload.official(.fashionMNIST)
        XCTAssertEqual(fashion.subfolder, "FashionMNIST/raw")
        XCTAssertEqual(fashion.resources.first?.url, "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz")
        XCTAssertEqual(fashion.resources.map(\.md5), ["8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                                                      "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"])
    }

    func testTheMirrorReplacesTheBaseURLAndKeepsTheDigests() throws {
        XCTAssertEqual(try DatasetDownload.resolved(.mnist, environment: [:]), .official(.mnist))
        let env = [DatasetDownload.mirrorVariable: "http://127.0.0.1:9/files"]
        for kind in ImageDatasetKind.allCases {
            let d = try DatasetDownload.resolved(kind, environment: env)
            let official = DatasetDownload.official(kind)
            XCTAssertEqual(d.resources.map(\.url), official.resources.map { "http://127.0.0.1:9/files/\(d.mirrorFolder)/\($0.filename)" })
            XCTAssertEqual(d.resources.map(\.md5), official.resources.map(\.md5), "the official digests stay")
            XCTAssertEqual(d.resources.map(\.size), official.resources.map(\.size))
        }
        assertDataError(try DatasetDownload.resolved(.mnist, environment: [DatasetDownload.mirrorVariable: "/srv/mirror"]),
                        "WORKBENCH_DATASET_MIRROR=/srv/mirror is not an http(s) URL")
    }

    func testAManifestReplacesOnlyTheDigestsItLists() throws {
        let dir = try makeDataTempDir(self)
        let manifest = dir + "/mirror.md5"
        try writeTestFile(manifest, Array("""
            # md5sum */*
            0123456789abcdef0123456789ABCDEF  mnist/train-images-idx3-ubyte.gz
            fedcba9876543210fedcba9876543210 *./cifar-10/cifar-10-binary.tar.gz

            """.utf8))
        let env = [DatasetDownload.mirrorVariable: "http://127.0.0.1:9/", DatasetDownload.manifestVariable: manifest]
        let mnist = try DatasetDownload.resolved(.mnist, environment: env)
        XCTAssertEqual(mnist.resources.map(\.md5), ["0123456789abcdef0123456789abcdef"] + DatasetDownload.official(.mnist).resources.dropFirst().map(\.md5))
        XCTAssertEqual(mnist.resources.first?.size, nil, "another file: the official size does not apply")
        XCTAssertEqual(mnist.resources.first?.limit, 9_912_422, "but it still caps the transfer")
        XCTAssertEqual(try DatasetDownload.resolved(.cifar10, environment: env).resources.first?.md5, "fedcba9876543210fedcba9876543210")
        // A manifest alone would only weaken the official check: refused.
        assertDataError(try DatasetDownload.resolved(.mnist, environment: [DatasetDownload.manifestVariable: manifest]),
                        "set without WORKBENCH_DATASET_MIRROR")
        try writeTestFile(manifest, Array("abc  mnist/x.gz\n".utf8))
        assertDataError(try DatasetDownload.resolved(.mnist, environment: env), "mirror.md5:1", "expected 'MD5  PATH'")
        assertDataError(try DatasetDownload.resolved(.mnist, environment: [DatasetDownload.mirrorVariable: "http://x/",
                                                                           DatasetDownload.manifestVariable: dir + "/none"]),
                        "cannot read \(dir)/none")
    }

    /// Four gzipped IDX files in MNIST's layout: `train` and `test` images of 28×28 with labels.
    static func mnistFiles(train: Int, test: Int) -> [String: [UInt8]] {
        func images(_ n: Int, _ seed: Int) -> [UInt8] {
            gzipBytes(idxFile(dims: [n, 28, 28], data: (0..<(n * 784)).map { UInt8(($0 * 7 + seed) % 256) }))
        }
        func labels(_ n: Int) -> [UInt8] { gzipBytes(idxFile(dims: [n], data: (0..<n).map { UInt8($0 % 10) })) }
        return ["train-images-idx3-ubyte.gz": images(train, 1), "train-labels-idx1-ubyte.gz": labels(train),
                "t10k-images-idx3-ubyte.gz": images(test, 2), "t10k-labels-idx1-ubyte.gz": labels(test)]
    }

    func testFetchingMNISTFromAMirrorWithProgressOverAllFiles() throws {
        let files = Self.mnistFiles(train: 30, test: 10)
        let server = try LocalHTTPServer(files: Dictionary(uniqueKeysWithValues: files.map { ("/mnist/" + $0.key, $0.value) }))
        addTeardownBlock { server.stop() }
        let dir = try makeDataTempDir(self)
        var manifest = ""
        for (name, bytes) in files {
            try writeTestFile(dir + "/" + name, bytes)
            manifest += "\(try Download.md5(ofFile: dir + "/" + name))  mnist/\(name)\n"
        }
        try writeTestFile(dir + "/manifest", Array(manifest.utf8))
        let download = try DatasetDownload.resolved(.mnist, environment: [DatasetDownload.mirrorVariable: server.base,
                                                                           DatasetDownload.manifestVariable: dir + "/manifest"])
        let root = dir + "/data"
        var reports: [DatasetDownloadProgress] = []
        XCTAssertEqual(try download.fetch(into: root) { reports.append($0) }, root)
        XCTAssertEqual(server.paths, download.resources.map { "/mnist/" + $0.filename })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/MNIST/raw").sorted(), files.keys.sorted())
        XCTAssertEqual(try MNIST(root: root, train: true).count, 30)
        XCTAssertEqual(try MNIST(root: root, train: false).count, 10)
        // Progress covers the four files in order, the bytes only grow, each file is verified.
        XCTAssertEqual(Set(reports.map(\.fileIndex)), [0, 1, 2, 3])
        XCTAssertEqual(reports.map(\.fileIndex), reports.map(\.fileIndex).sorted())
        XCTAssertTrue(zip(reports, reports.dropFirst()).allSatisfy { $0.received <= $1.received }, "aggregate bytes only grow")
        XCTAssertEqual(reports.last?.received, Int64(files.values.map(\.count).reduce(0, +)))
        XCTAssertEqual(reports.filter { $0.phase == .verifying }.count, 4)
        XCTAssertEqual(reports.last?.fraction ?? 0, 1, accuracy: 1e-9)
        XCTAssertTrue(zip(reports, reports.dropFirst()).allSatisfy { $0.fraction <= $1.fraction + 1e-9 }, "the bar only grows")

        // Again: every file is there and verified, nothing is fetched.
        XCTAssertEqual(try download.fetch(into: root), root)
        XCTAssertEqual(server.requests, 4)
        // Opening with download: true fetches through the same files when they are missing.
        try FileManager.default.removeItem(atPath: root)
        setenv(DatasetDownload.mirrorVariable, server.base, 1)
        setenv(DatasetDownload.manifestVariable, dir + "/manifest", 1)
        defer {
            unsetenv(DatasetDownload.mirrorVariable)
            unsetenv(DatasetDownload.manifestVariable)
        }
        XCTAssertEqual(try ImageDatasetKind.mnist.open(root: root, train: false, download: true, progress: { _, _ in }).count, 10)
        XCTAssertEqual(server.requests, 8)
    }

    func testAWrongDigestStopsAtThatFileAndKeepsTheOnesBefore() throws {
        let files = Self.mnistFiles(train: 5, test: 5)
        let server = try LocalHTTPServer(files: Dictionary(uniqueKeysWithValues: files.map { ("/" + $0.key, $0.value) }))
        addTeardownBlock { server.stop() }
        let dir = try makeDataTempDir(self)
        var resources: [DownloadResource] = []
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
            try writeTestFile(dir + "/x", files[name] ?? [])
            resources.append(DownloadResource(url: server.base + name, filename: name, md5: try Download.md5(ofFile: dir + "/x")))
        }
        resources[1].md5 = String(repeating: "0", count: 32)
        let download = DatasetDownload(kind: .mnist, resources: resources, subfolder: "MNIST/raw")
        assertDataError(try download.fetch(into: dir + "/root"), server.base + "train-labels-idx1-ubyte.gz", "MD5 mismatch", kind: .download)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/root/MNIST/raw"), ["train-images-idx3-ubyte.gz"])
        // A failure before anything was kept leaves no folder behind.
        var first = download
        first.resources[0].md5 = String(repeating: "1", count: 32)
        assertDataError(try first.fetch(into: dir + "/other/root"), "MD5 mismatch", kind: .download)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/other"), "the folders it made are gone")
    }
}
