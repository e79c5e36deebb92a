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
