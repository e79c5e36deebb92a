import XCTest
@testable import Tensors

/// Per-class precision/recall/F1 against figures worked by hand (as sklearn's classification_report).
final class ClassReportTests: XCTestCase {
    func testPrecisionRecallF1AndMacroAverages() {
        var m = ConfusionMatrix(classes: 4)
        let rows = [[5, 1, 0, 0], [2, 3, 1, 0], [0, 0, 4, 0], [0, 0, 0, 0]]
        for (t, row) in rows.enumerated() { for (p, n) in row.enumerated() { for _ in 0..<n { m.add(truth: t, predicted: p) } } }
        let r = ClassReport(m)
        let expected: [(Double, Double, Double, Int)] = [(5.0 / 7, 5.0 / 6, 50.0 / 65, 6), (0.75, 0.5, 0.6, 6), (0.8, 1, 1.6 / 1.8, 4), (0, 0, 0, 0)]
        for (row, e) in zip(r.rows, expected) {
            XCTAssertEqual(row.precision, e.0, accuracy: 1e-12)
            XCTAssertEqual(row.recall, e.1, accuracy: 1e-12)
            XCTAssertEqual(row.f1, e.2, accuracy: 1e-12)
            XCTAssertEqual(row.support, e.3)
        }
        XCTAssertEqual(r.macro.precision, (5.0 / 7 + 0.75 + 0.8) / 4, accuracy: 1e-12)
        XCTAssertEqual(r.macro.f1, (50.0 / 65 + 0.6 + 1.6 / 1.8) / 4, accuracy: 1e-12)
        let t = r.table(names: ["circle", "square", "ring", "empty"]).split(separator: "\n")
        XCTAssertEqual(t.count, 6)
        XCTAssertEqual(String(t[1]), "circle          0.7143    0.8333    0.7692         6")
        XCTAssertTrue(t[5].hasPrefix("macro avg"))
    }
}
