import XCTest
@testable import Tensors

final class JoiningTests: XCTestCase {
    func testCat() {
        let a = Tensor([[1, 2]]), b = Tensor([[3, 4], [5, 6]])
        assertTensor(Tensor.cat([a, b]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        assertTensor(Tensor.cat([b, b.t], dim: 1), [3, 4, 3, 5, 5, 6, 4, 6], shape: [2, 4])
        assertTensor(Tensor.cat([Tensor([1]), Tensor.zeros([0]), Tensor([2, 3])]), [1, 2, 3])
        assertTensor(Tensor.cat([a, Tensor.zeros([0])], dim: 0), [1, 2], shape: [1, 2])  // legacy empty 1-D skipped
        XCTAssertEqual(shapeError { _ = Tensor.cat([a, Tensor.zeros([2, 3])]) }?.message,
                       "sizes of tensors must match except in dimension 0: expected size 2 but got size 3 for tensor number 1 in the list (shapes [1, 2] and [2, 3])")
        XCTAssertEqual(shapeError { _ = Tensor.cat([a, Tensor.zeros([2])]) }?.op, "cat")
    }

    func testStack() {
        let a = Tensor([1, 2]), b = Tensor([3, 4])
        assertTensor(Tensor.stack([a, b]), [1, 2, 3, 4], shape: [2, 2])
        assertTensor(Tensor.stack([a, b], dim: 1), [1, 3, 2, 4], shape: [2, 2])
        assertTensor(Tensor.stack([a, b], dim: -1), [1, 3, 2, 4], shape: [2, 2])
        XCTAssertEqual(shapeError { _ = Tensor.stack([a, Tensor([1])]) }?.message,
                       "expects each tensor to be equal size, but got [2] at entry 0 and [1] at entry 1")
    }

    func testSplitChunk() {
        let x = Tensor.arange(10).reshape([5, 2])
        let parts = x.split(2)
        XCTAssertEqual(parts.map { $0.shape }, [[2, 2], [2, 2], [1, 2]])
        assertTensor(parts[2], [8, 9])
        XCTAssertTrue(parts[1].storage === x.storage)    // views
        XCTAssertEqual(x.split(sizes: [1, 4]).map { $0.shape[0] }, [1, 4])
        XCTAssertEqual(x.split(1, dim: 1).map { $0.shape }, [[5, 1], [5, 1]])
        XCTAssertEqual(x.chunk(2).map { $0.shape[0] }, [3, 2])
        XCTAssertEqual(x.chunk(3).map { $0.shape[0] }, [2, 2, 1])
        XCTAssertEqual(Tensor.arange(6).chunk(4).map { $0.count }, [2, 2, 2])  // fewer chunks, like PyTorch
        XCTAssertEqual(shapeError { _ = x.split(sizes: [1, 2]) }?.message,
                       "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=[1, 2]")
    }

    func testPad() {
        let x = Tensor([[1, 2], [3, 4]])
        assertTensor(x.pad([1, 0]), [0, 1, 2, 0, 3, 4], shape: [2, 3])
        assertTensor(x.pad([0, 1, 1, 0], value: 9), [9, 9, 9, 1, 2, 9, 3, 4, 9], shape: [3, 3])
        assertTensor(x.pad([-1, 1]), [2, 0, 4, 0], shape: [2, 2])   // negative pads crop
        XCTAssertEqual(x.unsqueeze(0).pad([1, 1, 1, 1, 2, 0]).shape, [3, 4, 4])
        XCTAssertEqual(shapeError { _ = x.pad([1, 1, 1, 1, 2, 0]) }?.message, "padding length 6 is too large for a 2-D input (at most 4 values)")
        assertTensor(x.t.pad([1, 0]), [0, 1, 3, 0, 2, 4])
        XCTAssertEqual(shapeError { _ = x.pad([1]) }?.message, "padding length must be divisible by 2, got 1 values [1]")
        XCTAssertEqual(shapeError { _ = x.pad([-2, -1]) }?.op, "pad")
    }

    func testGradients() {
        let a = sample([2, 3]), b = sample([1, 3], seed: 2), c = sample([2, 2], seed: 3)
        gradCheck([a, b]) { Tensor.cat([$0[0], $0[1]]) }
        gradCheck([a, c]) { Tensor.cat([$0[0], $0[1], $0[0]], dim: 1) }
        gradCheck([a, a]) { Tensor.stack([$0[0], $0[1].exp()], dim: 1) }
        gradCheck(a) { x in Tensor.cat(x.split(2, dim: 1).reversed(), dim: 1) }
        gradCheck(a) { x in x.split(sizes: [1, 2], dim: 1)[1] }
        gradCheck(a) { x in x.chunk(2, dim: 0)[1] * 2 }
        gradCheck(a) { $0.pad([1, 2]) }
        gradCheck(a) { $0.pad([0, 1, 2, 1], value: 3) }
        gradCheck(a) { $0.pad([-1, 1]) }
    }
}
