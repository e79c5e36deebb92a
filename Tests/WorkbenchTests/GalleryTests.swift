import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The misclassification gallery: per-sample wrong predictions with top-3 probabilities,
/// collected during an evaluation, shown per confusion-matrix cell.
final class GalleryTests: XCTestCase {
    func testCollectKeepsOnlyWrongPredictionsWithSoftmaxTopThree() {
        // Row 0: class 2 wins (true 2, right). Row 1: class 0 wins, true 1 (wrong). Row 2: tie 1/3, true 3 → argmax 1 (first).
        let logits = Tensor([0, 1, 3, 0,
                             2, 1, 0, 0,
                             0, 5, 0, 5], shape: [3, 4])
        let m = Misclassification.collect(logits: logits, labels: IntTensor([2, 1, 3], shape: [3]), offset: 10)
        XCTAssertEqual(m.map(\.index), [11, 12])
        XCTAssertEqual(m.map(\.truth), [1, 3])
        XCTAssertEqual(m.map(\.predicted), [0, 1])
        XCTAssertEqual(m[0].top.map(\.label), [0, 1, 2])
        // softmax([2, 1, 0, 0]) as torch.softmax computes it.
        let e = [exp(2.0), exp(1.0), 1.0, 1.0], s = e.reduce(0, +)
        for (g, want) in zip(m[0].top, e.prefix(3).map { $0 / s }) { XCTAssertEqual(g.probability, want, accuracy: 1e-6) }
        XCTAssertEqual(m[1].top.map(\.label), [1, 3, 0])
    }

    func testTheEngineSessionReportsTheMisclassifiedTestSamplesOfAnEvaluation() throws {
        let s = try EngineBackend(limit: 64).makeSession(model: "lenet5", dataset: SyntheticShapesDataset(trainCount: 100, testCount: 20), seed: 0)
        defer { s.close(timeout: 10) }
        s.send(.evaluate)
        let events = collectEvents(s) { e in e.contains { if case .misclassified = $0 { return true } else { return false } } }
        guard let cm = evaluations(events).last?.confusion else { return XCTFail("no evaluation") }
        guard case .misclassified(let wrong)? = events.last else { return XCTFail("no gallery samples") }
        let correct = (0..<cm.classes).map { cm[$0, $0] }.reduce(0, +)
        XCTAssertEqual(wrong.count, cm.total - correct)
        for t in 0..<cm.classes {
            for p in 0..<cm.classes where p != t {
                XCTAssertEqual(wrong.filter { $0.truth == t && $0.predicted == p }.count, cm[t, p], "cell \(t),\(p)")
            }
        }
        XCTAssertEqual(Set(wrong.map(\.index)).count, wrong.count)
        XCTAssertTrue(wrong.allSatisfy { $0.index < 64 && $0.top.count == 3 && $0.top[0].label == $0.predicted })
        XCTAssertTrue(wrong.allSatisfy { $0.top.map(\.probability) == $0.top.map(\.probability).sorted(by: >) })
    }

    func testSelectingAConfusionCellOpensItsGallery() {
        let (app, backend) = makeApp(width: 120, height: 40)
        var cm = ConfusionMatrix(classes: 10)
        cm.add(truth: 0, predicted: 3)
        cm.add(truth: 0, predicted: 3)
        cm.add(truth: 1, predicted: 1)
        let guesses = [Misclassification.Guess(label: 3, probability: 0.61), .init(label: 0, probability: 0.3), .init(label: 5, probability: 0.05)]
        backend.last.pending = [
            .training(.evaluated(Evaluation(split: "test", loss: 1, metrics: ["accuracy": 1.0 / 3], confusion: cm, samples: 3))),
            .misclassified([Misclassification(index: 4, truth: 0, predicted: 3, top: guesses),
                            Misclassification(index: 9, truth: 0, predicted: 3, top: guesses)]),
        ]
        app.tick()
        XCTAssertEqual(app.misclassified.count, 2)
        app.press(.char("1"))
        while app.datasetPane.view != .confusion { app.press(.char("v")) }
        XCTAssertShows(app.draw(), "Enter: its misclassified images")
        // From (0, 1) two cells right: true circle, predicted cross.
        app.press(.right, .right, .enter)
        XCTAssertEqual(app.overlayName, "gallery")
        let screen = app.draw()
        XCTAssertShows(screen, "true circle → predicted cross")
        XCTAssertShows(screen, "2 test images")
        XCTAssertShows(screen, "#4")
        XCTAssertShows(screen, "#9")
        XCTAssertShows(screen, "cross 61%")
        XCTAssertShows(screen, "circle 30%")
        // ← moves to another predicted class of the same row; the diagonal explains itself.
        app.press(.left, .left, .left)
        XCTAssertShows(app.draw(), "the diagonal holds the correct predictions")
        app.press(.escape)
        XCTAssertNil(app.overlayName)
    }
}
