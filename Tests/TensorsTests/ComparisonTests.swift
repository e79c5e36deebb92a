import XCTest
@testable import Tensors

final class ComparisonTests: XCTestCase {
    func testMasksAreFloat() {
        let a = Tensor([1, 2, 3]), b = Tensor([3, 2, 1])
        assertTensor(a.eq(b), [0, 1, 0])
        assertTensor(a.ne(b), [1, 0, 1])
        assertTensor(a.lt(b), [1, 0, 0])
        assertTensor(a.le(b), [1, 1, 0])
        assertTensor(a.gt(b), [0, 0, 1])
        assertTensor(a.ge(b), [0, 1, 1])
        assertTensor(a .> 1.5, [0, 1, 1])
        assertTensor(a .== 2, [0, 1, 0])
        assertTensor(a .<= b, [1, 1, 0])
        assertTensor(Tensor([[1], [2]]) .< Tensor([1, 2, 3]), [0, 1, 1, 0, 0, 1], shape: [2, 3])
        assertTensor(Tensor([.nan, 1]).eq(Tensor([.nan, 1])), [0, 1])
        assertTensor(Tensor([.nan, 1, .infinity]).isNaN(), [1, 0, 0])
        assertTensor(Tensor([.nan, 1, .infinity]).isFinite(), [0, 1, 0])
        XCTAssertFalse(a.requiringGrad().gt(b).requiresGrad)   // comparisons have no gradient
        XCTAssertTrue(a.equal(Tensor([1, 2, 3])))
        XCTAssertTrue(a.allClose(Tensor([1, 2, 3.000001])))
    }

    func testWhereAndMaskedFill() {
        let c = Tensor([1, 0, 2])
        assertTensor(Tensor.where(c, Tensor([1, 2, 3]), Tensor([10, 20, 30])), [1, 20, 3])
        assertTensor(Tensor.where(Tensor([[1], [0]]), Tensor([1, 2]), Tensor(Float(0))), [1, 2, 0, 0], shape: [2, 2])
        assertTensor(Tensor.where(c, Tensor([1, 2, 3]), -1), [1, -1, 3])
        assertTensor(Tensor.where(c, 5, Tensor([1, 2, 3])), [5, 2, 5])
        let x = Tensor([[1, 2], [3, 4]])
        assertTensor(x.maskedFill(x .> 2, -1), [1, 2, -1, -1])
        assertTensor(x.maskedFill(Tensor([1, 0]), 0), [0, 2, 0, 4])  // broadcast mask
        XCTAssertEqual(shapeError { _ = Tensor([1, 2]).maskedFill(Tensor.ones([2, 2]), 0) }?.message,
                       "mask of shape [2, 2] cannot be broadcast to the tensor's shape [2]")
    }

    func testMaximumMinimum() {
        let a = Tensor([1, 5, 3, .nan]), b = Tensor([2, 4, 3, 0])
        let mx = a.maximum(b).toArray(), mn = a.minimum(b).toArray()
        XCTAssertEqual(Array(mx[0..<3]), [2, 5, 3])
        XCTAssertEqual(Array(mn[0..<3]), [1, 4, 3])
        XCTAssertTrue(mx[3].isNaN && mn[3].isNaN)
        assertTensor(Tensor([[1], [5]]).maximum(Tensor([2, 3])), [2, 3, 5, 5], shape: [2, 2])
        // Ties split the gradient evenly (PyTorch semantics).
        let x = Tensor([1, 3]).requiringGrad(), y = Tensor([2, 3]).requiringGrad()
        x.maximum(y).sum().backward()
        assertTensor(x.grad!, [0, 0.5])
        assertTensor(y.grad!, [1, 0.5])
    }

    func testGradients() {
        let a = sample([2, 3]), b = sample([3], seed: 5)
        let mask = Tensor([[1, 0, 1], [0, 0, 1]])
        gradCheck([a, b]) { Tensor.where(mask, $0[0], $0[1]) }
        gradCheck([a, sample([2, 1], seed: 6)]) { Tensor.where(Tensor([1, 0, 1]), $0[1], $0[0]) }
        gradCheck(a) { $0.maskedFill(mask, 2) }
        gradCheck([a, b]) { $0[0].maximum($0[1]) }
        gradCheck([a, b]) { $0[0].minimum($0[1]) }
    }
}
