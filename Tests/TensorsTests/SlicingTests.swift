import XCTest
@testable import Tensors

final class SlicingTests: XCTestCase {
    let x = Tensor.arange(12).reshape([3, 4])

    func testNarrow() {
        assertTensor(x.narrow(1, start: 1, length: 2), [1, 2, 5, 6, 9, 10], shape: [3, 2])
        assertTensor(x.narrow(0, start: -1, length: 1), [8, 9, 10, 11], shape: [1, 4])
        XCTAssertEqual(shapeError { _ = x.narrow(1, start: 3, length: 2) }?.message,
                       "start (3) + length (2) exceeds dimension size (4) of dimension 1 (shape [3, 4])")
    }

    func testSlice() {
        assertTensor(x.slice(1, start: 0, end: 4, step: 2), [0, 2, 4, 6, 8, 10], shape: [3, 2])
        assertTensor(x.slice(1, start: -2), [2, 3, 6, 7, 10, 11], shape: [3, 2])
        assertTensor(x.slice(0, end: -1), [0, 1, 2, 3, 4, 5, 6, 7], shape: [2, 4])
        XCTAssertEqual(x.slice(1, start: 10).shape, [3, 0])   // clamped like Python
        assertTensor(x.slice(1, start: 1, end: 100, step: 2), [1, 3, 5, 7, 9, 11])
        XCTAssertEqual(shapeError { _ = x.slice(0, step: 0) }?.message, "step must be greater than zero, got 0")
    }

    func testSelectAndSubscript() {
        assertTensor(x[1], [4, 5, 6, 7], shape: [4])
        assertTensor(x[-1], [8, 9, 10, 11])
        XCTAssertEqual(x[1, 2].item(), 6)
        XCTAssertEqual(x[1, 2].shape, [])
        assertTensor(x[.all, 1], [1, 5, 9], shape: [3])
        assertTensor(x[0..<2, 1...2], [1, 2, 5, 6], shape: [2, 2])
        assertTensor(x[1..., ..<1], [4, 8], shape: [2, 1])
        assertTensor(x[.ellipsis, -1], [3, 7, 11])
        assertTensor(x[.stride(nil, nil, by: 2), .stride(1, nil, by: 2)], [1, 3, 9, 11], shape: [2, 2])
        XCTAssertEqual(x[.newAxis, .all, 0].shape, [1, 3])
        XCTAssertEqual(x[0, .newAxis].shape, [1, 4])
        XCTAssertEqual(x[(-2)...].shape, [2, 4])
        assertTensor(x.select(1, 0), [0, 4, 8])
        XCTAssertEqual(shapeError { _ = x[3] }?.message, "index 3 is out of bounds for dimension 0 with size 3")
        XCTAssertEqual(shapeError { _ = x[0, 0, 0] }?.message, "too many indices for tensor of dimension 2 (got 3)")
    }

    func testSubscriptSetWritesThrough() {
        let t = Tensor.zeros([2, 3])
        t[1] = Tensor([1, 2, 3])
        t[.all, 0] = Tensor(Float(9))
        assertTensor(t, [9, 0, 0, 9, 2, 3])
        XCTAssertEqual(t.storage.version, 2)
    }

    func testIndexSelect() {
        assertTensor(x.indexSelect(0, IntTensor([2, 0])), [8, 9, 10, 11, 0, 1, 2, 3], shape: [2, 4])
        assertTensor(x.indexSelect(1, IntTensor([3, 3, 1])), [3, 3, 1, 7, 7, 5, 11, 11, 9], shape: [3, 3])
        assertTensor(x.t.indexSelect(1, IntTensor([1])), [4, 5, 6, 7], shape: [4, 1])
        XCTAssertEqual(shapeError { _ = x.indexSelect(0, IntTensor([3])) }?.message,
                       "index 3 is out of range for dimension 0 with size 3")
    }

    func testGatherScatterAdd() {
        let src = Tensor([[1, 2], [3, 4]])
        assertTensor(src.gather(1, IntTensor([[0, 0], [1, 0]])), [1, 1, 4, 3], shape: [2, 2])
        assertTensor(src.gather(0, IntTensor([[1, 0]])), [3, 2], shape: [1, 2])
        // Index smaller than self in the other dims.
        assertTensor(x.gather(1, IntTensor([[3], [0]])), [3, 4], shape: [2, 1])
        // torch.zeros(3, 5).scatter_add(0, [[0,1,2,0,0],[2,0,0,1,2]], ones(2,5))
        let idx = IntTensor([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]])
        let out = Tensor.zeros([3, 5]).scatterAdd(0, idx, Tensor.ones([2, 5]))
        assertTensor(out, [1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], shape: [3, 5])
        // Source larger than index: only the index-shaped corner is used.
        let o2 = Tensor.zeros([2]).scatterAdd(0, IntTensor([1]), Tensor([5, 7]))
        assertTensor(o2, [0, 5])
        XCTAssertEqual(shapeError { _ = src.gather(1, IntTensor([[2, 0], [0, 0]])) }?.message,
                       "index 2 is out of bounds for dimension 1 with size 2")
        XCTAssertEqual(shapeError { _ = src.gather(1, IntTensor([0, 1])) }?.op, "gather")
        // Out of place: self is unchanged.
        let base = Tensor.zeros([2])
        _ = base.scatterAdd(0, IntTensor([0]), Tensor([1]))
        assertTensor(base, [0, 0])
    }

    func testGradients() {
        let s = sample([3, 4])
        gradCheck(s) { $0.narrow(1, start: 1, length: 2) }
        gradCheck(s) { $0.slice(1, start: 0, end: 4, step: 3) }
        gradCheck(s) { $0.select(0, 1) }
        gradCheck(s) { $0[.all, 1..<3] }
        gradCheck(s) { $0[1..., .newAxis, .stride(nil, nil, by: 2)] }
        gradCheck(s) { $0.indexSelect(0, IntTensor([2, 0, 2])) }   // repeated index: gradients add
        gradCheck(s) { $0.t.indexSelect(1, IntTensor([1])) }
        gradCheck(s) { $0.gather(1, IntTensor([[0, 0, 3], [1, 2, 2], [3, 3, 3]])) }
        gradCheck(s) { $0.gather(0, IntTensor([[2, 0]])) }
        let idx = IntTensor([[0, 1, 2, 0], [2, 0, 0, 1]])
        gradCheck([s, sample([2, 4], seed: 3)]) { $0[0].scatterAdd(0, idx, $0[1]) }
        gradCheck([s, sample([3, 5], seed: 3)]) { $0[0].scatterAdd(1, IntTensor([[1], [3], [0]]), $0[1]) }
    }
}
