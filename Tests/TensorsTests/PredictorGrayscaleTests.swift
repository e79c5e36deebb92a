import Foundation
import XCTest
@testable import Tensors

/// `predict` and `serve` on PNG/JPEG files for one-channel models (LeNet5 on
/// MNIST): the image is converted to grayscale as Pillow's `convert("L")` does
/// (`Tests/Fixtures/images/make_gray.py`), three-channel models still read RGB.
final class PredictorGrayscaleTests: XCTestCase {
    struct Fixture: Decodable {
        struct Entry: Decodable {
            let mode: String
            let size: [Int]
            let L: [Int]
        }
        let files: [String: Entry]
    }

    func predictor(channels: Int, height: Int, width: Int) -> Predictor {
        let meta = ModelMetadata(architecture: .init(name: "tiny", inputShape: [channels, height, width], outputs: 2), classes: ["a", "b"])
        let model = Sequential([Flatten(), Linear(channels * height * width, 2, generator: Generator(seed: 0))])
        return Predictor(model: model, metadata: meta, weights: URL(fileURLWithPath: "/dev/null"))
    }

    func testOneChannelModelsReadImagesAsPillowsConvertL() throws {
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureURL("images/gray.json")))
        XCTAssertGreaterThanOrEqual(f.files.count, 5)
        for (name, e) in f.files.sorted(by: { $0.key < $1.key }) {
            let (w, h) = (e.size[0], e.size[1])
            let samples = try PredictionInputs.read(fixtureURL("images/" + name), for: predictor(channels: 1, height: h, width: w))
            XCTAssertEqual(samples.count, 1, name)
            XCTAssertEqual(samples[0].tensor.shape, [1, h, w], name)
            XCTAssertEqual(samples[0].tensor.toArray().map { Int(($0 * 255).rounded()) }, e.L, "\(name) (\(e.mode)) as Pillow's convert(\"L\")")
        }
    }

    func testThreeChannelModelsStillReadRGBAndOneChannelPredicts() throws {
        let rgb = try PredictionInputs.read(fixtureURL("images/gray.png"), for: predictor(channels: 3, height: 5, width: 7))
        XCTAssertEqual(rgb[0].tensor.shape, [3, 5, 7], "a gray PNG is widened to RGB for an RGB model")
        let p = predictor(channels: 1, height: 5, width: 7)
        let s = try PredictionInputs.read(fixtureURL("images/rgb.png"), for: p)
        let top = try p.predict(s[0].tensor.reshape([1, 1, 5, 7]), topK: 2)
        XCTAssertEqual(top[0].count, 2)
        XCTAssertEqual(top[0].map(\.score).reduce(0, +), 1, accuracy: 1e-5)
    }
}
