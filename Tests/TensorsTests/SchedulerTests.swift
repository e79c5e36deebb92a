import Foundation
import XCTest
@testable import Tensors

/// Learning-rate schedulers against values recorded from PyTorch
/// (Tests/Fixtures/optim/generate_optim_fixtures.py, `scheduler_lrs.json`).
final class SchedulerTests: XCTestCase {
    private struct Case {
        var lrs: [[Double]]
        var momentum: [[Double]]?
        var metrics: [Double]?
    }

    private static let cases: [String: Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/optim/scheduler_lrs.json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["cases"] as? [[String: Any]] else { return [:] }
        var out: [String: Case] = [:]
        for c in list {
            guard let name = c["name"] as? String else { continue }
            out[name] = Case(lrs: c["lrs"] as? [[Double]] ?? [],
                             momentum: c["momentum"] as? [[Double]],
                             metrics: c["metrics"] as? [Double])
        }
        return out
    }()

    /// Two groups like the fixture script: lr 0.1 and 0.05.
    private func twoGroups(momentum: Double = 0) throws -> SGD {
        try SGD(groups: [ParamGroup([Tensor.zeros([1]).requiringGrad()]),
                         ParamGroup([Tensor.zeros([1]).requiringGrad()], lr: 0.05)], lr: 0.1, momentum: momentum)
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertLessThanOrEqual(abs(x - y), 1e-14 * max(abs(y), 1e-3), "\(what): \(a) vs \(b)", file: file, line: line)
        }
    }

    /// Steps `scheduler` through the fixture `name`, comparing the learning rates (and momentum) after every step.
    private func check(_ name: String, _ scheduler: LRScheduler, momentum: ((Optimizer) -> [Double])? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let c = try XCTUnwrap(Self.cases[name], "fixture case \(name)", file: file, line: line)
        XCTAssertGreaterThan(c.lrs.count, 10)
        for (i, expected) in c.lrs.enumerated() {
            if i > 0 { scheduler.optimizer.step(); scheduler.step() }
            assertClose(scheduler.lastLR, expected, "\(name) after \(i) steps", file: file, line: line)
            assertClose(scheduler.optimizer.paramGroups.map { $0.lr }, expected, "\(name) group lr", file: file, line: line)
            if let momentum, let m = c.momentum?[i] {
                assertClose(momentum(scheduler.optimizer), m, "\(name) momentum after \(i) steps", file: file, line: line)
            }
        }
    }

    func testStepLR() throws {
        try check("step", StepLR(twoGroups(), stepSize: 3, gamma: 0.5))
    }

    func testMultiStepLRWithRepeatedMilestone() throws {
        try check("multistep", MultiStepLR(twoGroups(), milestones: [2, 5, 5, 9], gamma: 0.3))
    }

    func testExponentialLR() throws {
        try check("exponential", ExponentialLR(twoGroups(), gamma: 0.9))
    }

    func testCosineAnnealingLRPastTMax() throws {
        try check("cosine", CosineAnnealingLR(twoGroups(), tMax: 6, etaMin: 0.001))
    }

    func testLinearLRWarmupAndDecay() throws {
        try check("linear", LinearLR(twoGroups(), startFactor: 0.25, endFactor: 1.0, totalIters: 4))
        try check("linear_decay", LinearLR(twoGroups(), startFactor: 1.0, endFactor: 0.1, totalIters: 7))
    }

    func testOneCycleLRCyclesMomentum() throws {
        let opt = try twoGroups(momentum: 0.9)
        try check("onecycle_cos", OneCycleLR(opt, maxLR: 1.0, totalSteps: 20)) { o in
            o.paramGroups.map { $0.momentum ?? .nan }
        }
    }

    func testOneCycleLRThreePhaseLinearWithAdamBetas() throws {
        let opt = try Adam(groups: [ParamGroup([Tensor.zeros([1]).requiringGrad()]),
                                    ParamGroup([Tensor.zeros([1]).requiringGrad()], lr: 0.05)], lr: 0.1)
        let s = try OneCycleLR(opt, maxLR: [0.5, 0.2], totalSteps: 15, pctStart: 0.4, annealStrategy: .linear,
                               threePhase: true)
        try check("onecycle_linear_three_phase_adam", s) { o in o.paramGroups.map { $0.betas?.0 ?? .nan } }
        // Past the end PyTorch raises; we hold the final value, min_lr = max_lr / 25 / 1e4.
        s.step(); s.step()
        XCTAssertEqual(s.lastLR[0], 0.5 / 25 / 1e4, accuracy: 1e-15)
        XCTAssertEqual(s.lastLR[1], 0.2 / 25 / 1e4, accuracy: 1e-15)
    }

    func testReduceLROnPlateauMinRelative() throws {
        let c = try XCTUnwrap(Self.cases["plateau_min_rel"])
        let s = try ReduceLROnPlateau(twoGroups(), mode: .min, factor: 0.5, patience: 2, threshold: 0.01,
                                      cooldown: 1, minLR: 0.01)
        assertClose(s.lastLR, c.lrs[0], "initial")
        for (i, m) in (c.metrics ?? []).enumerated() {
            s.step(m)
            assertClose(s.lastLR, c.lrs[i + 1], "plateau_min_rel after \(i + 1) epochs")
        }
    }

    func testReduceLROnPlateauMaxAbsolutePerGroupMinimum() throws {
        let c = try XCTUnwrap(Self.cases["plateau_max_abs"])
        let s = try ReduceLROnPlateau(twoGroups(), mode: .max, factor: 0.1, patience: 1, threshold: 0.05,
                                      thresholdMode: .abs, minLRs: [0.0, 0.001])
        for (i, m) in (c.metrics ?? []).enumerated() {
            s.step(m)
            assertClose(s.lastLR, c.lrs[i + 1], "plateau_max_abs after \(i + 1) epochs")
        }
    }

    // MARK: Closed form, state and validation

    func testClosedFormMatchesRecursiveForm() throws {
        let a = try CosineAnnealingLR(twoGroups(), tMax: 10, etaMin: 0.01)
        for _ in 0..<7 { a.step() }
        let b = try CosineAnnealingLR(twoGroups(), tMax: 10, etaMin: 0.01)
        b.step(epoch: 7)
        for (x, y) in zip(a.lastLR, b.lastLR) { XCTAssertEqual(x, y, accuracy: 1e-12) }

        let s = try StepLR(twoGroups(), stepSize: 2, gamma: 0.1)
        s.step(epoch: 5)
        XCTAssertEqual(s.lastLR[0], 0.1 * 0.01, accuracy: 1e-15)  // 5 // 2 = 2 decays
        let m = try MultiStepLR(twoGroups(), milestones: [1, 3, 3], gamma: 0.5)
        m.step(epoch: 3)
        XCTAssertEqual(m.lastLR[1], 0.05 * 0.125, accuracy: 1e-15)
    }

    func testSchedulerStateResumesExactly() throws {
        let opt = try twoGroups()
        let s = try CosineAnnealingLR(opt, tMax: 8, etaMin: 0.001)
        for _ in 0..<3 { s.step() }
        let optState = opt.stateDict()
        let saved = s.stateDict()
        for _ in 0..<4 { s.step() }

        // Rebuild like a resumed run: optimizer state first (it carries initial_lr), then the scheduler.
        let opt2 = try twoGroups()
        try opt2.loadStateDict(optState)
        let s2 = try CosineAnnealingLR(opt2, tMax: 8, etaMin: 0.001)
        try s2.loadStateDict(saved)
        XCTAssertEqual(s2.lastEpoch, 3)
        for _ in 0..<4 { s2.step() }
        XCTAssertEqual(s2.lastLR, s.lastLR)
        XCTAssertEqual(opt2.paramGroups.map { $0.lr }, opt.paramGroups.map { $0.lr })

        XCTAssertThrowsError(try StepLR(opt2, stepSize: 1).loadStateDict(saved)) { e in
            XCTAssertEqual((e as? OptimizerError)?.message, "loaded scheduler state is for CosineAnnealingLR but this scheduler is StepLR")
        }

        let p = try ReduceLROnPlateau(twoGroups(), patience: 0)
        p.step(1); p.step(2)
        let ps = p.stateDict()
        let p2 = try ReduceLROnPlateau(twoGroups(), patience: 0)
        try p2.loadStateDict(ps)
        XCTAssertEqual(p2.best, 1)
        XCTAssertEqual(p2.lastEpoch, 2)
        XCTAssertEqual(p2.stateDict(), ps)
    }

    func testResumingWithoutInitialLRThrows() throws {
        XCTAssertThrowsError(try StepLR(twoGroups(), stepSize: 2, lastEpoch: 4)) { e in
            XCTAssertEqual((e as? OptimizerError)?.message,
                           "param 'initial_lr' is not specified in param_groups[0] when resuming scheduler with last_epoch >= 0")
        }
    }

    func testValidationMessages() throws {
        func message(_ body: () throws -> Any) -> String? {
            do { _ = try body(); return nil } catch { return (error as? OptimizerError)?.message }
        }
        XCTAssertEqual(message { try ReduceLROnPlateau(self.twoGroups(), factor: 1.0) }, "Factor should be < 1.0.")
        XCTAssertEqual(message { try ReduceLROnPlateau(self.twoGroups(), minLRs: [0]) }, "expected 2 min_lrs, got 1")
        XCTAssertEqual(message { try LinearLR(self.twoGroups(), startFactor: 0) },
                       "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        XCTAssertEqual(message { try LinearLR(self.twoGroups(), endFactor: 1.5) },
                       "Ending multiplicative factor expected to be between 0 and 1.")
        XCTAssertEqual(message { try StepLR(self.twoGroups(), stepSize: 0) },
                       "StepLR: step_size must be a positive integer, got 0")
        XCTAssertEqual(message { try OneCycleLR(self.twoGroups(), maxLR: 1) },
                       "You must define either total_steps OR (epochs AND steps_per_epoch)")
        XCTAssertEqual(message { try OneCycleLR(self.twoGroups(), maxLR: 1, totalSteps: 0) },
                       "Expected positive integer total_steps, but got 0")
        XCTAssertEqual(message { try OneCycleLR(self.twoGroups(), maxLR: [1, 2, 3], totalSteps: 5) },
                       "expected 2 values for max_lr, got 3")
        XCTAssertEqual(message { try OneCycleLR(self.twoGroups(), maxLR: 1, epochs: 2, stepsPerEpoch: 0) },
                       "Expected positive integer steps_per_epoch, but got 0")
        let s = try OneCycleLR(twoGroups(momentum: 0.9), maxLR: 1, epochs: 2, stepsPerEpoch: 5)
        XCTAssertEqual(s.totalSteps, 10)
    }
}
