import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The generate action: the form's validation, the session's sampling (deterministic per
/// seed, safe while a run trains) and the overlay in the app.
final class GenerateTests: XCTestCase {
    func makeLMApp(width: Int = 120, height: Int = 36) -> (App, RecordingBackend) {
        let backend = RecordingBackend()
        let services = AppServices(datasets: DemoDatasetProvider(), catalog: ZooModelCatalog(), backend: backend,
                                   themes: ThemeLibrary(directories: [repoThemes]))
        let app = App(services: services, options: AppOptions(task: .languageModeling), colorMode: .truecolor)
        app.resize(width: width, height: height)
        return (app, backend)
    }

    func generateCommands(_ s: RecordingSession) -> [(TextSampling, Int)] {
        s.commands.compactMap { if case .generate(let t, let id) = $0 { return (t, id) } else { return nil } }
    }

    // MARK: Form

    func testBadValuesAreRefusedWithAMessageAndKeepTheOldValue() {
        var f = GenerateForm()
        let before = f.settings
        f.setInput(.temperature, TextInput("hot"))
        f.setInput(.maxTokens, TextInput("-5"))
        f.setInput(.prompt, TextInput("1+1="))
        XCTAssertNil(f.commit())
        XCTAssertEqual(f.settings, before, "nothing is applied while a value is bad")
        XCTAssertEqual(f.input(.temperature).text, "0.8")
        XCTAssertEqual(f.input(.maxTokens).text, "120")
        XCTAssertEqual(f.input(.prompt).text, "1+1=", "good fields keep what was typed")
        XCTAssertTrue(f.messageIsError)
        XCTAssertTrue(f.message?.contains("temperature expected a number, got 'hot' (kept 0.8)") == true, f.message ?? "")
        XCTAssertTrue(f.message?.contains("max tokens must be between 0 and 10000, got -5 (kept 120)") == true, f.message ?? "")
        for (field, text) in [(TextSampling.Field.topK, "-1"), (.seed, "-3"), (.temperature, "nan")] {
            var g = GenerateForm()
            g.setInput(field, TextInput(text))
            XCTAssertNil(g.commit(), "\(field) \(text)")
            XCTAssertEqual(g.input(field).text, GenerateForm.format(field, before))
        }
        // Good values apply; \n in the prompt is a newline.
        f.setInput(.prompt, TextInput("7+8=15\\n1"))
        f.setInput(.temperature, TextInput("0.5"))
        f.setInput(.topK, TextInput("3"))
        f.setInput(.seed, TextInput("42"))
        let s = f.commit()
        XCTAssertEqual(s, TextSampling(prompt: "7+8=15\n1", maxTokens: 120, temperature: 0.5, topK: 3, seed: 42))
        XCTAssertEqual(GenerateForm.format(.prompt, f.settings), "7+8=15\\n1")
    }

    func testTheOverlaySendsTheSettingsAndShowsTheTextAsItArrives() throws {
        let (app, backend) = makeLMApp()
        app.press(.char("G"))
        guard case .generate = app.overlay else { return XCTFail("no generate form") }
        XCTAssertShows(app.draw(), "Generate text")
        app.type("12+")                                  // the prompt field
        app.press(.tab)
        app.press(.ctrl("u"))
        app.type("abc")                                  // max tokens: refused on leaving the field
        app.press(.tab)
        XCTAssertEqual(app.generateForm.input(.maxTokens).text, "120")
        XCTAssertShows(app.draw(), "max tokens expected a whole number, got 'abc' (kept 120)")
        app.press(.backTab, .ctrl("u"))
        app.type("30")
        app.press(.enter)
        let sent = generateCommands(backend.last)
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(sent.first?.0, TextSampling(prompt: "12+", maxTokens: 30, temperature: 0.8, topK: 0, seed: 0))
        let id = try XCTUnwrap(sent.first?.1)
        backend.last.pending = [.generated(.progress(id: id, text: "12+3", tokens: 1))]
        app.tick()
        XCTAssertShows(app.draw(), "sampling: 1 of 30 tokens")
        backend.last.pending = [.generated(.progress(id: id - 1, text: "stale", tokens: 9)),
                                .generated(.finished(id: id, text: "12+34=46\n5+5=10", tokens: 30))]
        app.tick()
        let c = app.draw()
        XCTAssertShows(c, "12+34=46")
        XCTAssertShows(c, "5+5=10")
        XCTAssertShows(c, "30 tokens · seed 0")
        XCTAssertNotShows(c, "stale")
        // The help line names the form's keys; Esc closes it.
        XCTAssertEqual(app.helpLineEntries.pane.map(\.label), App.generateHelp.map(\.label))
        app.press(.escape)
        XCTAssertNil(app.overlay)
    }

    func testANewSampleFollowsEachEpochWhileTheFormIsOpen() throws {
        let (app, backend) = makeLMApp()
        app.press(.char("G"), .enter)
        let first = try XCTUnwrap(generateCommands(backend.last).last?.1)
        backend.last.pending = [.generated(.finished(id: first, text: "1+1=2", tokens: 3)),
                                .training(.stateChanged(.running)), .training(.epochEnded(epochSummary(1, trainLoss: 2, valLoss: nil, valAccuracy: nil)))]
        app.tick()
        XCTAssertEqual(generateCommands(backend.last).count, 2)
        XCTAssertEqual(app.generateForm.origin, "after epoch 1")
        app.press(.ctrl("r"))                            // each epoch off
        backend.last.pending = [.generated(.finished(id: first + 1, text: "1+1=2", tokens: 3)),
                                .training(.epochEnded(epochSummary(2, trainLoss: 2, valLoss: nil, valAccuracy: nil)))]
        app.tick()
        XCTAssertEqual(generateCommands(backend.last).count, 2)
    }

    func testGenerateIsRefusedWithAMessageForModelsThatAreNotLanguageModels() {
        let (app, backend) = makeApp()                    // Shapes10 and LeNet5
        XCTAssertFalse(app.helpLineEntries.global.contains { $0.description == "generate text…" })
        app.press(.char("G"))
        guard case .message(_, let text, true)? = app.overlay else { return XCTFail("no message") }
        XCTAssertTrue(text.contains("is not one"), text)
        XCTAssertTrue(generateCommands(backend.last).isEmpty)
        let (lm, _) = makeLMApp()
        XCTAssertTrue(lm.helpLineEntries.global.contains { $0.description == "generate text…" })
        XCTAssertTrue(lm.menuItems.contains { $0.action == .generate && $0.enabled })
        XCTAssertTrue(app.menuItems.contains { $0.action == .generate && !$0.enabled })
    }

    // MARK: Engine

    func finished(_ events: [SessionEvent], _ id: Int) -> (String, Int)? {
        for e in events {
            if case .generated(.finished(id, let text, let tokens)) = e { return (text, tokens) }
            if case .generated(.failed(id, let why)) = e { XCTFail(why); return ("", -1) }
        }
        return nil
    }

    func lmSession() throws -> TrainingSession {
        let data = try SequenceDatasetSource(task: .languageModeling, path: nil)
        return try EngineBackend(limit: 96).makeSession(model: "char-lstm", dataset: data, seed: 0)
    }

    func testSamplingGivesTheRequestedTokensAndTheSameTextForASeed() throws {
        let s = try lmSession()
        defer { s.close(timeout: 5) }
        let settings = TextSampling(prompt: "12+", maxTokens: 40, temperature: 1, topK: 0, seed: 7)
        s.send(.generate(settings, id: 1))
        s.send(.generate(settings, id: 2))
        var other = settings
        other.seed = 8
        s.send(.generate(other, id: 3))
        let events = collectEvents(s) { self.finished($0, 3) != nil }
        // Requests sent at once: a newer one retires the older, so only the last must finish.
        let last = try XCTUnwrap(finished(events, 3), "no text")
        XCTAssertEqual(last.1, 40)
        XCTAssertTrue(last.0.hasPrefix("12+"), last.0)
        // One at a time: the same seed gives the same text.
        s.send(.generate(settings, id: 4))
        let a = try XCTUnwrap(finished(collectEvents(s) { self.finished($0, 4) != nil }, 4))
        s.send(.generate(settings, id: 5))
        let b = try XCTUnwrap(finished(collectEvents(s) { self.finished($0, 5) != nil }, 5))
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1, 40)
        XCTAssertNotEqual(a.0, last.0, "another seed, another text")
        // Out-of-range settings are refused by the session too.
        s.send(.generate(TextSampling(maxTokens: -1), id: 6))
        let refused = collectEvents(s) { e in e.contains { if case .generated(.failed(6, _)) = $0 { return true } else { return false } } }
        XCTAssertTrue(refused.contains { if case .generated(.failed(6, let why)) = $0 { return why.contains("max tokens") } else { return false } })
    }

    func testSamplingWhileTheRunTrainsLeavesTheRunGoing() throws {
        let s = try lmSession()
        defer { s.close(timeout: 10) }
        var h = TrainingConfig.editorDefaults
        h.epochs = 50
        h.batchSize = 16
        h.optimizer = .adam
        h.lr = 0.003
        s.send(.start(h))
        var events = collectEvents(s) { stepInfos($0).count >= 3 }
        XCTAssertGreaterThanOrEqual(stepInfos(events).count, 3, "the run did not start")
        let settings = TextSampling(prompt: "3+4=", maxTokens: 25, temperature: 0.8, topK: 5, seed: 1)
        s.send(.generate(settings, id: 1))
        events = collectEvents(s) { self.finished($0, 1) != nil }
        let text = try XCTUnwrap(finished(events, 1), "no text while training")
        XCTAssertEqual(text.1, 25)
        XCTAssertTrue(text.0.hasPrefix("3+4="), text.0)
        XCTAssertFalse(trainingEvents(events).contains { if case .stateChanged(let st) = $0 { return !st.isActive } else { return false } },
                       "the run stopped or failed while sampling")
        // The run goes on after the sample.
        let after = collectEvents(s) { stepInfos($0).count >= 2 }
        XCTAssertGreaterThanOrEqual(stepInfos(after).count, 2)
        s.send(.stop)
    }
}
