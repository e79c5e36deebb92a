import XCTest
@testable import Tensors

final class MovementTests: XCTestCase {
    func testViewReshapeFlatten() {
        let x = Tensor.arange(6)
        assertTensor(x.view([2, 3]), [0, 1, 2, 3, 4, 5], shape: [2, 3])
        XCTAssertEqual(x.view([-1, 2]).shape, [3, 2])
        let t = x.view([2, 3]).t
        XCTAssertFalse(t.isContiguous)
        assertTensor(t.reshape([6]), [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(Tensor.zeros([2, 3, 4, 5]).flatten(startDim: 1, endDim: 2).shape, [2, 12, 5])
        XCTAssertEqual(Tensor(Float(1)).flatten().shape, [1])
        XCTAssertEqual(shapeError { _ = x.view([4, 2]) }?.message, "shape [4, 2] is invalid for input of size 6")
        XCTAssertEqual(shapeError { _ = t.view([6]) }?.op, "view")
        XCTAssertEqual(shapeError { _ = x.view([-1, -1]) }?.message, "only one dimension can be inferred in [-1, -1]")
    }

    func testPermuteTransposeExpand() {
        let x = Tensor.arange(24).reshape([2, 3, 4])
        let p = x.permute([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p[1, 1, 2].item(), x[1, 2, 1].item())
        XCTAssertEqual(x.transpose(0, 2).shape, [4, 3, 2])
        XCTAssertEqual(x.transpose(-1, -2)[0, 3, 2].item(), 11)
        let e = Tensor([[1], [2]]).expand([2, 2, 3])
        assertTensor(e, [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2], shape: [2, 2, 3])
        XCTAssertEqual(Tensor([1, 2]).expand([3, -1]).shape, [3, 2])
        XCTAssertEqual(shapeError { _ = Tensor([1, 2]).expand([3, 3]) }?.message,
                       "the expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 1; target sizes: [3, 3], tensor sizes: [2]")
        XCTAssertEqual(shapeError { _ = x.permute([0, 1]) }?.op, "permute")
    }

    func testSqueezeUnsqueeze() {
        let x = Tensor.zeros([1, 3, 1, 2])
        XCTAssertEqual(x.squeeze().shape, [3, 2])
        XCTAssertEqual(x.squeeze(0).shape, [3, 1, 2])
        XCTAssertEqual(x.squeeze(1).shape, [1, 3, 1, 2])   // not size 1: unchanged
        XCTAssertEqual(x.squeeze(-2).shape, [1, 3, 2])
        XCTAssertEqual(x.unsqueeze(0).shape, [1, 1, 3, 1, 2])
        XCTAssertEqual(x.unsqueeze(-1).shape, [1, 3, 1, 2, 1])
        XCTAssertEqual(x.unsqueeze(4).shape, [1, 3, 1, 2, 1])
        XCTAssertEqual(Tensor(Float(2)).unsqueeze(0).shape, [1])
        XCTAssertNotNil(shapeError { _ = x.unsqueeze(6) })
        // Views: a write through the squeezed view is seen by the base.
        let base = Tensor.zeros([1, 3])
        base.squeeze().storage.pointer[base.squeeze().offset + 1] = 5
        assertTensor(base, [0, 5, 0])
    }

    func testFlip() {
        let x = Tensor.arange(6).reshape([2, 3])
        assertTensor(x.flip([1]), [2, 1, 0, 5, 4, 3], shape: [2, 3])
        assertTensor(x.flip([0, 1]), [5, 4, 3, 2, 1, 0])
        assertTensor(x.t.flip([0]), [2, 5, 1, 4, 0, 3])
        XCTAssertTrue(x.flip([0]).isContiguous)
    }

    func testRepeat() {
        let x = Tensor([1, 2])
        assertTensor(x.repeat([3]), [1, 2, 1, 2, 1, 2], shape: [6])
        assertTensor(x.repeat([2, 2]), [1, 2, 1, 2, 1, 2, 1, 2], shape: [2, 4])
        let m = Tensor([[1, 2], [3, 4]])
        assertTensor(m.repeat([2, 1]), [1, 2, 3, 4, 1, 2, 3, 4], shape: [4, 2])
        assertTensor(m.repeat([1, 2]), [1, 2, 1, 2, 3, 4, 3, 4], shape: [2, 4])
        XCTAssertEqual(m.repeat([2, 1, 3]).shape, [2, 2, 6])
        XCTAssertEqual(shapeError { _ = m.repeat([2]) }?.message,
                       "number of dimensions of repeat dims (1) can not be smaller than number of dimensions of tensor (2)")
    }

    func testGradients() {
        let x = sample([2, 3, 4])
        gradCheck(x) { $0.view([6, 4]) }
        gradCheck(x) { $0.reshape([4, -1]) }
        gradCheck(x) { $0.transpose(0, 2).reshape([24]) }   // reshape of a non-contiguous view
        gradCheck(x) { $0.flatten(startDim: 1) }
        gradCheck(x) { $0.permute([1, 2, 0]) }
        gradCheck(x) { $0.transpose(1, 2) }
        gradCheck(sample([2, 3])) { $0.t }
        gradCheck(sample([3, 1])) { $0.expand([2, 3, 4]) }
        gradCheck(sample([1, 3, 1])) { $0.squeeze() }
        gradCheck(sample([1, 3, 1])) { $0.squeeze(-1) }
        gradCheck(sample([3, 2])) { $0.unsqueeze(1) }
        gradCheck(x) { $0.flip([0, 2]) }
        gradCheck(sample([2, 3])) { $0.repeat([2, 1, 3]) }
        gradCheck(x) { $0.transpose(0, 1).contiguous() }
        gradCheck(x) { $0.clone() }
    }

    func testViewsShareStorage() {
        let base = Tensor.zeros([3, 4])
        let v = base.transpose(0, 1)
        XCTAssertTrue(v.storage === base.storage)
        v[2, 1] = Tensor(Float(7))              // v[2, 1] is base[1, 2]
        XCTAssertEqual(base[1, 2].item(), 7)
        base.view([12]).narrow(0, start: 0, length: 2).fill(3)
        assertTensor(base[0], [3, 3, 0, 0])
        let row = Tensor([1, 2])
        let e = row.expand([3, 2])
        XCTAssertTrue(e.storage === row.storage)
        XCTAssertEqual(e.strides, [0, 1])
    }
}
