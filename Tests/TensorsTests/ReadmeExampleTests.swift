import Foundation
import XCTest
import Tensors

/// The Tensors example of README.md ("The Tensors library"), kept compiling and
/// running here: a PyTorch-style training loop. Keep the two in sync.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeTrainingLoop() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("readme-lenet5-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        var losses: [Float] = []
        // --- README example (256 images instead of 20,000 for speed; saving to `file`) ---
        manualSeed(0)
        let train = Shapes10(train: true, transform: Compose(
            RandomHorizontalFlip(), ToTensor(), Normalize(mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])), count: 256)
        let loader = try DataLoader(train, batchSize: 16, shuffle: true)
        let model = LeNet5()
        let criterion = CrossEntropyLoss()
        let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)

        for epoch in 0..<2 {
            model.train()
            var total: Float = 0
            for (images, labels) in loader {            // [16, 3, 32, 32], IntTensor [16]
                optimizer.zeroGrad()
                let loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()
                total += loss.item()
            }
            print("epoch \(epoch): mean loss \(total / Float(loader.count))")
            losses.append(total / Float(loader.count))
        }
        try ModelFile.save(model, modelName: "lenet5", to: file)
        // --- end of README example ---
        XCTAssertLessThan(losses[1], losses[0])
        let back = LeNet5()
        try ModelFile.load(into: back, from: file)
        XCTAssertEqual(back.fc3.bias?.toArray(), model.fc3.bias?.toArray())
    }
}
