import XCTest
@testable import Tensors
final class PlaceholderTests: XCTestCase {
    func testSmoke() {
        let a = Tensor([[1, 2], [3, 4]]).requiringGrad()
        let b = Tensor([[5, 6], [7, 8]]).requiringGrad()
        let y = (a.matmul(b) * 2 + a).relu().sum()
        XCTAssertEqual(y.item(), 278)
        y.backward()
        print(a.grad!.toArray(), b.grad!.toArray())
        XCTAssertEqual(a.grad!.toArray(), [23, 31, 23, 31] as [Float])
        XCTAssertEqual(b.grad!.toArray(), [8, 8, 12, 12])
        let c = Tensor([1, 2, 3]).requiringGrad()
        let z = (c.reshape([3, 1]) + Tensor([10, 20])).sum(dim: 1).exp().sum()
        _ = z
    }
}
