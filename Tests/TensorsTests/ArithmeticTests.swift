import XCTest
@testable import Tensors

final class ArithmeticTests: XCTestCase {
    func testBroadcastValues() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        let b = Tensor([10, 20, 30])
        assertTensor(a + b, [11, 22, 33, 14, 25, 36], shape: [2, 3])
        assertTensor(a - b, [-9, -18, -27, -6, -15, -24], shape: [2, 3])
        assertTensor(a * Tensor([[2], [3]]), [2, 4, 6, 12, 15, 18], shape: [2, 3])
        assertTensor(a / Tensor([[2], [4]]), [0.5, 1, 1.5, 1, 1.25, 1.5], shape: [2, 3])
        // [2,1] op [1,3] -> [2,3]; [3] op [2,1,1] -> [2,1,3]
        assertTensor(Tensor([[1], [2]]) + Tensor([[10, 20, 30]]), [11, 21, 31, 12, 22, 32], shape: [2, 3])
        XCTAssertEqual((Tensor([1, 2, 3]) + Tensor([1, 1], shape: [2, 1, 1])).shape, [2, 1, 3])
        assertTensor(a.add(b, alpha: 2), [21, 42, 63, 24, 45, 66])
        assertTensor(a.sub(b, alpha: 0.5), [-4, -8, -12, -1, -5, -9])
    }

    func testScalarOps() {
        let x = Tensor([1, 2, 4])
        assertTensor(x + 1, [2, 3, 5])
        assertTensor(1 + x, [2, 3, 5])
        assertTensor(x - 1, [0, 1, 3])
        assertTensor(1 - x, [0, -1, -3])
        assertTensor(x * 3, [3, 6, 12])
        assertTensor(x / 4, [0.25, 0.5, 1])
        assertTensor(4 / x, [4, 2, 1])
        assertTensor(-x, [-1, -2, -4])
        // True division, like PyTorch: 1/3 is not 1 * (1/3) to the last bit for all x.
        XCTAssertEqual((Tensor([7]) / 3).item(), Float(7) / Float(3))
    }

    func testLargeBroadcastAndStridedCopiesSplitAcrossWorkers() {
        // Big enough (> 2 × Parallel.grain elements) to take the parallel strided path.
        let rows = 301, cols = 400
        let a = Tensor.arange(rows * cols).reshape([rows, cols])
        let bias = Tensor.arange(cols) * 0.5
        let sum = (a + bias).toArray()
        for (r, c) in [(0, 0), (150, 7), (300, 399), (17, 250)] {
            XCTAssertEqual(sum[r * cols + c], Float(r * cols + c) + Float(c) * 0.5)
        }
        let t = a.t.contiguous().toArray()          // [cols, rows]
        for (c, r) in [(0, 0), (399, 300), (5, 200)] { XCTAssertEqual(t[c * rows + r], Float(r * cols + c)) }
        let col = Tensor.arange(rows).reshape([rows, 1])
        let masked = Tensor.where(col .> 150, a, Tensor(Float(-1))).toArray()
        XCTAssertEqual(masked[150 * cols + 3], -1)
        XCTAssertEqual(masked[151 * cols + 3], Float(151 * cols + 3))
    }

    func testBroadcastErrorMessage() {
        let e = shapeError { _ = Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
        XCTAssertEqual(e?.op, "add")
        XCTAssertEqual(e?.message, "the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1; shapes [2, 3] and [4] cannot be broadcast")
    }

    func testGradAddSubBroadcast() {
        gradCheck([sample([2, 3]), sample([3], seed: 2)]) { $0[0] + $0[1] }
        gradCheck([sample([2, 1]), sample([1, 3], seed: 2)]) { $0[0] - $0[1] }
        gradCheck([sample([2, 3]), sample([2, 3], seed: 2)]) { $0[0].add($0[1], alpha: 2.5) }
        gradCheck([sample([3]), sample([2, 3], seed: 2)]) { $0[0].sub($0[1], alpha: -1.5) }
        gradCheck([sample([2, 3]), sample([], seed: 3)]) { $0[0] + $0[1] }
    }

    func testGradMulDivBroadcast() {
        gradCheck([sample([2, 3]), sample([3], seed: 2)]) { $0[0] * $0[1] }
        gradCheck([sample([4, 1, 3]), sample([2, 1], seed: 2)]) { $0[0] * $0[1] }
        gradCheck([sample([2, 3]), sample([2, 1], seed: 2, 1, 2)]) { $0[0] / $0[1] }
        gradCheck([sample([3], seed: 4, 1, 2), sample([2, 3], seed: 2)]) { $0[1] / $0[0] }
        // The same tensor on both sides: gradients from both uses add up.
        gradCheck(sample([2, 2])) { $0 * $0 }
    }

    func testGradScalarOps() {
        gradCheck(sample([2, 3])) { $0 + 2 }
        gradCheck(sample([2, 3])) { 3 - $0 }
        gradCheck(sample([2, 3])) { $0 - 3 }
        gradCheck(sample([2, 3])) { $0 * -1.5 }
        gradCheck(sample([2, 3])) { $0 / 4 }
        gradCheck(sample([2, 3], 1, 2)) { 2 / $0 }
        gradCheck(sample([2, 3])) { -$0 }
    }

    func testInPlaceOps() {
        let x = Tensor([1, 2, 3])
        x.addInPlace(Tensor([1, 1, 1]))
        assertTensor(x, [2, 3, 4])
        x.addInPlace(Tensor([1, 1, 1]), alpha: -2)
        assertTensor(x, [0, 1, 2])
        x.mulInPlace(Tensor(Float(3)))
        assertTensor(x, [0, 3, 6])
        x.subInPlace(Tensor([1, 1, 1]))
        assertTensor(x, [-1, 2, 5])
        x += Tensor([1, 1, 1])
        x *= 2
        assertTensor(x, [0, 6, 12])
        x.fill(7)
        assertTensor(x, [7, 7, 7])
        x.zero()
        assertTensor(x, [0, 0, 0])
        x.copy(from: Tensor(Float(5)))
        assertTensor(x, [5, 5, 5])
        // The output shape of an in-place op cannot change by broadcasting.
        let e = shapeError { Tensor.zeros([3]).addInPlace(Tensor.zeros([2, 3])) }
        XCTAssertEqual(e?.op, "add_")
    }
}
