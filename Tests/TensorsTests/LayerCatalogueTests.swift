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
        XCTAssertEqual(names.count, 3 + 8 + 18 + 12 + 10 + 5 + 5 + 2 + 29)
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

final class LayerCatalogueTorchTests: XCTestCase {
    /// Every catalogue example prints like PyTorch's and has its state-dict
    /// keys, shapes and integer buffers (Tests/Fixtures/nn/catalogue).
    func testPrintedFormsAndStateDictsMatchTorch() {
        let fixture = nnFixture("catalogue/catalogue")
        var seen = 0
        for family in LayerCatalogue.families {
            for entry in family.entries {
                guard let c = fixture[entry.name] as? [String: Any] else { XCTFail("\(entry.name) missing from fixture"); continue }
                seen += 1
                let m = entry.example()
                XCTAssertEqual(m.description, c["repr"] as? String, entry.name)
                let expected = (c["state"] as? [[Any]]) ?? []
                let ours = m.stateDict()
                XCTAssertEqual(ours.map(\.0), expected.compactMap { $0.first as? String }, "\(entry.name) keys")
                for ((key, t), e) in zip(ours, expected) {
                    XCTAssertEqual(t.shape, e[1] as? [Int], "\(entry.name).\(key) shape")
                    XCTAssertEqual(t.storage.isIntegral, (e[2] as? String) == "torch.int64", "\(entry.name).\(key) dtype")
                }
            }
        }
        XCTAssertEqual(seen, fixture.count)
    }
}
