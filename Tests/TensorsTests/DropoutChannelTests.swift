import XCTest
@testable import Tensors

/// Channel-wise and alpha dropout. PyTorch's random stream cannot be
/// reproduced, so these check the semantics: whole channels dropped, the
/// 1/(1−p) scale, SELU statistics kept, seeded masks and gradients = mask.
final class DropoutChannelTests: XCTestCase {
    /// Each [.., L] slice of `y` is either all zero or `x` / (1 − p).
    func assertChannelwise(_ x: Tensor, _ y: Tensor, channels: Int, p: Float, line: UInt = #line) -> Int {
        let xv = x.toArray(), yv = y.toArray()
        let per = xv.count / channels
        var dropped = 0
        for c in 0..<channels {
            let slice = (c * per)..<((c + 1) * per)
            if slice.allSatisfy({ yv[$0] == 0 }) { dropped += 1; continue }
            for i in slice { XCTAssertEqual(yv[i], xv[i] / (1 - p), accuracy: 1e-5, line: line) }
        }
        return dropped
    }

    func testDropoutNdZeroesWholeChannels() {
        let x = Tensor.uniform([8, 16, 3, 2], low: 1, high: 2, generator: Generator(seed: 1))
        let y = Dropout2d(p: 0.3, generator: Generator(seed: 2))(x)
        let dropped = assertChannelwise(x, y, channels: 8 * 16, p: 0.3)
        XCTAssertGreaterThan(dropped, 20)
        XCTAssertLessThan(dropped, 60)
        let x1 = Tensor.uniform([4, 10, 5], low: 1, high: 2, generator: Generator(seed: 1))
        XCTAssertGreaterThan(assertChannelwise(x1, Dropout1d(p: 0.5, generator: Generator(seed: 3))(x1), channels: 40, p: 0.5), 5)
        let x1u = Tensor.uniform([30, 5], low: 1, high: 2, generator: Generator(seed: 1))
        XCTAssertGreaterThan(assertChannelwise(x1u, Dropout1d(p: 0.5, generator: Generator(seed: 3))(x1u), channels: 30, p: 0.5), 5)
        let x3 = Tensor.uniform([2, 20, 2, 2, 2], low: 1, high: 2, generator: Generator(seed: 1))
        XCTAssertGreaterThan(assertChannelwise(x3, Dropout3d(p: 0.5, generator: Generator(seed: 4))(x3), channels: 40, p: 0.5), 5)
        let x3u = Tensor.uniform([20, 2, 2, 2], low: 1, high: 2, generator: Generator(seed: 1))
        XCTAssertGreaterThan(assertChannelwise(x3u, Dropout3d(p: 0.5, generator: Generator(seed: 4))(x3u), channels: 20, p: 0.5), 3)
    }

    func testSeededEvalAndGradient() {
        let x = sample([2, 6, 4])
        let a = Dropout1d(p: 0.4, generator: Generator(seed: 9))(x).toArray()
        let b = Dropout1d(p: 0.4, generator: Generator(seed: 9))(x).toArray()
        XCTAssertEqual(a, b)
        let eval = Dropout2d(p: 0.4).eval()
        XCTAssertTrue(eval(x) === x)
        let xg = x.detach().requiringGrad()
        let y = Dropout1d(p: 0.4, generator: Generator(seed: 9))(xg)
        y.sum().backward()
        // d(sum)/dx is the mask: 0 or 1/(1−p).
        let mask = zip(a, x.toArray()).map { $0.0 == 0 ? Float(0) : Float(1 / 0.6) }
        assertTensor(xg.grad ?? Tensor.zeros([1]), mask, accuracy: 1e-5)
        assertRejects(Dropout2d(), [2, 3], "dropout2d: Expected 3D or 4D input, but received a 2D input")
        assertRejects(Dropout1d(), [2, 3, 4, 5], "Expected 2D or 3D input, but received a 4D input")
        assertRejects(Dropout3d(), [2, 3, 4], "Expected 4D or 5D input, but received a 3D input")
    }

    func testAlphaDropoutKeepsSELUStatistics() {
        let x = Tensor.randn([200_00], generator: Generator(seed: 5))
        let y = AlphaDropout(p: 0.2, generator: Generator(seed: 6))(x)
        let mean = y.mean().item(), std = y.std().item()
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(std, 1, accuracy: 0.03)
        // Dropped elements all take the same value a·(−α) + b.
        let alpha: Float = 1.7580993408473766, p: Float = 0.2
        let a = 1 / ((alpha * alpha * p + 1) * (1 - p)).squareRoot()
        let droppedValue = -alpha * a + alpha * a * p
        let yv = y.toArray(), xv = x.toArray()
        var dropped = 0
        for (xi, yi) in zip(xv, yv) {
            if Swift.abs(yi - droppedValue) < 1e-6 { dropped += 1 } else {
                XCTAssertEqual(yi, xi * a + alpha * a * p, accuracy: 1e-4)
            }
        }
        XCTAssertEqual(Double(dropped) / Double(xv.count), 0.2, accuracy: 0.02)
        XCTAssertTrue(AlphaDropout(p: 0.2).eval()(x) === x)
        let xs = sample([3, 4]).requiringGrad()
        gradCheck(xs) { AlphaDropout(p: 0.3, generator: Generator(seed: 2))($0) }
    }

    func testPrintedFormsAndInplace() {
        XCTAssertEqual(Dropout1d().description, "Dropout1d(p=0.5, inplace=False)")
        XCTAssertEqual(Dropout2d(p: 0.2, inplace: true).description, "Dropout2d(p=0.2, inplace=True)")
        XCTAssertEqual(Dropout3d(p: 0).description, "Dropout3d(p=0.0, inplace=False)")
        XCTAssertEqual(AlphaDropout(p: 0.1).description, "AlphaDropout(p=0.1, inplace=False)")
        let x = Tensor.ones([4, 8, 2])
        let y = Dropout1d(p: 0.5, inplace: true, generator: Generator(seed: 1))(x)
        XCTAssertTrue(y === x)
        XCTAssertTrue(x.toArray().allSatisfy { $0 == 0 || $0 == 2 })
    }
}
