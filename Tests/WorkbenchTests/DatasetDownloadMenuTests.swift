import DataTestKit
import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// *Download dataset…* as a user drives it, against generated MNIST-layout files on a local
/// server: the chooser and folder prompt, the progress overlay, opening the result, cancel
/// (the part is kept, the state untouched, the next download resumes), a second download
/// refused, and errors (wrong MD5, HTTP 404, a file for a folder).
final class DatasetDownloadMenuTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "download-menu-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    static let names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

    /// MNIST's four files, gzipped IDX: `train` and `test` 28×28 images of noise (so gzip
    /// keeps them large enough to watch) and labels `i % 10`.
    static func mnistFiles(train: Int, test: Int) -> [String: [UInt8]] {
        var state: UInt32 = 12345
        func images(_ n: Int) -> [UInt8] {
            gzipBytes(idxFile(dims: [n, 28, 28], data: (0..<(n * 784)).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }))
        }
        func labels(_ n: Int) -> [UInt8] { gzipBytes(idxFile(dims: [n], data: (0..<n).map { UInt8($0 % 10) })) }
        return [names[0]: images(train), names[1]: labels(train), names[2]: images(test), names[3]: labels(test)]
    }

    /// A server of `files` under `/mnist/`, and the download the app's services give for MNIST:
    /// the mirror variable pointing at it with a manifest of the files' MD5s (`digest` overrides one).
    func mirror(_ files: [String: [UInt8]], _ behaviour: LocalHTTPServer.Behaviour = .full,
                digest: [String: String] = [:]) throws -> (LocalHTTPServer, (ImageDatasetKind) throws -> DatasetDownload) {
        let server = try LocalHTTPServer(files: Dictionary(uniqueKeysWithValues: files.map { ("/mnist/" + $0.key, $0.value) }),
                                         behaviour: behaviour)
        addTeardownBlock { server.stop() }
        var manifest = ""
        for (name, bytes) in files {
            let tmp = dir + "/digest.tmp"
            try Data(bytes).write(to: URL(fileURLWithPath: tmp))
            let md5 = try digest[name] ?? Download.md5(ofFile: tmp)
            manifest += "\(md5)  mnist/\(name)\n"
            try FileManager.default.removeItem(atPath: tmp)
        }
        let manifestPath = dir + "/manifest.md5"
        try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let env = [DatasetDownload.mirrorVariable: server.base, DatasetDownload.manifestVariable: manifestPath]
        return (server, { try DatasetDownload.resolved($0, environment: env) })
    }

    /// Ticks `app` until `done` holds (background download), at most 30 s.
    func tick(_ app: App, until done: () -> Bool) {
        let deadline = Date().addingTimeInterval(30)
        while !done() && Date() < deadline {
            app.tick()
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Opens the chooser (m D), picks MNIST (the third entry) and submits `folder`.
    func startMNIST(_ app: App, into folder: String) {
        app.press(.char("m"), .char("D"))
        XCTAssertEqual(app.overlayName, "chooser")
        app.press(.down, .down, .enter)
        XCTAssertShows(app.draw(), "Download MNIST into folder")
        app.press(.ctrl("u"))
        app.type(folder)
        app.press(.enter)
    }

    func testDownloadMNISTFromTheMenuShowsProgressAndOpensIt() throws {
        let files = Self.mnistFiles(train: 200, test: 50)
        let (server, downloads) = try mirror(files, .trickle(chunk: 4000, every: 0.01))
        let recents = RecentPaths(file: URL(fileURLWithPath: dir + "/recent"))
        let (app, _) = makeApp(width: 100, height: 30, recents: recents, downloads: downloads)
        try FileManager.default.createDirectory(atPath: dir + "/datasets", withIntermediateDirectories: true)

        app.press(.char("m"))
        XCTAssertShows(app.draw(), "Download dataset…")
        app.press(.char("D"))
        let chooser = app.draw()
        for name in ["CIFAR-10  (1 file", "CIFAR-100  (1 file)", "MNIST  (4 files)", "Fashion-MNIST  (4 files, "] {
            XCTAssertShows(chooser, name)
        }
        app.press(.down, .down, .enter)
        XCTAssertShows(app.draw(), "Download MNIST into folder")
        // The folder prompt completes paths.
        app.press(.ctrl("u"))
        app.type(dir + "/datas")
        app.press(.tab)
        XCTAssertShows(app.draw(), "datasets/")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "download")
        XCTAssertShows(app.draw(), "Download MNIST into \(dir!)/datasets/")

        // While the first file trickles in: its name, bytes of the whole set, a rate.
        var screen = app.draw()
        tick(app) {
            screen = app.draw()
            return screen.contains("/s") && screen.contains("file 1 of 4: train-images-idx3-ubyte.gz")
        }
        XCTAssertShows(screen, "file 1 of 4: train-images-idx3-ubyte.gz")
        XCTAssertShows(screen, "/s")
        XCTAssertShows(screen, "Esc/c cancel")
        tick(app) { app.overlayName != "download" }

        XCTAssertNil(app.overlayName, "opened without a message")
        XCTAssertEqual(app.dataset.name, "MNIST")
        XCTAssertEqual(app.dataset.count(.train), 200)
        XCTAssertEqual(app.dataset.count(.test), 50)
        XCTAssertEqual(app.dataset.inputShape, [1, 28, 28])
        XCTAssertEqual(app.dataset.label(.train, 13), 3)
        XCTAssertEqual(recents.paths, [dir + "/datasets/"])
        XCTAssertEqual(server.paths, Self.names.map { "/mnist/" + $0 })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/datasets/MNIST/raw").sorted(), Self.names.sorted(),
                       "the four files and no partial file")
    }

    func testCancelKeepsThePartAndTheStateAndTheNextDownloadResumes() throws {
        let files = Self.mnistFiles(train: 300, test: 20)
        let big = files[Self.names[0]]?.count ?? 0
        // About 2 s for the first file: time to cancel in the middle of it.
        let (server, downloads) = try mirror(files, .trickle(chunk: 2000, every: 0.01))
        let (app, backend) = makeApp(width: 100, height: 30, downloads: downloads)
        let before = (app.dataset.name, app.dataset.count(.train), backend.sessions.count)
        let folder = dir + "/data"
        startMNIST(app, into: folder)
        let part = folder + "/MNIST/raw/.train-images-idx3-ubyte.gz.part"
        tick(app) { app.draw().contains("file 1 of 4") && (fileSize(part) ?? 0) > 20_000 }

        // Hidden, it goes on; asking for another download shows it again with a note.
        app.press(.char("h"))
        XCTAssertNil(app.overlayName)
        app.tick()
        XCTAssertShows(app.draw(), "downloading MNIST")
        app.run(.downloadDataset)
        XCTAssertEqual(app.overlayName, "download")
        XCTAssertShows(app.draw(), "a download is already running")

        app.press(.escape)
        tick(app) { app.overlayName == "message" }
        let screen = app.draw()
        XCTAssertShows(screen, "Download of MNIST cancelled")
        XCTAssertShows(screen, "cancelled — ")
        XCTAssertShows(screen, "the next download resumes")
        guard case .message(_, let text, let isError)? = app.overlay else { return XCTFail("no message") }
        XCTAssertTrue(text.contains("kept in \(folder)/MNIST/raw/.train-images-idx3-ubyte.gz.part, the next download resumes"), text)
        XCTAssertFalse(isError, "a cancel is not an error")
        XCTAssertShows(screen, "The dataset and the run are unchanged.")
        let kept = fileSize(part) ?? 0
        XCTAssertGreaterThan(kept, 0)
        XCTAssertLessThan(kept, big, "stopped before the end of the file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/MNIST/raw/train-images-idx3-ubyte.gz"))
        XCTAssertEqual(app.dataset.name, before.0)
        XCTAssertEqual(app.dataset.count(.train), before.1)
        XCTAssertEqual(backend.sessions.count, before.2, "the session (and its run) was not replaced")
        XCTAssertTrue(backend.last.commands.isEmpty, "nothing was sent to the run")
        XCTAssertFalse(backend.last.closed)
        // The transfer really stopped: the part does not grow any more.
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(fileSize(part), kept)

        // The next download asks only for the rest, then fetches the others and opens MNIST.
        app.press(.enter)
        startMNIST(app, into: folder)
        tick(app) { app.overlayName != "download" }
        XCTAssertNil(app.overlayName)
        XCTAssertEqual(app.dataset.name, "MNIST")
        XCTAssertEqual(app.dataset.count(.train), 300)
        XCTAssertEqual(server.ranges.filter { $0 != nil }, ["bytes=\(kept)-"])
        XCTAssertNil(fileSize(part))
    }

    func testAWrongMD5IsAnErrorAndNothingChanges() throws {
        let files = Self.mnistFiles(train: 20, test: 10)
        let (_, downloads) = try mirror(files, digest: [Self.names[1]: String(repeating: "0", count: 32)])
        let (app, backend) = makeApp(width: 100, height: 30, downloads: downloads)
        let name = app.dataset.name
        let folder = dir + "/data"
        startMNIST(app, into: folder)
        tick(app) { app.overlayName != "download" }
        XCTAssertEqual(app.overlayName, "message")
        let screen = app.draw()
        XCTAssertShows(screen, "Download of MNIST failed")
        XCTAssertShows(screen, "mnist/train-labels-idx1-ubyte.gz")
        XCTAssertShows(screen, "MD5 mismatch")
        XCTAssertShows(screen, "The dataset and the run are unchanged.")
        XCTAssertEqual(app.dataset.name, name)
        XCTAssertEqual(backend.sessions.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/MNIST/raw"), [Self.names[0]],
                       "the verified first file stays, the bad one is discarded")
        // Enter closes the message; a new download may start.
        app.press(.enter)
        XCTAssertNil(app.overlayName)
    }

    func testHTTPErrorsAndBadFoldersAreClearMessages() throws {
        var files = Self.mnistFiles(train: 20, test: 10)
        let (server, downloads) = try mirror(files)
        files[Self.names[2]] = nil
        // A server missing one file: HTTP 404 naming its URL.
        let (gappy, gappyDownloads) = try mirror(files)
        let (app, _) = makeApp(width: 110, height: 30, downloads: gappyDownloads)
        let name = app.dataset.name
        startMNIST(app, into: dir + "/a")
        tick(app) { app.overlayName != "download" }
        XCTAssertShows(app.draw(), "HTTP status 404")
        XCTAssertShows(app.draw(), gappy.base + "mnist/t10k-images-idx3-ubyte.gz")
        XCTAssertEqual(app.dataset.name, name)
        XCTAssertEqual(server.requests, 0, "the other server was not asked")

        // A file where the folder should be: refused in the prompt, nothing starts.
        let (app2, _) = makeApp(width: 100, height: 30, downloads: downloads)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/plain"))
        startMNIST(app2, into: dir + "/plain/sub")
        XCTAssertEqual(app2.overlayName, "prompt")
        XCTAssertShows(app2.draw(), "plain is a file, not a folder")
        XCTAssertNil(app2.download)
        // A bad mirror variable is named in the prompt.
        let (app3, _) = makeApp(width: 100, height: 30, downloads: {
            try DatasetDownload.resolved($0, environment: [DatasetDownload.mirrorVariable: "ftp://x"])
        })
        startMNIST(app3, into: dir + "/b")
        XCTAssertEqual(app3.overlayName, "prompt")
        XCTAssertShows(app3.draw(), "WORKBENCH_DATASET_MIRROR=ftp://x is not an http(s) URL")
    }
}

/// The size of the file at `path`, nil when there is none.
private func fileSize(_ path: String) -> Int? {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue
}
