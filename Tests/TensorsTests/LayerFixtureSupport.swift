import XCTest
@testable import Tensors

// Shared checks for the layer-catalogue tests: one PyTorch fixture case
// (repr, input `x`, upstream gradient `gy`, `out`, `dx`, parameter grads)
// run through a Swift module.

/// Runs `module` on the case's `x` and compares the printed form, output,
/// input gradient and the gradients of `params` (fixture keys `d<name>`;
/// the parameters are overwritten with the fixture's values first).
func checkLayerCase(_ file: String, _ name: String, _ module: any UnaryLayer, params: [(String, Tensor)] = [],
                    atol: Float = 1e-5, rtol: Float = 1e-4, checkRepr: Bool = true,
                    line: UInt = #line) {
    let c = nnCase(file, name)
    if checkRepr, let repr = c["repr"] as? String {
        XCTAssertEqual(module.description, repr, "\(name) repr", line: line)
    }
    for (pname, p) in params where c[pname] != nil {
        noGrad { p.copy(from: fixtureTensor(c, pname)) }
        p.grad = nil
    }
    let x = fixtureTensor(c, "x").requiringGrad()
    let y = module(x)
    assertClose(y, fixtureTensor(c, "out"), atol: atol, rtol: rtol, "\(name) out", line: line)
    guard y.shape == fixtureTensor(c, "out").shape else { return }
    (y * fixtureTensor(c, "gy")).sum().backward()
    assertClose(x.grad, fixtureTensor(c, "dx"), atol: atol, rtol: rtol, "\(name) dx", line: line)
    for (pname, p) in params {
        assertClose(p.grad, fixtureTensor(c, "d" + pname), atol: atol, rtol: rtol, "\(name) d\(pname)", line: line)
    }
}

/// The list of strings stored under `key` of fixture file `file`.
func fixtureStrings(_ file: String, _ key: String) -> [String] {
    guard let v = nnFixture(file)[key] as? [String] else {
        XCTFail("fixture strings \(file)/\(key) missing")
        return []
    }
    return v
}

/// Asserts that `module` rejects an input of `shape` with a shape error containing `message`.
func assertRejects(_ module: any UnaryLayer, _ shape: [Int], _ message: String, line: UInt = #line) {
    do {
        _ = try module.validate(inputShape: shape)
        XCTFail("expected \(module.typeName) to reject \(shape)", line: line)
    } catch let e as ModelShapeError {
        XCTAssertTrue(e.error.message.contains(message), "\(e.error.message) should contain \(message)", line: line)
    } catch {
        XCTFail("unexpected error \(error)", line: line)
    }
}

/// The output shape `module` reports for a meta input of `shape` (nil on a shape error).
func metaShape(_ module: Module, _ shapes: [[Int]]) -> [Int]? {
    guard let layers = try? module.validate(inputShapes: shapes) else { return nil }
    return layers.first?.outputShapes?.first
}
