import Foundation
import XCTest
@testable import Tensors

/// Optimizers against trajectories recorded from PyTorch
/// (Tests/Fixtures/optim/generate_optim_fixtures.py), plus validation, options and state dicts.
final class OptimizerTests: XCTestCase {
    // MARK: Fixture plumbing

    private static let fixtureDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/optim")

    private struct Case {
        var name: String
        var optimizer: String
        var kwargs: [String: Any]
        var groups: [[String: Any]]?
        var shapes: [[Int]]
        var initial: [[Float]]
        var grads: [[[Float]?]]   // [step][param]
        var params: [[[Float]]]   // [step][param] after the step
        var finalState: [String: [String: Any]]
    }

    private static func floats(_ any: Any?) -> [Float] { (any as? [Double] ?? []).map { Float($0) } }

    private static func loadCases() throws -> [Case] {
        let data = try Data(contentsOf: fixtureDir.appendingPathComponent("optim_trajectories.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        return cases.map { c in
            let steps = c["steps"] as? [[String: Any]] ?? []
            return Case(
                name: c["name"] as? String ?? "",
                optimizer: c["optimizer"] as? String ?? "",
                kwargs: c["kwargs"] as? [String: Any] ?? [:],
                groups: c["groups"] as? [[String: Any]],
                shapes: c["shapes"] as? [[Int]] ?? [],
                initial: (c["initial"] as? [Any] ?? []).map { floats($0) },
                grads: steps.map { s in (s["grads"] as? [Any] ?? []).map { $0 is NSNull ? nil : floats($0) } },
                params: steps.map { s in (s["params"] as? [Any] ?? []).map { floats($0) } },
                finalState: c["final_state"] as? [String: [String: Any]] ?? [:])
        }
    }

    private static func options(_ kw: [String: Any]) -> [String: OptimizerOption] {
        var o: [String: OptimizerOption] = [:]
        for (k, v) in kw {
            if ["nesterov", "maximize", "amsgrad", "centered", "decoupled_weight_decay"].contains(k), let b = v as? Bool {
                o[k] = .flag(b)
            } else if let pair = v as? [Double], pair.count == 2 {
                o[k] = .pair(pair[0], pair[1])
            } else if let d = v as? Double {
                o[k] = .number(d)
            }
        }
        return o
    }

    /// Builds the optimizer a fixture case describes, through the public initialisers.
    private static func makeOptimizer(_ c: Case, _ params: [Tensor]) throws -> Optimizer {
        let o = options(c.kwargs)
        let groups: [ParamGroup]
        if let g = c.groups {
            groups = zip(params, g).map { ParamGroup([$0], options: options($1)) }
        } else {
            groups = [ParamGroup(params, options: [:])]
        }
        func num(_ k: String, _ d: Double) -> Double { o[k]?.number ?? d }
        func flag(_ k: String) -> Bool { o[k]?.flag ?? false }
        let betas = o["betas"]?.pair ?? (0.9, 0.999)
        switch c.optimizer {
        case "SGD":
            return try SGD(groups: groups, lr: num("lr", 1e-3), momentum: num("momentum", 0),
                           dampening: num("dampening", 0), weightDecay: num("weight_decay", 0),
                           nesterov: flag("nesterov"), maximize: flag("maximize"))
        case "Adam":
            return try Adam(groups: groups, lr: num("lr", 1e-3), betas: betas, eps: num("eps", 1e-8),
                            weightDecay: num("weight_decay", 0), amsgrad: flag("amsgrad"), maximize: flag("maximize"))
        case "AdamW":
            return try AdamW(groups: groups, lr: num("lr", 1e-3), betas: betas, eps: num("eps", 1e-8),
                             weightDecay: num("weight_decay", 1e-2), amsgrad: flag("amsgrad"),
                             maximize: flag("maximize"))
        case "RMSprop":
            return try RMSprop(groups: groups, lr: num("lr", 1e-2), alpha: num("alpha", 0.99), eps: num("eps", 1e-8),
                               weightDecay: num("weight_decay", 0), momentum: num("momentum", 0),
                               centered: flag("centered"), maximize: flag("maximize"))
        case "Adagrad":
            return try Adagrad(groups: groups, lr: num("lr", 1e-2), lrDecay: num("lr_decay", 0),
                               weightDecay: num("weight_decay", 0),
                               initialAccumulatorValue: num("initial_accumulator_value", 0), eps: num("eps", 1e-10),
                               maximize: flag("maximize"))
        case "Adadelta":
            return try Adadelta(groups: groups, lr: num("lr", 1), rho: num("rho", 0.9), eps: num("eps", 1e-6),
                                weightDecay: num("weight_decay", 0), maximize: flag("maximize"))
        case "Adamax":
            return try Adamax(groups: groups, lr: num("lr", 2e-3), betas: betas, eps: num("eps", 1e-8),
                              weightDecay: num("weight_decay", 0), maximize: flag("maximize"))
        case "ASGD":
            return try ASGD(groups: groups, lr: num("lr", 1e-2), lambd: num("lambd", 1e-4), alpha: num("alpha", 0.75),
                            t0: num("t0", 1e6), weightDecay: num("weight_decay", 0), maximize: flag("maximize"))
        case "NAdam":
            return try NAdam(groups: groups, lr: num("lr", 2e-3), betas: betas, eps: num("eps", 1e-8),
                             weightDecay: num("weight_decay", 0), momentumDecay: num("momentum_decay", 4e-3),
                             decoupledWeightDecay: flag("decoupled_weight_decay"), maximize: flag("maximize"))
        case "RAdam":
            return try RAdam(groups: groups, lr: num("lr", 1e-3), betas: betas, eps: num("eps", 1e-8),
                             weightDecay: num("weight_decay", 0), decoupledWeightDecay: flag("decoupled_weight_decay"),
                             maximize: flag("maximize"))
        case "Rprop":
            return try Rprop(groups: groups, lr: num("lr", 1e-2), etas: o["etas"]?.pair ?? (0.5, 1.2),
                             stepSizes: o["step_sizes"]?.pair ?? (1e-6, 50), maximize: flag("maximize"))
        case "SparseAdam":
            return try SparseAdam(groups: groups, lr: num("lr", 1e-3), betas: betas, eps: num("eps", 1e-8),
                                  maximize: flag("maximize"))
        default:
            throw OptimizerError("unknown optimizer \(c.optimizer) in fixture")
        }
    }

    private static func makeParams(_ c: Case) -> [Tensor] {
        zip(c.initial, c.shapes).map { Tensor($0, shape: $1).requiringGrad() }
    }

    private static func setGrads(_ params: [Tensor], _ grads: [[Float]?]) {
        for (p, g) in zip(params, grads) { p.grad = g.map { Tensor($0, shape: p.shape) } }
    }

    /// Largest relative error; values smaller than 0.1 (the fixtures' parameters are
    /// O(0.1–1), so those came from cancellation) are compared absolutely at that scale.
    private func relError(_ a: [Float], _ b: [Float], floor: Float = 0.1) -> Float {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(abs(y), floor)) }
        return worst
    }

    // MARK: Trajectories

    func testTrajectoriesMatchPyTorch() throws {
        let cases = try Self.loadCases()
        XCTAssertGreaterThanOrEqual(cases.count, 35)
        var worstOverall: Float = 0
        for c in cases {
            let params = Self.makeParams(c)
            let opt = try Self.makeOptimizer(c, params)
            for (s, grads) in c.grads.enumerated() {
                Self.setGrads(params, grads)
                opt.step()
                for (i, p) in params.enumerated() {
                    let err = relError(p.toArray(), c.params[s][i])
                    worstOverall = max(worstOverall, err)
                    // Differences are an ulp or two per step: torch's CPU kernels fuse multiply-adds
                    // (we don't: fmaf is a libm call without -mfma, 10x slower), and its vectorised
                    // sqrt (MKL) is not always correctly rounded.
                    XCTAssertLessThanOrEqual(err, 1e-6, "\(c.name): param \(i) after step \(s + 1)")
                }
            }
            // Final optimizer state (buffers and step counts) matches torch's state_dict.
            let sd = opt.stateDict()
            XCTAssertEqual(sd.optimizer, c.optimizer)
            XCTAssertEqual(Set(sd.state.keys.map { String($0) }), Set(c.finalState.keys), c.name)
            for (key, expected) in c.finalState {
                let entry = try XCTUnwrap(sd.state[Int(key) ?? -1], "\(c.name): state \(key)")
                for (name, value) in expected {
                    if name == "step" {
                        XCTAssertEqual(entry.step, value as? Int, "\(c.name): step of \(key)")
                    } else {
                        let t = try XCTUnwrap(entry.buffers[name], "\(c.name): \(name) of \(key)")
                        let ref = Self.floats(value)
                        // Buffers (second moments ~1e-3) are compared relative to their own scale.
                        let err = relError(t.toArray(), ref, floor: 0.01 * (ref.map { abs($0) }.max() ?? 1))
                        XCTAssertLessThan(err, 1e-6, "\(c.name): \(name) of \(key)")
                    }
                }
                XCTAssertEqual(Set(entry.buffers.keys), Set(expected.keys.filter { $0 != "step" }), c.name)
            }
        }
        print("OptimizerTests: worst relative error vs torch over all trajectories: \(worstOverall)")
    }

    /// Saving state midway and loading it into a fresh optimizer continues bit for bit.
    func testStateDictResumeIsExact() throws {
        for c in try Self.loadCases() {
            let params = Self.makeParams(c)
            let opt = try Self.makeOptimizer(c, params)
            let half = c.grads.count / 2
            for s in 0..<half { Self.setGrads(params, c.grads[s]); opt.step() }
            let saved = opt.stateDict()
            let savedParams = params.map { $0.toArray() }

            // Keep going in the original optimizer; mutate nothing in `saved`.
            for s in half..<c.grads.count { Self.setGrads(params, c.grads[s]); opt.step() }

            let resumed = zip(savedParams, c.shapes).map { Tensor($0, shape: $1).requiringGrad() }
            let opt2 = try Self.makeOptimizer(c, resumed)
            try opt2.loadStateDict(saved)
            for s in half..<c.grads.count { Self.setGrads(resumed, c.grads[s]); opt2.step() }
            for (a, b) in zip(params, resumed) {
                XCTAssertEqual(a.toArray(), b.toArray(), "\(c.name): resumed run differs")
            }
        }
    }

    // MARK: Validation

    private func assertThrows(_ message: String, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Any) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? OptimizerError)?.message, message, file: file, line: line)
            XCTAssertEqual(error.localizedDescription, message, file: file, line: line)
        }
    }

    func testConstructorsValidateLikePyTorch() {
        let w = Tensor.zeros([2]).requiringGrad()
        assertThrows("Invalid learning rate: -1.0") { try SGD([w], lr: -1) }
        assertThrows("Invalid momentum value: -0.5") { try SGD([w], lr: 0.1, momentum: -0.5) }
        assertThrows("Invalid weight_decay value: -0.01") { try SGD([w], lr: 0.1, weightDecay: -0.01) }
        assertThrows("Nesterov momentum requires a momentum and zero dampening") { try SGD([w], lr: 0.1, nesterov: true) }
        assertThrows("Nesterov momentum requires a momentum and zero dampening") {
            try SGD([w], lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)
        }
        assertThrows("Invalid learning rate: -0.001") { try Adam([w], lr: -0.001) }
        assertThrows("Invalid epsilon value: -1e-08") { try Adam([w], eps: -1e-8) }
        assertThrows("Invalid beta parameter at index 0: 1.0") { try Adam([w], betas: (1.0, 0.999)) }
        assertThrows("Invalid beta parameter at index 1: -0.1") { try AdamW([w], betas: (0.9, -0.1)) }
        assertThrows("Invalid weight_decay value: -1.0") { try AdamW([w], weightDecay: -1) }
        assertThrows("Invalid alpha value: -0.99") { try RMSprop([w], alpha: -0.99) }
        assertThrows("Invalid momentum value: -1.0") { try RMSprop([w], momentum: -1) }
        assertThrows("Invalid learning rate: nan") { try RMSprop([w], lr: .nan) }
        assertThrows("optimizer got an empty parameter list") { try SGD([], lr: 0.1) }
        assertThrows("some parameters appear in more than one parameter group") {
            try SGD(groups: [ParamGroup([w]), ParamGroup([w], lr: 0.5)], lr: 0.1)
        }
        assertThrows("Invalid learning rate: -2.0") { try SGD(groups: [ParamGroup([w], lr: -2)], lr: 0.1) }
        let nonLeaf = w * 2
        assertThrows("can't optimize a non-leaf Tensor") { try SGD([nonLeaf], lr: 0.1) }
    }

    func testDefaultsMatchPyTorch() throws {
        let w = Tensor.zeros([1]).requiringGrad()
        let sgd = try SGD([w])
        XCTAssertEqual(sgd.lr, 1e-3)
        XCTAssertEqual(sgd.paramGroups[0].momentum, 0)
        XCTAssertEqual(sgd.paramGroups[0].dampening, 0)
        XCTAssertEqual(sgd.paramGroups[0].nesterov, false)
        let adam = try Adam([w])
        XCTAssertEqual(adam.lr, 1e-3)
        XCTAssertEqual(adam.paramGroups[0].betas?.0, 0.9)
        XCTAssertEqual(adam.paramGroups[0].betas?.1, 0.999)
        XCTAssertEqual(adam.paramGroups[0].eps, 1e-8)
        XCTAssertEqual(adam.paramGroups[0].weightDecay, 0)
        XCTAssertEqual(adam.paramGroups[0].amsgrad, false)
        let adamw = try AdamW([w])
        XCTAssertEqual(adamw.paramGroups[0].weightDecay, 1e-2)
        XCTAssertEqual(adamw.paramGroups[0]["decoupled_weight_decay"], .flag(true))
        let rms = try RMSprop([w])
        XCTAssertEqual(rms.lr, 1e-2)
        XCTAssertEqual(rms.paramGroups[0].alpha, 0.99)
        XCTAssertEqual(rms.paramGroups[0].centered, false)
    }

    // MARK: Options between steps

    func testLearningRateAndOptionsCanChangeBetweenSteps() throws {
        let a = Tensor([1, 2]).requiringGrad()
        let b = Tensor([3]).requiringGrad()
        let opt = try SGD(groups: [ParamGroup([a]), ParamGroup([b], lr: 0.5)], lr: 0.1)
        XCTAssertEqual(opt.paramGroups.map { $0.lr }, [0.1, 0.5])
        XCTAssertEqual(opt.lr, 0.1)

        a.grad = Tensor([1, 1]); b.grad = Tensor([1])
        opt.step()
        XCTAssertEqual(a.toArray(), [0.9, 1.9])
        XCTAssertEqual(b.toArray(), [2.5])

        opt.lr = 1  // all groups
        XCTAssertEqual(opt.paramGroups.map { $0.lr }, [1, 1])
        opt.paramGroups[1].lr = 2  // one group
        opt.step()
        XCTAssertEqual(a.toArray(), [Float(0.9) - 1, Float(1.9) - 1])
        XCTAssertEqual(b.toArray(), [0.5])

        // setOption validates what a user typed and changes nothing on error.
        XCTAssertThrowsError(try opt.setOption("lr", .number(-3)))
        XCTAssertEqual(opt.paramGroups.map { $0.lr }, [1, 2])
        try opt.setOption("momentum", .number(0.9))
        XCTAssertEqual(opt.paramGroups.map { $0.momentum }, [0.9, 0.9])
        try opt.setOption("dampening", .number(0.5))
        assertThrows("Nesterov momentum requires a momentum and zero dampening") {
            try opt.setOption("nesterov", .flag(true))
        }
        try opt.setOption("dampening", .number(0))
        try opt.setOption("nesterov", .flag(true))
        XCTAssertEqual(opt.paramGroups.map { $0.nesterov }, [true, true])

        // A new group takes the defaults it leaves out.
        let c = Tensor([0]).requiringGrad()
        try opt.addParamGroup(ParamGroup([c], momentum: 0.5))
        XCTAssertEqual(opt.paramGroups[2].lr, 0.1)
        XCTAssertEqual(opt.paramGroups[2].momentum, 0.5)
        XCTAssertEqual(opt.parameters.count, 3)
    }

    func testZeroGradAndSkippedParameters() throws {
        let a = Tensor([1, 2]).requiringGrad()
        let b = Tensor([3]).requiringGrad()
        let opt = try Adam([a, b], lr: 0.1)
        a.grad = Tensor([1, -1])
        opt.step()  // b has no grad: untouched, no state
        XCTAssertEqual(b.toArray(), [3])
        XCTAssertEqual(opt.stateDict().state.keys.sorted(), [0])
        XCTAssertEqual(opt.stateDict().state[0]?.step, 1)
        // First Adam step moves each coordinate by lr against the gradient's sign.
        XCTAssertEqual(a.toArray()[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(a.toArray()[1], 2.1, accuracy: 1e-6)

        opt.zeroGrad(setToNone: false)
        XCTAssertEqual(a.grad?.toArray(), [0, 0])
        XCTAssertNil(b.grad)
        opt.zeroGrad()
        XCTAssertNil(a.grad)
    }

    func testStepWithClosureReturnsLoss() throws {
        let w = Tensor([2]).requiringGrad()
        let opt = try SGD([w], lr: 0.25)
        let loss = opt.step {
            opt.zeroGrad()
            let l = (w * w).sum()
            l.backward()
            return l
        }
        XCTAssertEqual(loss.item(), 4)
        XCTAssertEqual(w.toArray(), [1])  // 2 - 0.25 * 4
    }

    func testStepRunsWithoutRecordingAndBumpsVersion() throws {
        let w = Tensor([1, 2, 3]).requiringGrad()
        let opt = try SGD([w], lr: 0.1, momentum: 0.9)
        w.grad = Tensor([1, 1, 1])
        let v = w.storage.version
        opt.step()  // would trap if it did an in-place op on a leaf that requires grad with grad mode on
        XCTAssertGreaterThan(w.storage.version, v)
        XCTAssertTrue(w.isLeaf)
        XCTAssertTrue(w.requiresGrad)
    }

    func testNonContiguousParameterIsUpdatedInPlace() throws {
        let base = Tensor([[1, 2], [3, 4]])
        let t = base.t  // a transposed view
        XCTAssertFalse(t.isContiguous)
        t.requiresGrad = true
        let opt = try SGD([t], lr: 1)
        t.grad = Tensor([[1, 0], [0, 0]])
        opt.step()
        XCTAssertEqual(t.toArray(), [0, 3, 2, 4])
        XCTAssertEqual(base.toArray(), [0, 2, 3, 4])
    }

    // MARK: State dict errors and printing

    func testLoadStateDictRejectsMismatches() throws {
        let a = Tensor([1, 2]).requiringGrad()
        let adam = try Adam([a])
        a.grad = Tensor([1, 1])
        adam.step()
        let sd = adam.stateDict()

        let sgd = try SGD([Tensor([1, 2]).requiringGrad()], lr: 0.1)
        assertThrows("loaded state dict is for Adam but this optimizer is SGD") { try sgd.loadStateDict(sd) }

        let two = try Adam(groups: [ParamGroup([Tensor([1, 2]).requiringGrad()]), ParamGroup([Tensor([0]).requiringGrad()])])
        assertThrows("loaded state dict has a different number of parameter groups (1, expected 2)") {
            try two.loadStateDict(sd)
        }
        let bigger = try Adam([Tensor([1, 2]).requiringGrad(), Tensor([3]).requiringGrad()])
        assertThrows("loaded state dict contains a parameter group that doesn't match the size of optimizer's group (1 parameters, expected 2)") {
            try bigger.loadStateDict(sd)
        }
        let otherShape = Tensor([1, 2, 3]).requiringGrad()
        let wrong = try Adam([otherShape], lr: 0.5)
        XCTAssertThrowsError(try wrong.loadStateDict(sd))
        XCTAssertEqual(wrong.lr, 0.5, "a failed load changes nothing")
        XCTAssertTrue(wrong.stateDict().state.isEmpty)

        // The state dict is a copy: stepping again does not change it.
        let before = sd.state[0]?.buffers["exp_avg"]?.toArray()
        a.grad = Tensor([5, 5])
        adam.step()
        XCTAssertEqual(sd.state[0]?.buffers["exp_avg"]?.toArray(), before)
    }

    func testDescriptionMatchesPyTorchLayout() throws {
        let opt = try SGD(groups: [ParamGroup([Tensor([1]).requiringGrad()]),
                                   ParamGroup([Tensor([1]).requiringGrad()], lr: 0.5)], lr: 0.1, momentum: 0.9)
        XCTAssertEqual(opt.description, """
            SGD (
            Parameter Group 0
                dampening: 0.0
                lr: 0.1
                maximize: False
                momentum: 0.9
                nesterov: False
                weight_decay: 0.0

            Parameter Group 1
                dampening: 0.0
                lr: 0.5
                maximize: False
                momentum: 0.9
                nesterov: False
                weight_decay: 0.0
            )
            """)
        let adam = try Adam([Tensor([1]).requiringGrad()])
        XCTAssertTrue(adam.description.contains("    betas: (0.9, 0.999)\n"))
        XCTAssertTrue(adam.description.contains("    eps: 1e-08\n"))
    }
}
