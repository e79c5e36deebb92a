import Foundation
import XCTest
@testable import Tensors

/// The schedulers beyond the first seven, against `scheduler_lrs.json`
/// (Tests/Fixtures/optim/generate_optim_fixtures.py), plus state dicts and the `SchedulerKind` registry.
final class SchedulerCatalogueTests: XCTestCase {
    private struct Case {
        var lrs: [[Double]]
        var momentum: [[Double]]?
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
            out[name] = Case(lrs: c["lrs"] as? [[Double]] ?? [], momentum: c["momentum"] as? [[Double]])
        }
        return out
    }()

    private func twoGroups(momentum: Double = 0) throws -> SGD {
        try SGD(groups: [ParamGroup([Tensor.zeros([1]).requiringGrad()]),
                         ParamGroup([Tensor.zeros([1]).requiringGrad()], lr: 0.05)], lr: 0.1, momentum: momentum)
    }

    private func twoGroupsAdam() throws -> Adam {
        try Adam(groups: [ParamGroup([Tensor.zeros([1]).requiringGrad()]),
                          ParamGroup([Tensor.zeros([1]).requiringGrad()], lr: 0.05)], lr: 0.1)
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertLessThanOrEqual(abs(x - y), 1e-14 * max(abs(y), 1e-3), "\(what): \(a) vs \(b)", file: file, line: line)
        }
    }

    /// Steps through fixture `name` with `step`, comparing the learning rates (and momentum) after every step.
    private func check(_ name: String, _ scheduler: any LearningRateScheduler, momentum: ((Optimizer) -> [Double])? = nil,
                       file: StaticString = #filePath, line: UInt = #line, step: () -> Void) throws {
        let c = try XCTUnwrap(Self.cases[name], "fixture case \(name)", file: file, line: line)
        XCTAssertGreaterThan(c.lrs.count, 10, file: file, line: line)
        for (i, expected) in c.lrs.enumerated() {
            if i > 0 { scheduler.optimizer.step(); step() }
            assertClose(scheduler.lastLR, expected, "\(name) after \(i) steps", file: file, line: line)
            assertClose(scheduler.optimizer.paramGroups.map { $0.lr }, expected, "\(name) group lr", file: file, line: line)
            if let momentum, let m = c.momentum?[i] {
                assertClose(momentum(scheduler.optimizer), m, "\(name) momentum after \(i) steps", file: file, line: line)
            }
        }
    }

    private func check(_ name: String, _ s: LRScheduler, momentum: ((Optimizer) -> [Double])? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        try check(name, s, momentum: momentum, file: file, line: line) { s.step() }
    }

    func testFactorSchedulersMatchPyTorch() throws {
        try check("lambda", LambdaLR(twoGroups()) { Foundation.pow(0.9, Double($0)) })
        try check("lambda_per_group", LambdaLR(twoGroups(), lambdas: [{ 1 / Double($0 + 1) }, { 0.5 + 0.1 * Double($0) }]))
        try check("multiplicative", MultiplicativeLR(twoGroups()) { _ in 0.95 })
        try check("constant", ConstantLR(twoGroups(), factor: 0.5, totalIters: 4))
        try check("polynomial", PolynomialLR(twoGroups(), totalIters: 6, power: 2))
    }

    func testCyclicAndWarmRestartsMatchPyTorch() throws {
        try check("cyclic_triangular", CyclicLR(twoGroups(momentum: 0.9), baseLR: 0.01, maxLR: 0.1, stepSizeUp: 3,
                                                stepSizeDown: 2)) { o in o.paramGroups.map { $0.momentum ?? .nan } }
        try check("cyclic_triangular2", CyclicLR(twoGroups(), baseLR: 0.01, maxLR: 0.1, stepSizeUp: 2, mode: .triangular2,
                                                 cycleMomentum: false))
        try check("cyclic_exp_range_adam", CyclicLR(twoGroupsAdam(), baseLR: [0.001, 0.002], maxLR: [0.01, 0.05],
                                                    stepSizeUp: 3, mode: .expRange, gamma: 0.9)) { o in
            o.paramGroups.map { $0.betas?.0 ?? .nan }
        }
        try check("warm_restarts", CosineAnnealingWarmRestarts(twoGroups(), t0: 3, tMult: 2, etaMin: 0.001))
        try check("warm_restarts_mult1", CosineAnnealingWarmRestarts(twoGroups(), t0: 4))
        // Stepping with epochs gives the same values as stepping one at a time (PyTorch's closed form).
        let a = try CosineAnnealingWarmRestarts(twoGroups(), t0: 3, tMult: 2, etaMin: 0.001)
        let b = try CosineAnnealingWarmRestarts(twoGroups(), t0: 3, tMult: 2, etaMin: 0.001)
        for e in 1..<20 {
            a.step()
            b.step(epoch: Double(e))
            assertClose(a.lastLR, b.lastLR, "epoch \(e)")
        }
        b.step(epoch: 4.5)
        XCTAssertEqual(b.tCur, 1.5)
        XCTAssertEqual(b.tI, 6)
    }

    func testCompositeSchedulersMatchPyTorch() throws {
        let o1 = try twoGroups()
        let seq = try SequentialLR(o1, schedulers: [LinearLR(o1, startFactor: 0.1, totalIters: 3), ExponentialLR(o1, gamma: 0.8)],
                                   milestones: [3])
        try check("sequential", seq) { seq.step() }
        let o2 = try twoGroups()
        let three = try SequentialLR(o2, schedulers: [ConstantLR(o2, factor: 0.5, totalIters: 2), CosineAnnealingLR(o2, tMax: 4),
                                                      StepLR(o2, stepSize: 2, gamma: 0.5)], milestones: [3, 8])
        try check("sequential_three", three) { three.step() }
        let o3 = try twoGroups()
        let chained = try ChainedScheduler([ConstantLR(o3, factor: 0.1, totalIters: 2), ExponentialLR(o3, gamma: 0.9)])
        try check("chained", chained) { chained.step() }
    }

    func testStateDictsResumeExactly() throws {
        func run(resumeAt: Int?, _ make: (Optimizer) throws -> any LearningRateScheduler) throws -> [Double] {
            var opt = try twoGroups(momentum: 0.9)
            var s = try make(opt)
            var out: [Double] = []
            for i in 0..<15 {
                if i == resumeAt {
                    let saved = s.stateDict(), savedOpt = opt.stateDict()
                    opt = try twoGroups(momentum: 0.9)
                    try opt.loadStateDict(savedOpt)
                    s = try make(opt)
                    try s.loadStateDict(saved)
                    opt.paramGroups = opt.paramGroups.enumerated().map { i, g in
                        var g = g
                        g.lr = saved.lists["_last_lr"]?[i] ?? g.lr
                        return g
                    }
                }
                switch s {
                case let x as LRScheduler: x.step()
                case let x as SequentialLR: x.step()
                case let x as ChainedScheduler: x.step()
                default: XCTFail("unexpected scheduler")
                }
                out += s.lastLR
            }
            return out
        }
        let makers: [(Optimizer) throws -> any LearningRateScheduler] = [
            { try CyclicLR($0, baseLR: 0.01, maxLR: 0.1, stepSizeUp: 3) },
            { try CosineAnnealingWarmRestarts($0, t0: 3, tMult: 2) },
            { try PolynomialLR($0, totalIters: 8, power: 1.5) },
            { o in try SequentialLR(o, schedulers: [LinearLR(o, startFactor: 0.1, totalIters: 3), ExponentialLR(o, gamma: 0.8)],
                                    milestones: [3]) },
            { o in try ChainedScheduler([ConstantLR(o, factor: 0.1, totalIters: 2), ExponentialLR(o, gamma: 0.9)]) },
        ]
        for make in makers {
            let straight = try run(resumeAt: nil, make)
            XCTAssertEqual(straight, try run(resumeAt: 7, make))
        }
    }

    func testValidationMessages() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try ConstantLR(self.twoGroups(), factor: 1.5) },
                       "Constant multiplicative factor expected to be between 0 and 1.")
        XCTAssertEqual(message { try CosineAnnealingWarmRestarts(self.twoGroups(), t0: 0) }, "Expected positive integer T_0, but got 0")
        XCTAssertEqual(message { try CosineAnnealingWarmRestarts(self.twoGroups(), t0: 2, tMult: 0) },
                       "Expected integer T_mult >= 1, but got 0")
        XCTAssertEqual(message { try LambdaLR(self.twoGroups(), lambdas: [{ _ in 1 }]) }, "Expected 2 lr_lambdas, but got 1")
        let sgd = try SGD([Tensor.zeros([1]).requiringGrad()], lr: 0.1)
        XCTAssertEqual(message { try CyclicLR(Adagrad([Tensor.zeros([1]).requiringGrad()]), baseLR: 0.1, maxLR: 1) },
                       "optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
        XCTAssertTrue(message { try SequentialLR(sgd, schedulers: [StepLR(sgd, stepSize: 2)], milestones: [3]) }
            .hasPrefix("Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points"))
        XCTAssertEqual(message { try ChainedScheduler([]) },
                       "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        let other = try SGD([Tensor.zeros([1]).requiringGrad()], lr: 0.1)
        XCTAssertTrue(message { try ChainedScheduler([StepLR(sgd, stepSize: 2), StepLR(other, stepSize: 2)]) }
            .contains("expects all schedulers to belong to the same optimizer"))
    }

    func testRegistryBuildsFromTextArguments() throws {
        XCTAssertEqual(try SchedulerKind.parseArguments("step_size=5 gamma=0.5"), ["step_size": "5", "gamma": "0.5"])
        XCTAssertThrowsError(try SchedulerKind.parseArguments("step_size 5"))
        let s = try SchedulerKind(name: "StepLR").make(twoGroups(), arguments: ["step_size": "2", "gamma": "0.5"])
        let step = try XCTUnwrap(s as? StepLR)
        XCTAssertEqual(step.stepSize, 2)
        XCTAssertEqual(step.gamma, 0.5)
        // Every kind builds from its required arguments alone (defaults fill the rest).
        let required: [SchedulerKind: [String: String]] = [
            .steplr: ["step_size": "3"], .multisteplr: ["milestones": "2,4"], .exponentiallr: ["gamma": "0.9"],
            .cosineannealinglr: ["T_max": "10"], .onecyclelr: ["max_lr": "0.1", "total_steps": "20"],
            .cycliclr: ["base_lr": "0.01", "max_lr": "0.1,0.2"], .cosineannealingwarmrestarts: ["T_0": "5"],
        ]
        for kind in SchedulerKind.allCases {
            let made = try kind.make(twoGroups(momentum: 0.9), arguments: required[kind] ?? [:])
            let typeName = String(describing: type(of: made))
            XCTAssertEqual(typeName, kind.displayName)
            XCTAssertEqual(try SchedulerKind(name: kind.displayName), kind)
            XCTAssertEqual(kind.parameters.filter { $0.defaultValue == nil && !["epochs", "steps_per_epoch", "total_steps", "step_size_down"].contains($0.name) }
                .map(\.name).sorted(), (required[kind] ?? [:]).keys.filter { $0 != "total_steps" }.sorted(), "\(kind)")
        }
        func message(_ kind: SchedulerKind, _ args: [String: String]) -> String {
            do { _ = try kind.make(twoGroups(), arguments: args); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(.steplr, [:]), "StepLR needs the argument step_size")
        XCTAssertEqual(message(.steplr, ["step_size": "x"]), "StepLR: step_size must be an integer, got 'x'")
        XCTAssertEqual(message(.steplr, ["step_size": "2", "gama": "0.1"]), "StepLR has no argument 'gama'; it takes: step_size, gamma")
        XCTAssertEqual(message(.cycliclr, ["base_lr": "0.1", "max_lr": "1", "mode": "sine"]),
                       "CyclicLR: mode must be one of triangular, triangular2, exp_range, got 'sine'")
        XCTAssertEqual(message(.cycliclr, ["base_lr": "0.1,0.2,0.3", "max_lr": "1"]),
                       "CyclicLR: base_lr needs 1 or 2 values (one per parameter group), got 3")
        XCTAssertTrue(message(.steplr, ["step_size": "0"]).contains("step_size must be a positive integer"))
        XCTAssertThrowsError(try SchedulerKind(name: "nope")) { e in XCTAssertTrue("\(e)".contains("expected one of: steplr")) }
        // The curve an editor draws: StepLR halves every 2 steps; every kind gives steps + 1 values.
        XCTAssertEqual(try SchedulerKind.steplr.learningRates(arguments: ["step_size": "2", "gamma": "0.5"], lr: 0.1, steps: 5),
                       [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
        for kind in SchedulerKind.allCases {
            var args = required[kind] ?? [:]
            if kind == .cycliclr { args["max_lr"] = "0.2" }
            let lrs = try kind.learningRates(arguments: args, lr: 0.1, steps: 30)
            XCTAssertEqual(lrs.count, 31, "\(kind)")
            XCTAssertTrue(lrs.allSatisfy { $0.isFinite && $0 >= 0 }, "\(kind): \(lrs)")
        }
        // Any scheduler steps through the protocol; the plateau scheduler takes the metric.
        let opt = try twoGroups()
        let plateau: any LearningRateScheduler = try ReduceLROnPlateau(opt, patience: 0)
        plateau.step(metric: 1)
        plateau.step(metric: nil)
        plateau.step(metric: 2)
        XCTAssertEqual(plateau.lastLR[0], 0.01, accuracy: 1e-15)
        XCTAssertTrue(SchedulerKind.cycliclr.stepsPerBatch)
        XCTAssertTrue(SchedulerKind.reducelronplateau.needsMetric)
    }
}
