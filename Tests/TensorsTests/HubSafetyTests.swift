import Foundation
import XCTest
@testable import Tensors

/// The hub trusts nothing a manifest says: entry names and file paths stay
/// inside the hub and the cache, links inside a hub folder may not lead out,
/// and every file must have the manifest's size and SHA-256 before it is cached.
final class HubSafetyTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hub-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A published hub with one small MLP entry; returns the hub folder and its manifest text.
    private func publishedHub() throws -> (URL, String) {
        let model = try ModelZoo.make("mlp", inputShape: [4], outputs: 3, generator: Generator(seed: 1))
        let weights = dir.appendingPathComponent("mlp.safetensors")
        try ModelFile.save(model, metadata: ModelMetadata(architecture: .init(name: "mlp", inputShape: [4], outputs: 3)), to: weights)
        let hub = dir.appendingPathComponent("hub")
        try Hub.publish(weights: weights, name: "mlp", doc: "an MLP", into: hub, version: "0.1.0")
        return (hub, try String(contentsOf: hub.appendingPathComponent(HubManifest.fileName), encoding: .utf8))
    }

    private func manifestError(_ text: String) -> String {
        do { _ = try HubManifest.parse(Data(text.utf8), source: "hub"); return "accepted" } catch { return "\(error)" }
    }

    func testManifestPathsAndNamesThatLeaveTheHubAreRefused() throws {
        let (_, text) = try publishedHub()
        XCTAssertEqual(manifestError(text), "accepted")
        for bad in ["../mlp.safetensors", "/etc/passwd", "a/../../b", "a//b", "./mlp.safetensors", ".git/config",
                    "a\\\\..\\\\b", "~/x", "sub/.hidden", ""] {
            let t = text.replacingOccurrences(of: "\"mlp.safetensors\"", with: "\"\(bad)\"")
            XCTAssertTrue(manifestError(t).contains("leaves the hub or names a hidden file"), "\(bad): \(manifestError(t))")
        }
        for bad in ["../x", ".hidden", "a/b", "", "x y"] {
            let t = text.replacingOccurrences(of: "\"name\" : \"mlp\"", with: "\"name\" : \"\(bad)\"")
            XCTAssertTrue(manifestError(t).contains("entry name '\(bad)' is not allowed"), "\(bad): \(manifestError(t))")
        }
        let upper = text.replacingOccurrences(of: #""sha256" : ""#, with: #""sha256" : "ABC"#)
        XCTAssertTrue(manifestError(upper).contains("sha256 must be 64 lower-case hex digits"), manifestError(upper))
        let negative = text.replacingOccurrences(of: #""size" : "#, with: #""size" : -"#)
        XCTAssertTrue(manifestError(negative).contains("is outside 0"), manifestError(negative))
    }

    func testALinkOutOfTheHubFolderIsRefused() throws {
        let (hub, _) = try publishedHub()
        let file = hub.appendingPathComponent("mlp.safetensors")
        let outside = dir.appendingPathComponent("outside.safetensors")
        try FileManager.default.moveItem(at: file, to: outside)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: outside)
        let cache = dir.appendingPathComponent("cache")
        XCTAssertThrowsError(try Hub.load(.folder(hub), entry: "mlp", cache: cache)) { e in
            XCTAssertTrue("\(e)".contains("outside the hub; refused"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.appendingPathComponent(HubSource.folder(hub).cacheKey + "/mlp/mlp.safetensors").path))
    }

    func testAFileOfAnotherSizeIsNotCached() throws {
        let (hub, _) = try publishedHub()
        let file = hub.appendingPathComponent("mlp.safetensors")
        var bytes = try Data(contentsOf: file)
        bytes.append(0)
        try bytes.write(to: file)
        let cache = dir.appendingPathComponent("cache")
        XCTAssertThrowsError(try Hub.load(.folder(hub), entry: "mlp", cache: cache)) { e in
            XCTAssertTrue("\(e)".contains("bytes, the manifest says"), "\(e)")
        }
        let cached = FileManager.default.enumerator(atPath: cache.path)?.allObjects as? [String] ?? []
        XCTAssertFalse(cached.contains { $0.hasSuffix(".safetensors") }, "\(cached)")
    }
}
