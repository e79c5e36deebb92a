import XCTest
@testable import Tensors

/// After warm-up, training and inference steps of the zoo's convolutional
/// models take all their convolution / batch-norm / pooling scratch from the
/// `Workspace` pool: no fresh allocation per step.
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
        for _ in 0..<2 { step() }
        let before = Workspace.missCount
        for _ in 0..<4 { step() }
        return Workspace.missCount - before
    }

    func testTrainingStepsAllocateNoScratch() {
        XCTAssertEqual(steadyStateMisses(model: "smallvgg", batch: 5, train: true), 0, "smallvgg")
        XCTAssertEqual(steadyStateMisses(model: "resnet18", batch: 3, train: true), 0, "resnet18")
    }

    func testInferenceStepsAllocateNoScratch() {
        XCTAssertEqual(steadyStateMisses(model: "smallvgg", batch: 5, train: false), 0, "smallvgg")
        XCTAssertEqual(steadyStateMisses(model: "resnet18", batch: 3, train: false), 0, "resnet18")
    }
}
