import Foundation
import XCTest
@testable import Tensors

/// The optimizers of table 3-15 beyond SGD/Adam/AdamW/RMSprop: LBFGS trajectories
/// (Tests/Fixtures/optim/lbfgs_trajectories.json), validation messages and the registry.
/// Their per-step trajectories and state dicts are checked in OptimizerTests.
final class OptimizerCatalogueTests: XCTestCase {
    private static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/optim/lbfgs_trajectories.json")

    private static func floats(_ any: Any?) -> [Float] { (any as? [Double] ?? []).map { Float($0) } }

    func testLBFGSMatchesPyTorch() throws {
        let data = try Data(contentsOf: Self.fixture)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let name = c["name"] as? String ?? ""
            let kw = c["kwargs"] as? [String: Any] ?? [:]
            let shapes = c["shapes"] as? [[Int]] ?? []
            let params = zip((c["initial"] as? [Any] ?? []).map { Self.floats($0) }, shapes)
                .map { Tensor($0, shape: $1).requiringGrad() }
            let a = zip((c["a"] as? [Any] ?? []).map { Self.floats($0) }, shapes).map { Tensor($0, shape: $1) }
            let b = zip((c["b"] as? [Any] ?? []).map { Self.floats($0) }, shapes).map { Tensor($0, shape: $1) }
            let maximize = kw["maximize"] as? Bool ?? false
            let opt = try LBFGS(params, lr: kw["lr"] as? Double ?? 1, maxIter: kw["max_iter"] as? Int ?? 20,
                                historySize: kw["history_size"] as? Int ?? 100,
                                lineSearch: (kw["line_search_fn"] as? String).flatMap { LBFGS.LineSearch(rawValue: $0) },
                                maximize: maximize)
            let sign: Float = maximize ? -1 : 1
            let closure = { () -> Tensor in
                opt.zeroGrad()
                var loss = Tensor(Float(0))
                for i in params.indices {
                    let p = params[i]
                    loss = loss + (0.5 * a[i] * p * p + b[i] * p + 0.1 * p.pow(4)).sum()
                }
                loss = loss * sign
                loss.backward()
                return loss
            }
            for (s, step) in (c["steps"] as? [[String: Any]] ?? []).enumerated() {
                let loss = opt.step(closure)
                XCTAssertEqual(Double(loss.item()), step["loss"] as? Double ?? .nan, accuracy: 1e-4, "\(name) loss \(s)")
                for (p, ref) in zip(params, (step["params"] as? [Any] ?? []).map { Self.floats($0) }) {
                    for (x, y) in zip(p.toArray(), ref) {
                        XCTAssertEqual(x, y, accuracy: 1e-4, "\(name) params after step \(s + 1)")
                    }
                }
            }
            let final = c["final_state"] as? [String: Int] ?? [:]
            let entry = try XCTUnwrap(opt.stateDict().state[0])
            XCTAssertEqual(entry.step, final["n_iter"], name)
            XCTAssertEqual(entry.buffers["func_evals"]?.item().rounded(), Float(final["func_evals"] ?? -1), name)
            XCTAssertEqual(entry.buffers["old_dirs"]?.shape.first, final["history"], name)
        }
    }

    func testLBFGSStateDictResumesAndRefusesGroups() throws {
        func run(_ steps: Int, resumeAt: Int?) throws -> [Float] {
            let p = Tensor([1.5, -2, 0.5]).requiringGrad()
            var opt = try LBFGS([p], maxIter: 3, historySize: 2, lineSearch: .strongWolfe)
            let closure = { () -> Tensor in
                opt.zeroGrad()
                let l = (p * p * Tensor([1, 3, 0.5]) + p.pow(4) * 0.2).sum()
                l.backward()
                return l
            }
            for s in 0..<steps {
                if s == resumeAt {
                    let saved = opt.stateDict()
                    opt = try LBFGS([p], maxIter: 3, historySize: 2, lineSearch: .strongWolfe)
                    try opt.loadStateDict(saved)
                }
                opt.step(closure)
            }
            return p.toArray()
        }
        XCTAssertEqual(try run(3, resumeAt: nil), try run(3, resumeAt: 2))
        let w = Tensor.zeros([2]).requiringGrad(), v = Tensor.zeros([2]).requiringGrad()
        XCTAssertThrowsError(try LBFGS([w]).addParamGroup(ParamGroup([v]))) { e in
            XCTAssertEqual("\(e)", "LBFGS doesn't support per-parameter options (parameter groups)")
        }
        XCTAssertTrue(try LBFGS([w]).requiresClosure)
        // Without a closure: one fixed-step iteration on the current gradient (the first is a
        // scaled gradient step, t = min(1, 1/Σ|g|)·lr), and the history builds up across calls.
        let q = Tensor([1, -2]).requiringGrad()
        let plain = try LBFGS([q], lr: 0.5)
        for _ in 0..<6 {
            plain.zeroGrad()
            let l = (q * q * Tensor([1, 4])).sum()
            l.backward()
            plain.step()
        }
        XCTAssertLessThan((q * q * Tensor([1, 4])).sum().item(), 0.5)
        XCTAssertEqual(plain.stateDict().state[0]?.step, 6)
        XCTAssertEqual(plain.paramGroups[0]["max_iter"], .number(20), "options are restored")
        XCTAssertEqual(try LBFGS([w]).paramGroups[0]["max_eval"], .number(25))
    }

    private func assertThrows(_ message: String, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Any) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? OptimizerError)?.message, message, file: file, line: line)
        }
    }

    func testConstructorsValidateLikePyTorch() {
        let w = Tensor.zeros([2]).requiringGrad()
        assertThrows("Invalid lr_decay value: -0.1") { try Adagrad([w], lrDecay: -0.1) }
        assertThrows("Invalid initial_accumulator_value value: -1.0") { try Adagrad([w], initialAccumulatorValue: -1) }
        assertThrows("Invalid rho value: 1.5") { try Adadelta([w], rho: 1.5) }
        assertThrows("Invalid epsilon value: -1.0") { try Adadelta([w], eps: -1) }
        assertThrows("Invalid beta parameter at index 1: 1.0") { try Adamax([w], betas: (0.9, 1)) }
        assertThrows("Invalid lambd value: -1.0") { try ASGD([w], lambd: -1) }
        assertThrows("Invalid momentum_decay value: -0.1") { try NAdam([w], momentumDecay: -0.1) }
        assertThrows("Invalid weight_decay value: -0.1") { try RAdam([w], weightDecay: -0.1) }
        assertThrows("Invalid eta values: 1.2, 0.5") { try Rprop([w], etas: (1.2, 0.5)) }
        assertThrows("Invalid learning rate: 0.0") { try SparseAdam([w], lr: 0) }
        assertThrows("Invalid learning rate: -1.0") { try LBFGS([w], lr: -1) }
        assertThrows("Rprop has no weight_decay option (got 0.1)") { try OptimizerKind.rprop.make([w], lr: 0.1, weightDecay: 0.1) }
    }

    func testRegistryBuildsEveryOptimizer() throws {
        XCTAssertEqual(OptimizerKind.allCases.map(\.displayName),
                       ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "ASGD", "NAdam", "RAdam",
                        "Rprop", "SparseAdam", "LBFGS"])
        for kind in OptimizerKind.allCases {
            let w = Tensor([1, -1]).requiringGrad()
            let opt = try kind.make([w], lr: 0.01)
            XCTAssertEqual(opt.name, kind.displayName)
            XCTAssertEqual(try OptimizerKind(name: kind.displayName), kind)
            XCTAssertEqual(opt.requiresClosure, kind.requiresClosure)
            let closure = { () -> Tensor in
                opt.zeroGrad()
                let l = (w * w).sum()
                l.backward()
                return l
            }
            opt.step(closure)
            XCTAssertLessThan((w * w).sum().item(), 2, "\(kind) did not descend")
        }
    }

    func testSparseAdamLeavesUntouchedRowsAlone() throws {
        let p = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]).requiringGrad()
        let opt = try SparseAdam([p], lr: 0.1)
        p.grad = Tensor([0.5, 0, 0, 0, 1, -1], shape: [3, 2])
        opt.step()
        let v = p.toArray()
        XCTAssertEqual(Array(v[2..<4]), [3, 4], "row 1 has no gradient and stays")
        XCTAssertNotEqual(v[0], 1)
        XCTAssertEqual(v[1], 2, accuracy: 0, "a zero entry in a touched row gets a zero update (m = v = 0)")
        XCTAssertEqual(opt.stateDict().state[0]?.buffers["exp_avg"]?.toArray()[2], 0)
    }
}
