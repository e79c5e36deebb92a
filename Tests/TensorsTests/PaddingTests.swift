import XCTest
@testable import Tensors

/// Padding layers and `Tensor.pad(_:mode:)` against PyTorch (Tests/Fixtures/nn/padding).
final class PaddingTests: XCTestCase {
    let file = "padding/padding"

    func testPaddingLayersMatchTorch() {
        checkLayerCase(file, "reflect1d", ReflectionPad1d([2, 1]))
        checkLayerCase(file, "reflect1d_nobatch", ReflectionPad1d(3))
        checkLayerCase(file, "reflect2d", ReflectionPad2d([1, 2, 2, 0]))
        checkLayerCase(file, "reflect3d", ReflectionPad3d(1))
        checkLayerCase(file, "replicate1d", ReplicationPad1d([3, 1]))
        checkLayerCase(file, "replicate2d", ReplicationPad2d([2, 0, 1, 3]))
        checkLayerCase(file, "replicate3d", ReplicationPad3d([1, 0, 2, 1, 0, 2]))
        checkLayerCase(file, "zero1d", ZeroPad1d([1, 2]))
        checkLayerCase(file, "zero2d", ZeroPad2d([1, 1, 2, 0]))
        checkLayerCase(file, "zero3d", ZeroPad3d(1))
        checkLayerCase(file, "const1d", ConstantPad1d([2, 1], value: 3.5))
        checkLayerCase(file, "const2d", ConstantPad2d(1, value: -1.5))
        checkLayerCase(file, "const3d", ConstantPad3d([1, 0, 0, 1, 1, 0], value: 0.5))
    }

    func testPadModesMatchTorch() {
        let fns: [(String, (Tensor) -> Tensor)] = [
            ("circular1d", { $0.pad([2, 3], mode: .circular) }),
            ("circular2d", { $0.pad([1, 2, 2, 1], mode: .circular) }),
            ("circular3d", { $0.pad([1, 1, 0, 1, 1, 0], mode: .circular) }),
            ("circular_negative", { $0.pad([-1, 2], mode: .circular) }),
            ("replicate_negative", { $0.pad([1, -2, -1, 1], mode: .replicate) }),
            ("reflect_full", { $0.pad([3, 3, 1, 1], mode: .reflect) }),
        ]
        for (name, f) in fns {
            let c = nnCase(file, name)
            let x = fixtureTensor(c, "x").requiringGrad()
            let y = f(x)
            assertClose(y, fixtureTensor(c, "out"), name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
    }

    func testPadModesOnSmallInputsAndFiniteDifferences() {
        let x = Tensor([1, 2, 3, 4], shape: [1, 1, 4])
        XCTAssertEqual(x.pad([2, 1], mode: .reflect).toArray(), [3, 2, 1, 2, 3, 4, 3])
        XCTAssertEqual(x.pad([2, 1], mode: .replicate).toArray(), [1, 1, 1, 2, 3, 4, 4])
        XCTAssertEqual(x.pad([2, 1], mode: .circular).toArray(), [3, 4, 1, 2, 3, 4, 1])
        XCTAssertEqual(x.pad([1, 1], mode: .constant, value: 9).toArray(), [9, 1, 2, 3, 4, 9])
        let s = sample([2, 2, 3, 3])
        for mode in [PadMode.reflect, .replicate, .circular] {
            gradCheck(s) { $0.pad([2, 1, 1, 2], mode: mode) }
        }
        gradCheck(sample([1, 2, 2, 2, 3])) { $0.pad([1, 2, 1, 1, 0, 1], mode: .replicate) }
    }

    func testPadModesRejectLikeTorch() {
        assertRejects(ReflectionPad2d(2), [1, 3, 2, 2],
                      "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (2, 2) at dimension 3 of input [1, 3, 2, 2]")
        assertRejects(ReflectionPad2d(1), [3, 2], "Padding size 4 is not supported for 2D input tensor.")
        XCTAssertNotNil(shapeError { _ = Tensor.meta([1, 1, 3]).pad([4, 1], mode: .circular) })
        XCTAssertEqual(metaShape(ReplicationPad3d([1, 0, 2, 1, 0, 2]), [[2, 1, 2, 2, 3]]), [2, 1, 4, 5, 4])
        XCTAssertEqual(metaShape(ZeroPad2d([1, 1, 2, 0]), [[5, 3, 4]]), [5, 5, 6])
    }

    func testPrintedForms() {
        XCTAssertEqual(ReflectionPad3d(1).description, "ReflectionPad3d((1, 1, 1, 1, 1, 1))")
        XCTAssertEqual(ZeroPad1d(1).description, "ZeroPad1d((1, 1))")
        XCTAssertEqual(ConstantPad3d(1, value: -1).description, "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=-1.0)")
    }
}
