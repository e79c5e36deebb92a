import Foundation
import XCTest
@testable import Tensors

// MARK: - Shared helpers for the nn tests (fixtures, closeness, finite differences)

/// Loads `Tests/Fixtures/nn/<name>.json` (written by generate_nn_fixtures.py).
func nnFixture(_ name: String) -> [String: Any] {
    NNFixtureCache.shared.load(name)
}

final class NNFixtureCache: @unchecked Sendable {
    static let shared = NNFixtureCache()
    private var cache: [String: [String: Any]] = [:]
    private let lock = NSLock()

    func load(_ name: String) -> [String: Any] {
        lock.lock(); defer { lock.unlock() }
        if let c = cache[name] { return c }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nn/\(name).json")
        guard let data = try? Data(contentsOf: url),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            XCTFail("cannot read fixture \(url.path)")
            return [:]
        }
        cache[name] = obj
        return obj
    }
}

/// The fixture case `name` of file `file`.
func nnCase(_ file: String, _ name: String) -> [String: Any] {
    guard let c = nnFixture(file)[name] as? [String: Any] else {
        XCTFail("fixture case \(file)/\(name) missing")
        return [:]
    }
    return c
}

/// A tensor stored as {"shape": [...], "data": [...]}.
func fixtureTensor(_ c: [String: Any], _ key: String) -> Tensor {
    guard let d = c[key] as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [Double] else {
        XCTFail("fixture tensor \(key) missing")
        return Tensor.zeros([1])
    }
    return Tensor(data.map { Float($0) }, shape: shape)
}

func fixtureIntTensor(_ c: [String: Any], _ key: String) -> IntTensor {
    guard let d = c[key] as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [Int] else {
        XCTFail("fixture int tensor \(key) missing")
        return IntTensor([0])
    }
    return IntTensor(data, shape: shape)
}

/// Asserts equal shapes and |a − b| ≤ atol + rtol·|b| elementwise.
func assertClose(_ a: Tensor?, _ b: Tensor, atol: Float = 1e-5, rtol: Float = 1e-4, _ what: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let a else { XCTFail("\(what): tensor is nil", file: file, line: line); return }
    XCTAssertEqual(a.shape, b.shape, "\(what): shape", file: file, line: line)
    guard a.shape == b.shape else { return }
    let x = a.toArray(), y = b.toArray()
    var worst: (Int, Float) = (-1, 0)
    for i in 0..<x.count {
        let err = abs(x[i] - y[i]) - (atol + rtol * abs(y[i]))
        if err > worst.1 || (x[i].isNaN != y[i].isNaN) { worst = (i, Swift.max(err, worst.1)); if x[i].isNaN != y[i].isNaN { break } }
    }
    if worst.0 >= 0 {
        XCTFail("\(what): element \(worst.0) is \(x[worst.0]), expected \(y[worst.0])", file: file, line: line)
    }
}

