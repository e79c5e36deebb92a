import Foundation
import XCTest
@testable import Tensors

final class UnaryTests: XCTestCase {
    let xs: [Float] = [-2, -0.5, 0.25, 1, 3]

    func check(_ op: (Tensor) -> Tensor, _ reference: (Float) -> Float, _ input: [Float]? = nil,
               file: StaticString = #filePath, line: UInt = #line) {
        let v = input ?? xs
        assertTensor(op(Tensor(v)), v.map(reference), shape: [v.count], file: file, line: line)
    }

    func testValues() {
        let pos: [Float] = [0.25, 1, 4, 9]
        check({ $0.exp() }, { Foundation.exp($0) })
        check({ $0.log() }, { Foundation.log($0) }, pos)
        check({ $0.sqrt() }, { $0.squareRoot() }, pos)
        check({ $0.rsqrt() }, { 1 / $0.squareRoot() }, pos)
        check({ $0.pow(2) }, { $0 * $0 })
        check({ $0.pow(3) }, { $0 * $0 * $0 })
        check({ $0.pow(0.5) }, { $0.squareRoot() }, pos)
        check({ $0.abs() }, { Swift.abs($0) })
        check({ $0.sign() }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, [-3, 0, 2])
        check({ $0.sin() }, { Foundation.sin($0) })
        check({ $0.cos() }, { Foundation.cos($0) })
        check({ $0.tanh() }, { Foundation.tanh($0) })
        check({ $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) })
        check({ $0.relu() }, { Swift.max($0, 0) })
        check({ $0.clamp(min: -1, max: 1) }, { Swift.min(Swift.max($0, -1), 1) })
        check({ $0.clamp(min: 0) }, { Swift.max($0, 0) })
        check({ $0.clamp(max: 0.5) }, { Swift.min($0, 0.5) })
    }

    func testNonContiguousInput() {
        let x = Tensor([[1, 2], [3, 4]]).t   // strided view
        assertTensor(x.exp(), [1, 3, 2, 4].map { Foundation.exp($0) }, shape: [2, 2])
    }

    func testGradients() {
        let x = Tensor([[-1.3, -0.4, 0.3], [0.7, 1.1, 2.0]])
        let pos = Tensor([[0.3, 0.8, 1.5], [2.0, 2.5, 3.0]])
        gradCheck(x) { $0.exp() }
        gradCheck(pos) { $0.log() }
        gradCheck(pos) { $0.sqrt() }
        gradCheck(pos) { $0.rsqrt() }
        gradCheck(x) { $0.pow(2) }
        gradCheck(x) { $0.pow(3) }
        gradCheck(pos) { $0.pow(-1.5) }
        gradCheck(x) { $0.abs() }
        gradCheck(x) { $0.sin() }
        gradCheck(x) { $0.cos() }
        gradCheck(x) { $0.tanh() }
        gradCheck(x) { $0.sigmoid() }
        gradCheck(x) { $0.relu() }
        gradCheck(x) { $0.clamp(min: -1, max: 1) }
        gradCheck(x) { $0.sign() * $0 }  // sign has zero gradient: d(sign(x)·x) = sign(x)
    }

    func testReluGradientAtZeroIsZero() {
        let x = Tensor([0, 1]).requiringGrad()
        x.relu().sum().backward()
        assertTensor(x.grad!, [0, 1])
    }
}
