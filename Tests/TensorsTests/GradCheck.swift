import XCTest
@testable import Tensors

/// Checks the autograd gradients of `f` against central finite differences.
///
/// `f` maps fresh leaf copies of `inputs` (all requiring grad) to a tensor
/// `y`. The check reduces `y` to a scalar with fixed pseudo-random weights,
/// `L = Σ wᵢ·yᵢ` (so every output element gets a different upstream gradient,
/// which a plain `sum()` would not test), runs `L.backward()`, and compares
/// each input's `.grad` with `(L(x + eps·eₖ) − L(x − eps·eₖ)) / 2eps` for
/// every element k.
///
/// Precision: the library computes in Float32 only, so `f` is evaluated in
/// Float; the projection `L` and the differences are accumulated in Double.
/// Float rounding in `y` (relative ~6e-8) is amplified by 1/(2·eps), and the
/// central difference has truncation error ~eps²·|f'''|/6. With eps = 1e-2
/// both stay near 1e-4 for values of order 1, so the default tolerance is
/// |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|) with
/// atol = rtol = 1e-2 — tight enough to catch a wrong rule (a missing factor,
/// a transposed or unreduced broadcast gradient) on test inputs of order 1.
/// Inputs must stay eps away from kinks (relu at 0, ties in max, clamp bounds).
func gradCheck(_ inputs: [Tensor], eps: Float = 1e-2, atol: Double = 1e-2, rtol: Double = 1e-2,
               file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
    let leaves = inputs.map { Tensor($0.toArray(), shape: $0.shape).requiringGrad() }
    let y = f(leaves)
    guard y.requiresGrad else {
        XCTFail("gradCheck: output does not require grad", file: file, line: line)
        return
    }
    let g = Generator(seed: 1234)
    let weights = (0..<y.count).map { _ in g.nextFloat() * 2 - 1 }
    let w = Tensor(weights, shape: y.shape)
    (y * w).sum().backward()

    func loss() -> Double {
        let out = noGrad { f(leaves) }.toArray()
        var acc = 0.0
        for (v, wi) in zip(out, weights) { acc += Double(v) * Double(wi) }
        return acc
    }

    for (i, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.toArray() ?? [Float](repeating: 0, count: leaf.count)
        if let gr = leaf.grad {
            XCTAssertEqual(gr.shape, leaf.shape, "gradCheck: input \(i) gradient shape", file: file, line: line)
        }
        var failures = 0
        var anyNonzero = false
        for k in 0..<leaf.count {
            let original = leaf.storage.pointer[k]
            leaf.storage.pointer[k] = original + eps
            let plus = loss()
            leaf.storage.pointer[k] = original - eps
            let minus = loss()
            leaf.storage.pointer[k] = original
            let numeric = (plus - minus) / (Double(original + eps) - Double(original - eps))
            if Swift.abs(numeric) > atol { anyNonzero = true }
            let a = Double(analytic[k])
            let tolerance = atol + rtol * Swift.max(Swift.abs(a), Swift.abs(numeric))
            if !(Swift.abs(a - numeric) <= tolerance) {
                failures += 1
                if failures <= 5 {
                    XCTFail("gradCheck: input \(i) (shape \(leaf.shape)) element \(k): autograd \(a), finite difference \(numeric)",
                            file: file, line: line)
                }
            }
        }
        if leaf.grad == nil && anyNonzero {
            XCTFail("gradCheck: input \(i) got no gradient", file: file, line: line)
        }
    }
}

/// Convenience for one input.
func gradCheck(_ input: Tensor, eps: Float = 1e-2, atol: Double = 1e-2, rtol: Double = 1e-2,
               file: StaticString = #filePath, line: UInt = #line, _ f: (Tensor) -> Tensor) {
    gradCheck([input], eps: eps, atol: atol, rtol: rtol, file: file, line: line) { f($0[0]) }
}

/// Asserts shape and values (relative `accuracy`, absolute near zero) of a tensor.
func assertTensor(_ t: Tensor, _ expected: [Float], shape: [Int]? = nil, accuracy: Float = 1e-5,
                  file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(t.shape, shape, "shape", file: file, line: line) }
    let v = t.toArray()
    XCTAssertEqual(v.count, expected.count, "element count", file: file, line: line)
    for (k, (a, b)) in zip(v, expected).enumerated() {
        if a.isNaN && b.isNaN { continue }
        if a == b { continue }  // also equal infinities
        if !(Swift.abs(a - b) <= accuracy * Swift.max(1, Swift.abs(b))) {
            XCTFail("element \(k): got \(a), expected \(b) (all: \(v))", file: file, line: line)
            return
        }
    }
}

/// Deterministic test input of `shape` with values in [lo, hi).
func sample(_ shape: [Int], seed: UInt64 = 7, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
    Tensor.uniform(shape, low: lo, high: hi, generator: Generator(seed: seed))
}

/// The error a ShapeCheck scope reports for `body`, if any.
func shapeError(_ body: () -> Void) -> ShapeError? {
    do {
        try ShapeCheck.run { body() }
        return nil
    } catch let e as ShapeError {
        return e
    } catch {
        return nil
    }
}
