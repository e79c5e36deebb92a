import Foundation
import XCTest
@testable import Tensors
@testable import WorkbenchRuns

/// The LR range test and the sweep space.
final class TuningTests: XCTestCase {
    func testTheSweepLRsAreExponentialFromMinToMax() throws {
        let t = try LRRangeTest(minLR: 1e-4, maxLR: 1, steps: 5)
        let lrs = (0..<5).map(t.lr(at:))
        for (a, b) in zip(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1]) { XCTAssertEqual(a, b, accuracy: b * 1e-12) }
        XCTAssertThrowsError(try LRRangeTest(minLR: 1, maxLR: 0.1)) { XCTAssertTrue("\($0)".contains("--max-lr"), "\($0)") }
        XCTAssertThrowsError(try LRRangeTest(minLR: 0)) { XCTAssertTrue("\($0)".contains("--min-lr"), "\($0)") }
        XCTAssertThrowsError(try LRRangeTest(steps: 2)) { XCTAssertTrue("\($0)".contains("--steps"), "\($0)") }
    }

    func testTheSuggestionIsTheSteepestDescentBeforeTheMinimum() {
        // Flat, then a fall steepest around lr 1e-2, a minimum at 1e-1, then a blow-up.
        var points: [LRRangeTest.Point] = []
        for i in 0..<50 {
            let x = -6 + Double(i) * 0.125           // log10 lr from -6 to 0.125
            let y = x < -1 ? 2 - 1 / (1 + exp(-4 * (x + 2))) : 1 + (x + 1) * (x + 1) * 4
            points.append(.init(step: i + 1, lr: pow(10, x), loss: y, smoothed: y))
        }
        let s = try? XCTUnwrap(LRRangeTest.suggest(points))
        XCTAssertEqual(log10(s ?? 0), -2, accuracy: 0.13)
        // A curve that only rises has no suggestion.
        let rising = (0..<20).map { LRRangeTest.Point(step: $0 + 1, lr: pow(10, Double($0) / 4 - 5), loss: Double($0), smoothed: Double($0)) }
        XCTAssertNil(LRRangeTest.suggest(rising))
    }

    func testNoiseOnAFlatSweepGivesNoSuggestionAndDoesNotMoveARealOne() {
        // A 100-step sweep that stays flat (±0.3 % jitter) until it blows up, as LeNet5 on
        // CIFAR-10 does at batch 16: neighbour differences of the jitter used to be taken for
        // the steepest descent (5e-6 suggested).
        let g = Generator(seed: 5)
        func jitter() -> Double { (g.nextDouble() - 0.5) * 0.014 }
        let flat = (0..<100).map { i -> LRRangeTest.Point in
            let x = -6 + Double(i) * 0.06
            let y = (x < -0.6 ? 2.30 : 2.30 + (x + 0.6) * 2) + jitter()
            return .init(step: i + 1, lr: pow(10, x), loss: y, smoothed: y)
        }
        XCTAssertNil(LRRangeTest.suggest(flat))
        // The same jitter on a real descent around 1e-2 leaves the suggestion there.
        let falling = (0..<100).map { i -> LRRangeTest.Point in
            let x = -6 + Double(i) * 0.06
            let y = (x < -1 ? 2.3 - 0.8 / (1 + exp(-4 * (x + 2))) : 1.5 + (x + 1) * (x + 1) * 4) + jitter()
            return .init(step: i + 1, lr: pow(10, x), loss: y, smoothed: y)
        }
        let s = LRRangeTest.suggest(falling)
        XCTAssertEqual(log10(s ?? 0), -2, accuracy: 0.35)
    }

    func testARealSweepRaisesTheLREveryStepAndStops() throws {
        var c = TrainingConfig()
        c.limit = 256
        c.numWorkers = 0
        c.valSize = 0
        c.epochs = 1000
        let t = try LRRangeTest(minLR: 1e-5, maxLR: 1, steps: 20)
        c.lr = t.minLR
        let engine = try TrainingSetup(config: c).makeEngine()
        let r = t.run(on: engine)
        XCTAssertEqual(r.points.count, 20)
        for (i, p) in r.points.enumerated() { XCTAssertEqual(p.lr, t.lr(at: i), accuracy: t.lr(at: i) * 1e-9, "step \(i + 1)") }
        XCTAssertEqual(engine.state, .stopped)
        XCTAssertEqual(engine.globalStep, 20)
    }

    func testGridIsEveryCombinationAndErrorsNameTheTerm() throws {
        let s = try SweepSpace(["lr=1e-3,3e-3", "batch=16,64"])
        let g = try s.grid().map { $0.map { "\($0)=\($1)" }.joined(separator: " ") }
        XCTAssertEqual(g, ["lr=1e-3 batch=16", "lr=1e-3 batch=64", "lr=3e-3 batch=16", "lr=3e-3 batch=64"])
        var c = TrainingConfig()
        for (k, v) in try s.grid()[3] { try SweepSpace.apply(k, v, to: &c) }
        XCTAssertEqual(c.lr, 3e-3)
        XCTAssertEqual(c.batchSize, 64)
        XCTAssertThrowsError(try SweepSpace(["lr"])) { XCTAssertTrue("\($0)".contains("expected NAME=V1,V2"), "\($0)") }
        XCTAssertThrowsError(try SweepSpace(["depth=3"])) { XCTAssertTrue("\($0)".contains("unknown setting 'depth'"), "\($0)") }
        XCTAssertThrowsError(try SweepSpace(["batch=16,big"])) { XCTAssertTrue("\($0)".contains("batch=big"), "\($0)") }
        XCTAssertThrowsError(try SweepSpace(["lr=1:0.1"])) { XCTAssertTrue("\($0)".contains("LOW < HIGH"), "\($0)") }
        XCTAssertThrowsError(try SweepSpace(["lr=1e-4:1e-1"]).grid()) { XCTAssertTrue("\($0)".contains("--random"), "\($0)") }
    }

    func testRandomSearchIsSeededAndInRange() throws {
        let s = try SweepSpace(["lr=1e-4:1e-1", "optimizer=sgd,adam"])
        let a = s.random(50, seed: 7), b = s.random(50, seed: 7), other = s.random(50, seed: 8)
        XCTAssertEqual(a.description, b.description)
        XCTAssertNotEqual(a.description, other.description)
        let lrs = a.compactMap { Double($0[0].1) }
        XCTAssertEqual(lrs.count, 50)
        XCTAssertTrue(lrs.allSatisfy { $0 >= 1e-4 * 0.999 && $0 <= 1e-1 * 1.001 }, "\(lrs)")
        XCTAssertTrue(lrs.contains { $0 < 1e-3 } && lrs.contains { $0 > 1e-2 }, "log-uniform draws cover the decades: \(lrs)")
        XCTAssertEqual(Set(a.map { $0[1].1 }), ["sgd", "adam"])
    }
}
