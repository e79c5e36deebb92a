import Foundation
import XCTest
@testable import Tensors

final class AutogradTests: XCTestCase {
    func testLeafAndNonLeaf() {
        let x = Tensor([1, 2, 3]).requiringGrad()
        XCTAssertTrue(x.isLeaf)
        let y = x * 2
        XCTAssertFalse(y.isLeaf)
        XCTAssertTrue(y.requiresGrad)
        XCTAssertEqual(y.gradFnName, "MulBackward0")
        let z = y.sum()
        z.backward()
        assertTensor(x.grad!, [2, 2, 2])
        XCTAssertNil(y.grad, "non-leaf tensors keep no grad unless retainGrad()")
        // Tensors that don't require grad produce no graph.
        let c = Tensor([1, 2]) * 3
        XCTAssertTrue(c.isLeaf)
        XCTAssertFalse(c.requiresGrad)
    }

    func testRetainGrad() {
        let x = Tensor([1, 2]).requiringGrad()
        let y = x.exp()
        y.retainGrad()
        (y * Tensor([3, 4])).sum().backward()
        assertTensor(y.grad!, [3, 4])
        assertTensor(x.grad!, [3 * Foundation.exp(1), 4 * Foundation.exp(2)])
    }

    func testAccumulationUntilZeroed() {
        let x = Tensor([1, 2]).requiringGrad()
        (x * x).sum().backward()
        (x * 3).sum().backward()
        assertTensor(x.grad!, [2 + 3, 4 + 3])
        x.grad?.zero()
        (x * 3).sum().backward()
        assertTensor(x.grad!, [3, 3])
        x.grad = nil
        x.sum().backward()
        assertTensor(x.grad!, [1, 1])
    }

    func testBranchesAddUp() {
        let x = Tensor([2]).requiringGrad()
        let a = x * 3, b = x.pow(2)
        (a + b + a * b).sum().backward()   // d/dx (3x + x² + 3x³) = 3 + 2x + 9x² = 43 at 2
        assertTensor(x.grad!, [43])
    }

    func testDetach() {
        let x = Tensor([1, 2]).requiringGrad()
        let d = (x * 2).detach()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertTrue(d.isLeaf)
        let y = x * d      // d is a constant here
        y.sum().backward()
        assertTensor(x.grad!, [2, 4])
        XCTAssertTrue(x.detach().storage === x.storage)
    }

    func testNoGradIsPerThread() {
        let x = Tensor([1, 2]).requiringGrad()
        let other = Tensor([1, 2]).requiringGrad()
        final class Flag: @unchecked Sendable { var value = false }
        let otherThreadRecorded = Flag()
        noGrad {
            XCTAssertFalse(GradMode.isEnabled)
            XCTAssertFalse((x * 2).requiresGrad)
            let done = DispatchSemaphore(value: 0)
            Thread {
                otherThreadRecorded.value = (other * 2).requiresGrad && GradMode.isEnabled
                done.signal()
            }.start()
            done.wait()
        }
        XCTAssertTrue(otherThreadRecorded.value)
        XCTAssertTrue(GradMode.isEnabled)
        XCTAssertTrue((x * 2).requiresGrad)
        withGradMode(false) { XCTAssertNil((x + 1).gradFnName) }
    }

    /// Builds a graph, runs backward, and returns weak references to its intermediates.
    private func runGraph(keepResult: inout Tensor?) -> (weak: [() -> Tensor?], leaf: Tensor) {
        let x = Tensor([0.5, 1.5]).requiringGrad()
        let a = x * 2
        let b = a.exp()
        let c = (b * a).sum()
        weak let wa = a, wb = b
        c.backward()
        keepResult = c
        return ([{ wa }, { wb }], x)
    }

    func testGraphIsFreedAfterBackward() {
        var result: Tensor?
        let (weakRefs, x) = runGraph(keepResult: &result)
        XCTAssertNotNil(result)
        XCTAssertNotNil(x.grad)
        // The result is still alive, but backward released the graph behind it.
        for ref in weakRefs { XCTAssertNil(ref()) }
        weak let weakResult = result
        result = nil
        XCTAssertNil(weakResult)
    }

    func testNoRetainCycleWithoutBackward() {
        weak var weakOut: Tensor?
        weak var weakMid: Tensor?
        do {
            let x = Tensor([1, 2]).requiringGrad()
            let mid = x.sigmoid()   // saves its output (detached) for backward
            let out = mid.tanh()
            weakOut = out
            weakMid = mid
            XCTAssertNotNil(weakOut)
        }
        XCTAssertNil(weakOut)
        XCTAssertNil(weakMid)
    }

