import XCTest
@testable import Tensors

final class LayerCatalogueTests: XCTestCase {
    func testEveryEntryBuildsTheNamedLayer() {
        var names = Set<String>()
        for family in LayerCatalogue.families {
            for entry in family.entries {
                XCTAssertEqual(entry.example().typeName, entry.name, family.name)
                XCTAssertTrue(names.insert(entry.name).inserted, "\(entry.name) listed twice")
            }
        }
        // The reference tables' layer names outside the sequence families.
        XCTAssertEqual(names.count, 3 + 8 + 18 + 12 + 10 + 5 + 5 + 29)
    }
}

final class LayerCatalogueShapeTests: XCTestCase {
    /// Shape validation (meta tensors) agrees with a real forward pass for every layer.
    func testValidateMatchesRealForwardForEveryLayer() throws {
        for family in LayerCatalogue.families {
            for entry in family.entries {
                let m = entry.example()
                let layers = try m.validate(inputShapes: entry.inputShapes)
                let metaOut = layers.first?.outputShapes ?? []
                var inputs: [Tensor] = []
                for (k, s) in entry.inputShapes.enumerated() {
                    if entry.name.hasPrefix("MaxUnpool") && k == 1 {
                        inputs.append(Tensor.zeros(s))   // index 0 of each plane: valid
                    } else if entry.name == "AdaptiveLogSoftmaxWithLoss" && k == 1 {
                        inputs.append(Tensor([0, 3, 5, 9, 2]))
                    } else {
                        inputs.append(sample(s, seed: UInt64(k + 1)))
                    }
                }
                let real = try noGrad { try m.forward(tensors: inputs) }
                XCTAssertEqual(metaOut, real.map(\.shape), entry.name)
            }
        }
    }
}
