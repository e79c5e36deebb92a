import XCTest
@testable import Tensors

/// The catalogue of building blocks: every loss, optimizer, scheduler and
/// transform of the reference's tables exists, and the listing prints them by family.
final class CatalogueTests: XCTestCase {
    func testEveryLossOptimizerSchedulerAndTransformExists() {
        for family in [Catalogue.Family.loss, .optimizer, .scheduler, .transform] {
            for name in family.names {
                XCTAssertTrue(Catalogue.exists(name), "\(family.title): \(name) is missing")
            }
            let (present, total) = Catalogue.count(family)
            XCTAssertEqual(present, total, family.title)
        }
        XCTAssertEqual(Catalogue.Family.loss.names.count, 21)
        XCTAssertEqual(Catalogue.Family.optimizer.names.count, 13)
        XCTAssertEqual(Catalogue.Family.scheduler.names.count, 15)
        // The registries agree with the catalogue.
        XCTAssertEqual(Set(OptimizerKind.allCases.map(\.displayName)), Set(Catalogue.Family.optimizer.names))
        XCTAssertTrue(Set(SchedulerKind.allCases.map(\.displayName)).isSubset(of: Set(Catalogue.Family.scheduler.names)))
        XCTAssertTrue(Catalogue.instantiate("CTCLoss") is CTCLoss)
    }

    func testLookupsAndLayerList() {
        XCTAssertEqual(Catalogue.family(of: "GroupNorm"), .normalization)
        XCTAssertEqual(Catalogue.family(of: "RAdam"), .optimizer)
        XCTAssertNil(Catalogue.family(of: "NoSuchLayer"))
        XCTAssertFalse(Catalogue.exists("NoSuchLayer"))
        XCTAssertTrue(Catalogue.exists("Conv2d"))
        XCTAssertEqual(Catalogue.Family.loss.table, "3-14")
        XCTAssertEqual(Catalogue.Family.optimizer.table, "3-15")
        // Every name in layersPresent is a catalogue name (no typos).
        for name in Catalogue.layersPresent { XCTAssertNotNil(Catalogue.family(of: name), name) }
        // No name is listed in two families.
        let all = Catalogue.families.flatMap(\.names)
        XCTAssertEqual(all.count, Set(all).count)
    }

    func testEveryNameOfEveryFamilyExists() {
        for family in Catalogue.families {
            for name in family.names { XCTAssertTrue(Catalogue.exists(name), "\(family.title): \(name) is missing") }
        }
        // Layers come from their examples: a name exists only when its example builds that type.
        XCTAssertTrue(Catalogue.layersPresent.isSuperset(of: ["Unflatten", "LSTM", "RNNBase", "MultiheadAttention", "PairwiseDistance"]))
        XCTAssertEqual(Catalogue.family(of: "CosineSimilarity"), .sparse)
        let text = Catalogue.listing(families: [.utility], width: 60)
        XCTAssertEqual(text, "Utilities  (2/2)\n  ✓ Flatten  ✓ Unflatten\n2 of 2 names exist (✓ present, · missing)")
    }

    func testListingGroupsByFamily() {
        let text = Catalogue.listing(width: 80)
        XCTAssertTrue(text.contains("Table 3-14  Loss functions  (21/21)"), text)
        XCTAssertTrue(text.contains("Table 3-15  Optimizers  (13/13)"))
        XCTAssertTrue(text.contains("Learning-rate schedulers  (15/15)"))
        XCTAssertTrue(text.contains("✓ TripletMarginWithDistanceLoss"))
        XCTAssertTrue(text.contains("· GroupNorm") || text.contains("✓ GroupNorm"))
        for line in text.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 80, String(line)) }
        XCTAssertTrue(text.hasSuffix("names exist (✓ present, · missing)"))
    }
}