    func testBackwardRules() {
        let x = Tensor([1, 2, 3]).requiringGrad()
        let y = x * 2
        XCTAssertEqual(y.backwardError(gradient: nil),
                       "backward: grad can be implicitly created only for scalar outputs; pass a gradient of shape [3]")
        XCTAssertEqual(y.backwardError(gradient: Tensor.ones([2])),
                       "backward: gradient has shape [2] but the tensor has shape [3]")
        XCTAssertEqual(Tensor([1]).backwardError(gradient: nil),
                       "backward: element 0 of tensors does not require grad and does not have a grad_fn")
        XCTAssertNil(y.backwardError(gradient: Tensor.ones([3])))
        y.backward(Tensor([1, 10, 100]))
        assertTensor(x.grad!, [2, 20, 200])
        XCTAssertNil(y.gradFn?.backward, "graph is freed after backward")
    }

    func testRetainGraph() {
        let x = Tensor([3]).requiringGrad()
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        assertTensor(x.grad!, [12])
    }

    func testInPlaceRules() {
        let leaf = Tensor([1, 2]).requiringGrad()
        XCTAssertEqual(leaf.inPlaceError("add_"), "add_: a leaf Variable that requires grad is being used in an in-place operation")
        XCTAssertNil(noGrad { leaf.inPlaceError("add_") }, "allowed under noGrad (optimizer steps)")
        XCTAssertNotNil((leaf * 2).inPlaceError("mul_"))
        XCTAssertNil(Tensor([1]).inPlaceError("mul_"))
        // Under noGrad the write goes through and bumps the version counter.
        let v0 = leaf.storage.version
        noGrad { leaf.addInPlace(Tensor([1, 1])) }
        XCTAssertEqual(leaf.storage.version, v0 + 1)
        assertTensor(leaf, [2, 3])
    }

    func testInPlaceEditOfSavedInputIsDetected() {
        let x = Tensor([1, 2]).requiringGrad()
        let w = Tensor([3, 4])              // saved by MulBackward0 for x's gradient
        let y = x * w
        XCTAssertNil(y.gradFn?.modifiedInput())
        w.mulInPlace(2)
        XCTAssertEqual(y.gradFn?.modifiedInput(), 1)
        // A view shares the version counter of its storage.
        let p = Tensor([1, 2]).requiringGrad()
        let q = Tensor([5, 6])
        let r = p * q.view([2])
        q.fill(0)
        XCTAssertEqual(r.gradFn?.modifiedInput(), 1)
    }

    func testGradFnNamesMatchPyTorch() {
        let x = sample([2, 3]).requiringGrad()
        let names: [(Tensor, String)] = [
            (x + x, "AddBackward0"), (x + 2, "AddBackward0"), (x - 2, "SubBackward0"), (2 - x, "RsubBackward1"),
            (x * 2, "MulBackward0"), (x / 2, "DivBackward0"), (x.sum(), "SumBackward0"), (x.sum(dim: 1), "SumBackward1"),
            (x.mean(), "MeanBackward0"), (x.mean(dim: 0), "MeanBackward1"), (x.t, "TBackward0"),
            (x.transpose(0, 1), "TransposeBackward0"), (x.reshape([3, 2]), "ViewBackward0"),
            (x.t.reshape([6]), "UnsafeViewBackward0"), (x.unsqueeze(0), "UnsqueezeBackward0"),
            (x.unsqueeze(0).squeeze(), "SqueezeBackward0"), (x.unsqueeze(0).squeeze(0), "SqueezeBackward1"),
            (x.narrow(1, start: 0, length: 2), "SliceBackward0"), (x[0], "SelectBackward0"),
            (x.indexSelect(1, IntTensor([0])), "IndexSelectBackward0"), (x.gather(1, IntTensor([[0], [1]])), "GatherBackward0"),
            (Tensor.cat([x, x]), "CatBackward0"), (Tensor.stack([x, x]), "StackBackward0"),
            (x.split(1)[0], "SplitBackward0"), (x.chunk(2)[0], "SplitBackward0"),
            (x.split(sizes: [1, 1])[0], "SplitWithSizesBackward0"), (x.flip([0]), "FlipBackward0"),
            (x.pad([1, 1]), "ConstantPadNdBackward0"), (x.repeat([2, 1]), "RepeatBackward0"),
            (x.maximum(x), "MaximumBackward0"), (Tensor.where(x .> 0, x, x), "WhereBackward0"),
            (x.maskedFill(x .> 0, 1), "MaskedFillBackward0"), (x.var(), "VarBackward0"), (x.std(), "StdBackward0"),
            (x.logsumexp(dim: 1), "LogsumexpBackward0"), (x.prod(), "ProdBackward0"), (x.prod(dim: 1), "ProdBackward1"),
            (x.norm(), "LinalgVectorNormBackward0"), (x.amax(dims: [1]), "AmaxBackward0"),
            (x.min(dim: 1).values, "MinBackward0"), (x.min(), "MinBackward1"), (x.clone(), "CloneBackward0"),
            (x.scatterAdd(1, IntTensor([[0], [1]]), x.narrow(1, start: 0, length: 1)), "ScatterAddBackward0"),
        ]
        for (t, name) in names { XCTAssertEqual(t.gradFnName, name) }
    }
}
