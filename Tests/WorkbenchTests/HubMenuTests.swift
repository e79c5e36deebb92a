import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The TUI's *Publish to hub…* and *Load from hub…*: the prompts, the save-then-publish
/// hand-over with the session, the background manifest read and entry load (hash checked),
/// and the errors a user can cause.
final class HubMenuTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hub-menu-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        setenv("WORKBENCH_HOME", dir.appendingPathComponent("home").path, 1)
    }

    override func tearDownWithError() throws {
        unsetenv("WORKBENCH_HOME")
        try? FileManager.default.removeItem(at: dir)
    }

    /// Ticks `app` until `done` holds (background hub work), at most 20 s.
    func tick(_ app: App, until done: () -> Bool) {
        let deadline = Date().addingTimeInterval(20)
        while !done() && Date() < deadline {
            app.tick()
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    func lenetWeights(_ url: URL) throws {
        try ModelFile.save(try ModelZoo.make("lenet5", generator: Generator(seed: 3)), metadata: try ModelMetadata.zooDefault("lenet5"), to: url)
    }

    func testPublishSavesThroughTheSessionThenWritesTheManifest() throws {
        let (app, backend) = makeApp(width: 100, height: 30)
        let hub = dir.appendingPathComponent("myhub").path
        app.press(.char("m"))
        XCTAssertShows(app.draw(), "Publish to hub…")
        XCTAssertShows(app.draw(), "Load from hub…")
        app.press(.char("P"))
        XCTAssertShows(app.draw(), "Publish to hub folder")
        app.press(.ctrl("u"))
        app.type(hub)
        app.press(.enter)
        XCTAssertShows(app.draw(), "Entry name in")
        // A name the hub cannot take is refused in the prompt, nothing is sent.
        app.press(.ctrl("u"))
        app.type("bad name")
        app.press(.enter)
        XCTAssertShows(app.draw(), "entry name 'bad name'")
        XCTAssertTrue(backend.last.commands.isEmpty)
        app.press(.ctrl("u"))
        app.type("shapes-lenet")
        app.press(.enter)
        guard case .file(.saveModel, let tmp)? = backend.last.commands.last else {
            return XCTFail("no save sent: \(backend.last.commands)")
        }
        XCTAssertNil(app.overlayName)
        // The session writes the file (here: the test), then reports; the app publishes it.
        try lenetWeights(URL(fileURLWithPath: tmp))
        backend.last.pending = [.fileFinished(.saveModel, path: tmp, error: nil)]
        app.tick()
        XCTAssertShows(app.draw(), "published shapes-lenet")
        let m = try Hub.manifest(try HubSource(hub))
        XCTAssertEqual(m.entries.map(\.name), ["shapes-lenet"])
        XCTAssertEqual(m.entries.first?.architecture, "lenet5")
        XCTAssertTrue(m.entries.first?.doc.contains("trained on") == true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp), "the temporary save is removed")
        let data = try Data(contentsOf: URL(fileURLWithPath: hub + "/shapes-lenet.safetensors"))
        XCTAssertEqual(m.entries.first?.files.first?.sha256, Hub.sha256(data))
    }

    func testAFailedSaveIsReportedAndNothingIsPublished() throws {
        let (app, backend) = makeApp(width: 100, height: 30)
        let hub = dir.appendingPathComponent("h2").path
        app.press(.char("m"), .char("P"), .ctrl("u"))
        app.type(hub)
        app.press(.enter, .enter)
        guard case .file(.saveModel, let tmp)? = backend.last.commands.last else { return XCTFail("no save sent") }
        backend.last.pending = [.fileFinished(.saveModel, path: tmp, error: "disk full")]
        app.tick()
        XCTAssertEqual(app.overlayName, "message")
        XCTAssertShows(app.draw(), "disk full")
        XCTAssertFalse(FileManager.default.fileExists(atPath: hub + "/hub.json"))
    }

    func testLoadReadsTheManifestOffersEntriesAndLoadsTheCheckedFile() throws {
        let hub = dir.appendingPathComponent("pubhub")
        let w = dir.appendingPathComponent("w.safetensors")
        try lenetWeights(w)
        try Hub.publish(weights: w, name: "lenet-a", doc: "first\nmore", into: hub, version: "0.1.0")
        try Hub.publish(weights: w, name: "lenet-b", doc: "second", into: hub, version: "0.1.0")
        let (app, backend) = makeApp(width: 100, height: 30)
        app.press(.char("m"), .char("H"))
        XCTAssertShows(app.draw(), "Load from hub")
        app.press(.ctrl("u"))
        app.type(hub.path)
        app.press(.enter)
        tick(app) { app.overlayName == "chooser" }
        XCTAssertEqual(app.overlayName, "chooser")
        let screen = app.draw()
        XCTAssertShows(screen, "lenet-a  lenet5  first")
        XCTAssertShows(screen, "lenet-b")
        app.press(.down, .enter)
        tick(app) { if case .file(.loadModel, _)? = backend.last.commands.last { return true } else { return false } }
        guard case .file(.loadModel, let path)? = backend.last.commands.last else {
            return XCTFail("no load sent; overlay \(app.overlayName ?? "none")")
        }
        XCTAssertTrue(path.hasPrefix(dir.appendingPathComponent("home/hub").path), path)
        XCTAssertTrue(path.hasSuffix("lenet-b.safetensors"), path)
        XCTAssertEqual(Hub.sha256(try Data(contentsOf: URL(fileURLWithPath: path))), Hub.sha256(try Data(contentsOf: w)))
    }

    func testLoadErrorsAreMessagesAndTheModelIsUntouched() throws {
        let (app, backend) = makeApp(width: 100, height: 30)
        app.press(.char("m"), .char("H"), .ctrl("u"))
        app.type(dir.appendingPathComponent("nohub").path)
        app.press(.enter)
        // Not a source at all: refused in the prompt, which stays open.
        XCTAssertEqual(app.overlayName, "prompt")
        XCTAssertShows(app.draw(), "not a hub source")
        // A tampered file: the hash check fails, nothing is loaded.
        let hub = dir.appendingPathComponent("tampered")
        let w = dir.appendingPathComponent("w.safetensors")
        try lenetWeights(w)
        try Hub.publish(weights: w, name: "m", doc: "", into: hub, version: "0.1.0")
        var bytes = try Data(contentsOf: hub.appendingPathComponent("m.safetensors"))
        bytes[bytes.count - 1] ^= 0xff
        try bytes.write(to: hub.appendingPathComponent("m.safetensors"))
        app.press(.escape, .char("m"), .char("H"), .ctrl("u"))
        app.type(hub.path)
        app.press(.enter)
        tick(app) { app.overlayName == "chooser" }
        app.press(.enter)
        tick(app) { app.overlayName == "message" }
        XCTAssertShows(app.draw(), "Cannot load m from")
        XCTAssertFalse(backend.last.commands.contains { if case .file(.loadModel, _) = $0 { return true } else { return false } })
    }
}
