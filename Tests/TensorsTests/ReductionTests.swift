import Foundation
import XCTest
@testable import Tensors

final class ReductionTests: XCTestCase {
    let m = Tensor([[1, 2, 3], [4, 5, 6]])

    func testSumMean() {
        assertTensor(m.sum(), [21], shape: [])
        assertTensor(m.sum(dim: 0), [5, 7, 9], shape: [3])
        assertTensor(m.sum(dim: -1, keepdim: true), [6, 15], shape: [2, 1])
        assertTensor(m.mean(), [3.5], shape: [])
        assertTensor(m.mean(dim: 1), [2, 5], shape: [2])
        let c = Tensor.arange(24).reshape([2, 3, 4])
        assertTensor(c.sum(dims: [0, 2]), [60, 92, 124], shape: [3])
        assertTensor(c.sum(dims: [2, 0], keepdim: true), [60, 92, 124], shape: [1, 3, 1])
        assertTensor(c.permute([2, 0, 1]).sum(dim: 0), [6, 22, 38, 54, 70, 86], shape: [2, 3])
        XCTAssertEqual(shapeError { _ = m.sum(dims: [0, -2]) }?.message, "dim 0 appears multiple times in the list of dims")
        XCTAssertEqual(shapeError { _ = m.sum(dim: 2) }?.message, "dimension out of range (expected to be in range of [-2, 1], but got 2)")
    }

    func testLargeSumsAreAccurate() {
        // A naive Float loop drifts by ~1% here; blocked SIMD + Double blocks does not.
        let n = 1 << 20
        let exact = Double(Float(0.1)) * Double(n)
        XCTAssertEqual(Double(Tensor.full([n], 0.1).sum().item()), exact, accuracy: exact * 1e-6)
        XCTAssertEqual(Double(Tensor.full([n], 0.1).mean().item()), Double(Float(0.1)), accuracy: 1e-7)
        let rows = Tensor.full([4, n / 4], 0.1).sum(dim: 1).toArray()
        for r in rows { XCTAssertEqual(Double(r), exact / 4, accuracy: exact * 1e-6) }
        // Parallel split of one long row with an uneven tail.
        let ramp = Tensor.arange(Float(0), Float(100_003))
        XCTAssertEqual(ramp.sum().item(), Float(100_002.0 * 100_003.0 / 2))  // exact up to Float rounding
    }

    func testVarStd() {
        // Row 0: mean 2, squared deviations 1+0+1 = 2. Row 1: same.
        assertTensor(m.var(dim: 1), [1, 1], shape: [2])
        assertTensor(m.var(dim: 1, correction: 0), [2.0 / 3, 2.0 / 3])
        assertTensor(m.std(dim: 0, keepdim: true), [2.1213203, 2.1213203, 2.1213203], shape: [1, 3])
        // All: mean 3.5, Σ(x-3.5)² = 17.5 → 17.5/5 = 3.5 (unbiased).
        assertTensor(m.var(), [3.5], shape: [])
        assertTensor(m.std(correction: 0), [Float((17.5 / 6).squareRoot())])
        // A single element with correction 1 divides by zero, like PyTorch (nan).
        XCTAssertTrue(Tensor([3]).var().item().isNaN)
        XCTAssertEqual(m.var().gradFnName, nil)
        XCTAssertEqual(m.requiringGrad().var().gradFnName, "VarBackward0")
    }

    func testLogsumexp() {
        let x = Tensor([[1, 2, 3], [1000, 1000, -Float.infinity]])
        let expected0 = Foundation.log(Foundation.exp(Float(1)) + Foundation.exp(2) + Foundation.exp(3))
        assertTensor(x.logsumexp(dim: 1), [expected0, 1000 + Foundation.log(2)], shape: [2])
        assertTensor(Tensor([-Float.infinity, -Float.infinity]).logsumexp(dim: 0), [-Float.infinity])
        XCTAssertEqual(x.logsumexp(dims: [0, 1], keepdim: true).shape, [1, 1])
    }

    func testProd() {
        assertTensor(m.prod(), [720], shape: [])
        assertTensor(m.prod(dim: 1), [6, 120], shape: [2])
        assertTensor(m.prod(dim: 0, keepdim: true), [4, 10, 18], shape: [1, 3])
        // Gradient with a zero: d/dx_i Π = Π_{j≠i} x_j, exact (no division by zero).
        let z = Tensor([2, 0, 3, 4]).requiringGrad()
        z.prod().backward()
        assertTensor(z.grad!, [0, 24, 0, 0])
        let z2 = Tensor([0, 0, 3]).requiringGrad()
        z2.prod().backward()
        assertTensor(z2.grad!, [0, 0, 0])
    }

    func testNorm() {
        let v = Tensor([[3, -4], [0, 0]])
        assertTensor(v.norm(), [5])
        assertTensor(v.norm(dim: 1), [5, 0])
        assertTensor(v.norm(p: 1, dim: 1), [7, 0])
        assertTensor(v.norm(p: .infinity), [4])
        assertTensor(v.norm(p: -.infinity, dim: 1), [3, 0])
        assertTensor(v.norm(p: 0), [2])
        assertTensor(v.norm(p: 3, dim: 1, keepdim: true), [Float(Foundation.pow(91.0, 1.0 / 3)), 0], shape: [2, 1])
        // The 2-norm of a zero vector has gradient 0, not NaN (like PyTorch).
        let z = Tensor([0, 0]).requiringGrad()
        z.norm().backward()
        assertTensor(z.grad!, [0, 0])
    }

