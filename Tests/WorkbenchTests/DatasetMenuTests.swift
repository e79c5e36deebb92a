import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The dataset menu as a user drives it: an image folder opened from the
/// menu with Tab completion of its path, the recent list (↑/↓), and errors.
final class DatasetMenuTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-menu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A class-folder tree: `pets/{cat,dog}/N.png`, 4 images per class, 12×10 pixels.
    func makeFolder() throws -> URL {
        let root = dir.appendingPathComponent("pets")
        for (c, name) in ["cat", "dog"].enumerated() {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<4 {
                let px = (0..<(12 * 10 * 3)).map { UInt8(($0 * 7 + i * 31 + c * 100) % 256) }
                try Image(width: 12, height: 10, channels: 3, pixels: px).pngData()
                    .write(to: folder.appendingPathComponent("\(i).png"))
            }
        }
        return root
    }

    func testPathCompletion() throws {
        _ = try makeFolder()
        try Data().write(to: dir.appendingPathComponent("pets.csv"))
        try Data().write(to: dir.appendingPathComponent(".hidden"))
        let base = dir.path + "/"
        XCTAssertEqual(PathCompletion.complete(base + "pets").text, base + "pets", "two matches: their common prefix")
        XCTAssertEqual(PathCompletion.complete(base + "pets").candidates, ["pets/", "pets.csv"])
        XCTAssertEqual(PathCompletion.complete(base + "pets/c").text, base + "pets/cat/")
        XCTAssertEqual(PathCompletion.complete(base + "pets/").candidates, ["cat/", "dog/"])
        XCTAssertEqual(PathCompletion.complete(base + "x").candidates, [])
        XCTAssertEqual(PathCompletion.complete(base + ".h").text, base + ".hidden")
        XCTAssertFalse(PathCompletion.complete(base).candidates.contains(".hidden"))
    }

    func testOpenImageFolderFromTheMenuWithCompletionAndRecents() throws {
        let root = try makeFolder()
        let recents = RecentPaths(file: dir.appendingPathComponent("recent"))
        let (app, _) = makeApp(width: 100, height: 30, recents: recents)
        app.press(.char("m"), .char("i"), .ctrl("u"))
        XCTAssertEqual(app.overlayName, "prompt")
        app.type(dir.path + "/pe")
        app.press(.tab)
        XCTAssertShows(app.draw(), "pets/")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, nil, "opened")
        XCTAssertEqual(app.dataset.name, "ImageFolder pets")
        XCTAssertEqual(app.dataset.classNames, ["cat", "dog"])
        XCTAssertEqual(app.dataset.count(.train), 8)
        XCTAssertEqual(app.dataset.image(.train, 0).width, 32, "resized to the model's 32x32 input")
        XCTAssertEqual(recents.paths, [root.path + "/"])
        XCTAssertEqual(RecentPaths(file: dir.appendingPathComponent("recent")).paths, [root.path + "/"], "kept in the file")

        // Next time the prompt starts at the most recent path and lists the recent ones.
        app.press(.char("m"), .char("i"))
        XCTAssertShows(app.draw(), "recent (↑/↓)")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, nil)

        // A folder that is no dataset: the error is shown and the dataset stays.
        app.press(.char("m"), .char("i"), .ctrl("u"))
        app.type(dir.path + "/nothing")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "prompt")
        XCTAssertShows(app.draw(), "nothing: no")
        XCTAssertEqual(app.dataset.name, "ImageFolder pets")
    }
}