/// Compares autograd gradients of sum(f(inputs) · w) (w random) with central
/// finite differences, element by element. Inputs must require grad.
func nnGradCheck(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-2, rtol: Float = 2e-2,
                 file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
    let g = Generator(seed: 99)
    let probe = f(inputs)
    let w = Tensor.uniform(probe.shape, low: 0.5, high: 1.5, generator: g)
    for t in inputs { t.grad = nil }
    (probe * w).sum().backward()
    let wv = w.toArray().map(Double.init)
    func value() -> Double {
        let y = noGrad { f(inputs) }.toArray()
        var acc: Double = 0
        for i in 0..<y.count { acc += Double(y[i]) * wv[i] }
        return acc
    }
    for (k, t) in inputs.enumerated() where t.requiresGrad {
        guard let analytic = t.grad?.toArray() else { XCTFail("input \(k) has no grad", file: file, line: line); continue }
        for i in 0..<t.count {
            let p = t.storage.pointer + t.offset
            let old = p[i]
            p[i] = old + eps
            let plus = value()
            p[i] = old - eps
            let minus = value()
            p[i] = old
            let numeric = Float((plus - minus) / Double(2 * eps))
            if abs(analytic[i] - numeric) > atol + rtol * abs(numeric) {
                XCTFail("input \(k) element \(i): analytic \(analytic[i]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}

/// Values with gaps of at least 0.05 in random order (no ties, no kinks near 0 for ReLU/max).
func distinctValues(_ shape: [Int], seed: UInt64 = 5) -> Tensor {
    let n = shape.reduce(1, *)
    let g = Generator(seed: seed)
    let perm = g.randperm(n)
    return Tensor(perm.map { Float($0 - n / 2) * 0.1 + 0.05 }, shape: shape)
}

// MARK: - Layer tests

final class LayersTests: XCTestCase {
    func testLinearMatchesTorch() {
        for name in ["linear", "linear_3d_nobias"] {
            let c = nnCase("layers", name)
            let x = fixtureTensor(c, "x").requiringGrad(), w = fixtureTensor(c, "w").requiringGrad()
            let b = c["b"] != nil ? fixtureTensor(c, "b").requiringGrad() : nil
            let y = linear(x, weight: w, bias: b)
            assertClose(y, fixtureTensor(c, "out"), name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
            assertClose(w.grad, fixtureTensor(c, "dw"), "\(name) dw")
            if let b { assertClose(b.grad, fixtureTensor(c, "db"), "\(name) db") }
        }
    }

    func testLinearModuleGradCheckAndInit() {
        let g = Generator(seed: 1)
        let fc = Linear(4, 3, generator: g)
        XCTAssertEqual(fc.weight.shape, [3, 4])
        XCTAssertEqual(fc.bias?.shape, [3])
        XCTAssertTrue(fc.weight.requiresGrad)
        // kaiming-uniform(a=√5) and the bias bound are both 1/√in = 0.5
        XCTAssertTrue(fc.weight.toArray().allSatisfy { abs($0) <= 0.5 })
        XCTAssertTrue(fc.bias!.toArray().allSatisfy { abs($0) <= 0.5 })
        // Same seed, same init.
        let fc2 = Linear(4, 3, generator: Generator(seed: 1))
        XCTAssertEqual(fc.weight.toArray(), fc2.weight.toArray())
        XCTAssertEqual(fc.bias!.toArray(), fc2.bias!.toArray())
        XCTAssertEqual(fc.description, "Linear(in_features=4, out_features=3, bias=True)")
        XCTAssertEqual(Linear(2, 5, bias: false).description, "Linear(in_features=2, out_features=5, bias=False)")
        let x = Tensor.randn([2, 4], generator: g).requiringGrad()
        nnGradCheck([x, fc.weight, fc.bias!]) { t in linear(t[0], weight: t[1], bias: t[2]) }
    }

    func testLinearBlockedProductsMatchMatmul() {
        // Sizes past OpenBLAS's small-matrix limit take the row-blocked, transposed paths.
        let g = Generator(seed: 12)
        for (rows, inF, outF, bias) in [(300, 64, 80, true), (16, 400, 120, false), (2, 50, 30, true)] {
            let x = Tensor.randn([rows, inF], generator: g).requiringGrad()
            let w = Tensor.randn([outF, inF], generator: g).requiringGrad()
            let b = bias ? Tensor.randn([outF], generator: g).requiringGrad() : nil
            let y = linear(x, weight: w, bias: b)
            let x2 = x.detach().requiringGrad(), w2 = w.detach().requiringGrad(), b2 = b?.detach().requiringGrad()
            var ref = x2.matmul(w2.t)
            if let b2 { ref = ref + b2 }
            assertClose(y, ref, atol: 1e-3, "forward \(rows)x\(inF)x\(outF)")
            let gy = Tensor.randn(y.shape, generator: g)
            (y * gy).sum().backward()
            (ref * gy).sum().backward()
            assertClose(x.grad, x2.grad!, atol: 1e-3, "dx")
            assertClose(w.grad, w2.grad!, atol: 1e-3, "dw")
            if let b, let b2 { assertClose(b.grad, b2.grad!, atol: 1e-3, "db") }
        }
    }

    func testInitBoundsAndStatistics() {
        // Large tensor: the kaiming-uniform bound is gain·√(3/fan_in); check range and spread.
        let w = Tensor.zeros([64, 100])
        Init.kaimingUniform(w, a: Float(5).squareRoot(), generator: Generator(seed: 3))
        let v = w.toArray()
        let bound = 1 / Float(100).squareRoot()
        XCTAssertTrue(v.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(v.max()!, bound * 0.95)
        let n = Tensor.zeros([256, 64, 3, 3])
        Init.kaimingNormal(n, mode: .fanOut, nonlinearity: .relu, generator: Generator(seed: 3))
        let nv = n.toArray()
        let mean = nv.reduce(0, +) / Float(nv.count)
        let std = (nv.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(nv.count)).squareRoot()
        XCTAssertEqual(std, (2 / Float(256 * 9)).squareRoot(), accuracy: 0.002)
        XCTAssertEqual(Init.calculateGain(.leakyRelu(negativeSlope: Float(5).squareRoot())), (1 / Float(3)).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(Init.fans([6, 3, 5, 5]).fanIn, 75)
        XCTAssertEqual(Init.fans([6, 3, 5, 5]).fanOut, 150)
    }

    func testGlobalSeedReproducesInit() {
        manualSeed(7)
        let a = LeNet5()
        manualSeed(7)
        let b = LeNet5()
        XCTAssertEqual(a.fc1.weight.toArray(), b.fc1.weight.toArray())
        XCTAssertEqual(a.conv2.bias!.toArray(), b.conv2.bias!.toArray())
    }

    func testActivationsMatchTorch() {
        let fns: [(String, (Tensor) -> Tensor)] = [
            ("relu", { relu($0) }), ("leaky_relu", { leakyRelu($0, negativeSlope: 0.2) }),
            ("sigmoid", { sigmoid($0) }), ("tanh", { tanh($0) }), ("gelu", { gelu($0) }),
            ("gelu_tanh", { gelu($0, approximate: .tanh) }),
            ("softmax_dim1", { softmax($0, dim: 1) }), ("softmax_dim0_3d", { softmax($0, dim: 0) }),
            ("log_softmax_dim1", { logSoftmax($0, dim: 1) }), ("log_softmax_dim1_3d", { logSoftmax($0, dim: 1) }),
        ]
        for (name, f) in fns {
            let c = nnCase("layers", name)
            let x = fixtureTensor(c, "x").requiringGrad()
            let y = f(x)
            assertClose(y, fixtureTensor(c, "out"), name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
    }

    func testActivationModulesGradCheckAndPrint() {
        let x = distinctValues([3, 4]).requiringGrad()
        let modules: [(any UnaryLayer, String)] = [
            (ReLU(), "ReLU()"), (ReLU(inplace: true), "ReLU(inplace=True)"),
            (LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
            (LeakyReLU(negativeSlope: 0.2, inplace: true), "LeakyReLU(negative_slope=0.2, inplace=True)"),
            (Sigmoid(), "Sigmoid()"), (Tanh(), "Tanh()"), (GELU(), "GELU(approximate='none')"),
            (GELU(approximate: .tanh), "GELU(approximate='tanh')"), (Softmax(dim: 1), "Softmax(dim=1)"),
            (Softmax(), "Softmax(dim=None)"), (LogSoftmax(dim: -1), "LogSoftmax(dim=-1)"), (Identity(), "Identity()"),
        ]
        for (m, printed) in modules {
            XCTAssertEqual(m.description, printed)
            // In-place layers overwrite an input that does not require grad, as PyTorch's do:
            // the finite-difference probes are such inputs, so they are checked out of place.
            if printed.contains("inplace=True") { continue }
            nnGradCheck([x]) { t in m(t[0]) }
        }
        // Softmax rows sum to one; legacy dim for 2-D input is 1.
        let s = Softmax()(Tensor.randn([2, 5])).sum(dim: 1).toArray()
        XCTAssertEqual(s[0], 1, accuracy: 1e-5)
        XCTAssertEqual(s[1], 1, accuracy: 1e-5)
    }

    func testSoftmaxIsStableForLargeLogits() {
        let x = Tensor([[1000, 1001, 1002], [-1000, -1000, -1000]])
        let y = logSoftmax(x, dim: 1).toArray()
        XCTAssertTrue(y.allSatisfy { $0.isFinite })
        XCTAssertEqual(y[2], -0.40760596, accuracy: 1e-5)
        XCTAssertEqual(y[3], -Float(log(3.0)), accuracy: 1e-5)
    }

    func testDropout() {
        let x = Tensor.ones([1000]).requiringGrad()
        let d = Dropout(p: 0.25, generator: Generator(seed: 1))
        XCTAssertEqual(d.description, "Dropout(p=0.25, inplace=False)")
        let y = d(x)
        let v = y.toArray()
        let kept = v.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
        y.sum().backward()
        XCTAssertEqual(x.grad!.toArray(), v)  // gradient is the mask
        // Same seed, same mask.
        let again = Dropout(p: 0.25, generator: Generator(seed: 1))(Tensor.ones([1000])).toArray()
        XCTAssertEqual(again, v)
        // Eval mode and p = 0 return the input itself.
        d.eval()
        XCTAssertTrue(d(x) === x)
        XCTAssertTrue(dropout(x, p: 0) === x)
        XCTAssertEqual(dropout(Tensor.ones([5]), p: 1).toArray(), [0, 0, 0, 0, 0])
        // Finite differences with the same mask on every evaluation (a fresh seeded generator).
        let xs = distinctValues([3, 4]).requiringGrad()
        nnGradCheck([xs]) { t in dropout(t[0], p: 0.4, generator: Generator(seed: 3)) }
    }

    func testFlattenAndIdentity() {
        let x = Tensor.randn([2, 3, 4, 5])
        XCTAssertEqual(Flatten()(x).shape, [2, 60])
        XCTAssertEqual(Flatten(startDim: 0, endDim: 1)(x).shape, [6, 4, 5])
        XCTAssertEqual(Flatten().description, "Flatten(start_dim=1, end_dim=-1)")
        XCTAssertTrue(Identity()(x) === x)
        let v = distinctValues([2, 2, 3]).requiringGrad()
        nnGradCheck([v]) { t in Flatten()(t[0]) }
    }

    func testLayersOnMetaTensors() {
        let meta = Tensor.meta([4, 10])
        XCTAssertTrue(Linear(10, 3)(meta).isMeta)
        XCTAssertEqual(Linear(10, 3)(meta).shape, [4, 3])
        XCTAssertEqual(softmax(meta, dim: 1).shape, [4, 10])
        XCTAssertEqual(GELU()(meta).shape, [4, 10])
        XCTAssertEqual(Dropout()(meta).shape, [4, 10])
        XCTAssertThrowsError(try ShapeCheck.run { _ = Linear(9, 3)(meta) }) { e in
            XCTAssertTrue("\(e)".contains("linear"), "\(e)")
        }
    }
}