    func testMaxMinWithIndices() {
        let x = Tensor([[1, 5, 5], [7, -1, 2]])
        let (v, i) = x.max(dim: 1)
        assertTensor(v, [5, 7], shape: [2])
        XCTAssertEqual(i, IntTensor([1, 0]))   // ties pick the first index
        let (v0, i0) = x.min(dim: 0, keepdim: true)
        assertTensor(v0, [1, -1, 2], shape: [1, 3])
        XCTAssertEqual(i0, IntTensor([0, 1, 1], shape: [1, 3]))
        assertTensor(x.max(), [7], shape: [])
        assertTensor(x.min(), [-1], shape: [])
        assertTensor(x.amax(dims: [0]), [7, 5, 5])
        assertTensor(x.amin(dims: [0, 1], keepdim: true), [-1], shape: [1, 1])
        XCTAssertEqual(x.argmax(), IntTensor(scalar: 3))
        XCTAssertEqual(x.argmin(), IntTensor(scalar: 4))
        XCTAssertEqual(x.argmax(dim: 1), IntTensor([1, 0]))
        XCTAssertEqual(x.argmin(dim: 0, keepdim: true), IntTensor([0, 1, 1], shape: [1, 3]))
        XCTAssertEqual(x.argmax(keepdim: true).shape, [1, 1])
        // Non-contiguous input and a middle dimension.
        let c = Tensor.arange(24).reshape([2, 3, 4]).permute([2, 1, 0])   // [4, 3, 2]
        let (cv, ci) = c.max(dim: 1)
        XCTAssertEqual(cv.shape, [4, 2])
        assertTensor(cv, [8, 20, 9, 21, 10, 22, 11, 23])
        XCTAssertEqual(ci.values, [Int](repeating: 2, count: 8))
        // NaN propagates.
        let n = Tensor([1, .nan, 3])
        XCTAssertTrue(n.max().item().isNaN)
        XCTAssertEqual(n.argmax(), IntTensor(scalar: 1))
        XCTAssertTrue(n.max(dim: 0).values.item().isNaN)
        XCTAssertEqual(shapeError { _ = Tensor.zeros([0, 2]).max(dim: 0) }?.op, "max")
    }

    func testMaxGradients() {
        // max(dim) sends the gradient to the chosen index; max() splits ties evenly.
        let x = Tensor([[1, 3, 3], [2, 0, 1]]).requiringGrad()
        x.max(dim: 1).values.sum().backward()
        assertTensor(x.grad!, [0, 1, 0, 1, 0, 0])
        let y = Tensor([1, 3, 3]).requiringGrad()
        y.max().backward()
        assertTensor(y.grad!, [0, 0.5, 0.5])
        XCTAssertEqual(y.max().gradFnName, "MaxBackward1")
        XCTAssertEqual(y.max(dim: 0).values.gradFnName, "MaxBackward0")
    }

    func testGradients() {
        let x = Tensor([[0.3, -1.2, 0.8, 2.0], [1.5, 0.1, -0.7, -2.2], [0.4, 1.9, -1.6, 0.9]])
        gradCheck(x) { $0.sum() }
        gradCheck(x) { $0.sum(dim: 1) }
        gradCheck(x) { $0.sum(dims: [0, 1], keepdim: true) }
        gradCheck(x) { $0.mean() }
        gradCheck(x) { $0.mean(dim: 0, keepdim: true) }
        gradCheck(x) { $0.var() }
        gradCheck(x) { $0.var(dim: 1, correction: 0) }
        gradCheck(x) { $0.std(dim: 0, keepdim: true) }
        gradCheck(x) { $0.logsumexp(dim: 1) }
        gradCheck(x) { $0.logsumexp(dims: [0, 1]) }
        gradCheck(x) { $0.prod(dim: 1) }
        gradCheck(x) { $0.prod(dim: 0, keepdim: true) }
        gradCheck(Tensor([0.5, -1.5, 2.0, 0.8])) { $0.prod() }
        gradCheck(x) { $0.norm() }
        gradCheck(x) { $0.norm(dim: 1) }
        gradCheck(x) { $0.norm(p: 1, dim: 0) }
        gradCheck(x) { $0.norm(p: 3, dim: 1) }
        gradCheck(x) { $0.norm(p: .infinity, dim: 1) }
        gradCheck(x) { $0.max(dim: 1).values }
        gradCheck(x) { $0.min(dim: 0, keepdim: true).values }
        gradCheck(x) { $0.max() }
        gradCheck(x) { $0.min() }
        gradCheck(x) { $0.amax(dims: [1]) }
        gradCheck(x) { $0.amin(dims: [0, 1]) }
        gradCheck(x) { $0.t.sum(dim: 0) }   // non-contiguous input
    }
}
