import Tensors
import XCTest
@testable import WorkbenchCore

/// The scheduler in the hyperparameter pane: chosen with ←/→, its arguments
/// edited inline (bad ones refused, the old value kept), the lr curve of the
/// planned run drawn under the fields, and the choice sent with the next run.
final class SchedulerEditorTests: XCTestCase {
    func testChooseASchedulerEditItsArgumentsAndSeeTheCurve() throws {
        let (app, backend) = makeApp(width: 120, height: 40)
        app.press(.char("4"))
        let schedulerRow = try XCTUnwrap(HyperparameterField.allCases.firstIndex(of: .scheduler))
        for _ in 0..<schedulerRow { app.press(.down) }
        XCTAssertShows(app.draw(), "none ◂▸")
        app.press(.right)
        XCTAssertEqual(app.hyper.scheduler?.kind, .steplr)
        // The required argument is filled in for the planned 10 epochs.
        XCTAssertEqual(app.hyper.scheduler?.arguments, ["step_size": "3"])
        var c = app.draw()
        XCTAssertShows(c, "StepLR ◂▸")
        XCTAssertShows(c, "step_size=3")
        XCTAssertShows(c, "0.001 → 1e-06 over 10 epochs")
        XCTAssertShows(c, "lr █")

        // Arguments: a bad one is refused and the old ones kept.
        app.press(.down, .enter, .ctrl("u"))
        app.type("step_size=2,gama=0.5")
        app.press(.enter)
        XCTAssertShows(app.draw(), "StepLR has no argument 'gama'")
        XCTAssertEqual(app.hyper.scheduler?.arguments, ["step_size": "3"])
        app.press(.ctrl("u"))
        app.type("step_size=5,gamma=0.5")
        app.press(.enter)
        XCTAssertEqual(app.hyper.scheduler, SchedulerChoice(kind: .steplr, arguments: ["step_size": "5", "gamma": "0.5"]))
        c = app.draw()
        XCTAssertShows(c, "0.001 → 0.0005 over 10 epochs")

        // Cycling back to none drops it; the next run carries the choice.
        app.press(.up, .right)
        XCTAssertEqual(app.hyper.scheduler?.kind, .multisteplr)
        app.press(.char("s"))
        var expected = TrainingConfig.editorDefaults
        expected.scheduler = app.hyper.scheduler
        XCTAssertEqual(backend.last.commands, [.start(expected)])
        let all = SchedulerKind.allCases.count
        for _ in 0..<(all - 1) { app.press(.right) }   // from MultiStepLR (the 3rd of none + all) round to none
        XCTAssertNil(app.hyper.scheduler)
        XCTAssertShows(app.draw(), "none ◂▸")
    }

    func testPreviewOfPerBatchSchedulersUsesThePlannedSteps() throws {
        var h = TrainingConfig.editorDefaults
        h.epochs = 2
        h.scheduler = try SchedulerChoice(name: "onecyclelr", arguments: "max_lr=0.01")
        let lines = HyperparameterPane.lrPreview(h, stepsPerEpoch: 25, width: 40)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0].count, 40)
        XCTAssertTrue(lines[0].hasPrefix("lr ▁"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("0.0004 → "), lines[1])
        XCTAssertTrue(lines[1].contains("over 50 steps"), lines[1])
        h.scheduler = nil
        XCTAssertEqual(HyperparameterPane.lrPreview(h, stepsPerEpoch: 25, width: 40), [])
        XCTAssertEqual(Sparkline.text([1, 1, 0, 0], width: 4), "██▁▁")
        XCTAssertEqual(Sparkline.text([2, 2], width: 8), "▅▅")
        XCTAssertEqual(Sparkline.text([], width: 8), "")
    }
}
