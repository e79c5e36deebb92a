import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// Issue 15's prompt audit: every path and name prompt of the menu refuses a bad value with a
/// message in the prompt, keeps what was typed for editing, sends nothing to the engine and
/// leaves the dataset and model as they were.
final class PromptAuditTests: XCTestCase {
    /// Menu hotkeys of every prompt that asks for a path.
    private let pathPrompts: [(key: Character, name: String)] = [
        ("w", "save model"), ("l", "load model"), ("c", "save checkpoint"), ("k", "resume from checkpoint"),
        ("v", "export metrics"), ("o", "CIFAR-10 from path"), ("f", "CSV file"), ("i", "image folder"),
        ("P", "publish to hub"), ("H", "load from hub"), ("O", "open model file"),
    ]

    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wb-prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Opens the prompt of menu hotkey `key`, replaces its text with `text` and presses Enter.
    private func submit(_ app: App, _ key: Character, _ text: String) {
        app.press(.char("m"), .char(key))
        XCTAssertEqual(app.overlayName, "prompt", "menu key \(key) opens a prompt")
        app.press(.ctrl("u"))
        app.type(text)
        app.press(.enter)
    }

    /// The prompt is still open with an error containing `expected`, the typed text kept,
    /// nothing sent to the engine, the dataset and model unchanged.
    private func assertRefused(_ app: App, _ backend: RecordingBackend, _ text: String, _ expected: String,
                               _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .prompt(let p)? = app.overlay else {
            return XCTFail("\(what): '\(text)' was accepted (overlay \(app.overlayName ?? "none"))", file: file, line: line)
        }
        let error = p.error ?? ""
        XCTAssertTrue(error.contains(expected), "\(what): '\(text)' gave '\(error)', expected '\(expected)'", file: file, line: line)
        XCTAssertEqual(p.input.text, text, "\(what): the typed text is kept", file: file, line: line)
        XCTAssertTrue(backend.last.commands.isEmpty, "\(what): nothing is sent to the engine", file: file, line: line)
        XCTAssertEqual(app.dataset.name, "shapes", "\(what): the dataset is unchanged", file: file, line: line)
        XCTAssertEqual(app.modelName, "LeNet5", "\(what): the model is unchanged", file: file, line: line)
        XCTAssertShows(app.draw(), String(error.prefix { $0 != " " }.prefix(20)), file: file, line: line)
    }

    func testEveryPathPromptRefusesAnEmptyPath() {
        for (key, name) in pathPrompts {
            let (app, backend) = makeApp(width: 120, height: 40)
            submit(app, key, "")
            assertRefused(app, backend, "", "enter a path", name)
            submit(app, key, "   ")
            assertRefused(app, backend, "   ", "enter a path", name)
        }
    }

    func testPromptsThatWriteAFileRefuseAFolderAndAFileUsedAsAFolder() throws {
        let plain = scratch.appendingPathComponent("notes.txt").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: plain))
        for (key, name) in [("w", "save model"), ("c", "save checkpoint"), ("v", "export metrics")] as [(Character, String)] {
            let (app, backend) = makeApp(width: 120, height: 40)
            submit(app, key, scratch.path)
            assertRefused(app, backend, scratch.path, "is a folder; expected a file name", name)
            submit(app, key, scratch.path + "/")
            assertRefused(app, backend, scratch.path + "/", "is a folder; expected a file name", name)
            submit(app, key, plain + "/m.safetensors")
            assertRefused(app, backend, plain + "/m.safetensors", "is a file, not a folder", name)
        }
        XCTAssertEqual(try String(contentsOfFile: plain, encoding: .utf8), "keep me")
    }

    func testPromptsThatReadAFileRefuseMissingFilesAndFolders() {
        for (key, name) in [("l", "load model"), ("k", "resume from checkpoint"), ("O", "open model file")] as [(Character, String)] {
            let (app, backend) = makeApp(width: 120, height: 40)
            let missing = scratch.appendingPathComponent("missing.safetensors").path
            submit(app, key, missing)
            assertRefused(app, backend, missing, "no such file", name)
            submit(app, key, scratch.path)
            assertRefused(app, backend, scratch.path, "is a folder; expected a file", name)
        }
    }

    func testDatasetAndHubPromptsRefuseMissingPaths() {
        let missing = scratch.appendingPathComponent("nothing-here").path
        for (key, name) in [("o", "CIFAR-10 from path"), ("f", "CSV file"), ("i", "image folder"), ("H", "load from hub")]
            as [(Character, String)] {
            let (app, backend) = makeApp(width: 120, height: 40)
            submit(app, key, missing)
            assertRefused(app, backend, missing, "nothing-here", name)
        }
    }

    func testDownloadFolderPromptRefusesEmptyAndAFile() throws {
        let plain = scratch.appendingPathComponent("a-file").path
        try Data().write(to: URL(fileURLWithPath: plain))
        let (app, backend) = makeApp(width: 120, height: 40)
        app.press(.char("m"), .char("D"))
        XCTAssertEqual(app.overlayName, "chooser")
        app.press(.enter)
        XCTAssertEqual(app.overlayName, "prompt")
        app.press(.ctrl("u"), .enter)
        assertRefused(app, backend, "", "enter a path", "download folder")
        app.type(plain)
        app.press(.enter)
        assertRefused(app, backend, plain, "is a file, not a folder", "download folder")
        XCTAssertNil(app.download, "no download started")
    }

    func testHubEntryNamePromptRefusesNamesThatAreNotPlain() {
        let (app, backend) = makeApp(width: 120, height: 40)
        submit(app, "P", scratch.path)
        guard case .prompt(let p)? = app.overlay, case .hubEntryName = p.purpose else {
            return XCTFail("publishing asks for the entry's name next (overlay \(app.overlayName ?? "none"))")
        }
        for bad in ["", "../evil", ".hidden", "a/b"] {
            app.press(.ctrl("u"))
            app.type(bad)
            app.press(.enter)
            guard case .prompt(let q)? = app.overlay else { return XCTFail("'\(bad)' was accepted as an entry name") }
            XCTAssertNotNil(q.error, "'\(bad)' is refused with a message")
            XCTAssertEqual(q.input.text, bad)
            XCTAssertTrue(backend.last.commands.isEmpty, "nothing is saved for '\(bad)'")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("hub.json").path))
    }

    func testEveryMenuHotkeyIsUnique() {
        let (app, _) = makeApp(width: 120, height: 40)
        var seen: [Character: String] = [:]
        for item in app.menuItems where !item.isSeparator {
            guard let k = item.hotkey else { continue }
            XCTAssertNil(seen[k], "menu hotkey \(k) is used by both \(seen[k] ?? "") and \(item.title)")
            seen[k] = item.title
        }
    }
}
