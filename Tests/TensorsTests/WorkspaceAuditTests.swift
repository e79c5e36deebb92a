import XCTest
@testable import Tensors

/// After warm-up, training and inference steps of the zoo's convolutional
/// models take all their convolution / batch-norm / pooling scratch from the
/// `Workspace` pool: no fresh allocation per step. (Not exactly zero: which free
/// block the best-fit hands out depends on earlier work, tests included, and
/// now and then a step takes one fresh block; a path allocating per step
/// would add at least one per step, 4 here, usually dozens.)
final class WorkspaceAuditTests: XCTestCase {
    func steadyStateMisses(model name: String, batch: Int, train: Bool) -> Int {
        guard let entry = ModelZoo.entry(named: name) else {
            XCTFail("no model \(name)")
            return -1
        }
        let g = Generator(seed: 3)
        let net = entry.make(generator: g)
        let x = Tensor.randn([batch] + entry.inputShape, generator: g)
        let y = IntTensor.randint(0, entry.numClasses, [batch], generator: g)
        func step() {
            if train {
                net.train()
                net.zeroGrad()
                crossEntropy(net(x), y).backward()
            } else {
                net.eval()
                noGrad { _ = net(x).toArray() }
            }
        }
        // The pool settles within three steps (smallvgg inference: one fresh block on the third).
        for _ in 0..<3 { step() }
        let before = Workspace.missCount
        for _ in 0..<4 { step() }
        return Workspace.missCount - before
    }

    func testTrainingStepsAllocateNoScratch() {
        XCTAssertLessThan(steadyStateMisses(model: "smallvgg", batch: 5, train: true), 4, "smallvgg")
        XCTAssertLessThan(steadyStateMisses(model: "resnet18", batch: 3, train: true), 4, "resnet18")
    }

    func testInferenceStepsAllocateNoScratch() {
        XCTAssertLessThan(steadyStateMisses(model: "smallvgg", batch: 5, train: false), 4, "smallvgg")
        XCTAssertLessThan(steadyStateMisses(model: "resnet18", batch: 3, train: false), 4, "resnet18")
    }
}
