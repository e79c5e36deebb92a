import ArgumentParser
import Foundation
import Tensors

/// `workbench models catalogue`: every layer, activation, loss, optimizer,
/// scheduler, transform and sampler by family, as the reference's tables list
/// PyTorch's, each marked present (✓) or missing (·).
struct ModelsCatalogue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "List the building blocks (layers, activations, losses, optimizers, schedulers, transforms) by family.",
        aliases: ["catalog"]
    )

    @Option(help: ArgumentHelp("Only this family (e.g. loss, optimizer, scheduler, activation, normalization).", valueName: "family"))
    var family: String?

    @Option(help: "Wrap lines at this many columns.") var width: Int = 100

    func run() throws {
        guard width >= 40 else { throw UserError("--width must be at least 40, got \(width)") }
        guard let family else {
            print(Catalogue.listing(width: width))
            return
        }
        let key = family.lowercased()
        // `loss`, `losses`, `activation`, `activations` or the heading (`loss functions`).
        guard let f = Catalogue.families.first(where: { [$0.rawValue, $0.rawValue + "s", $0.rawValue + "es", $0.title.lowercased()].contains(key) }) else {
            throw UserError("--family \(family): expected one of \(Catalogue.families.map(\.rawValue).joined(separator: ", "))")
        }
        print(Catalogue.listing(families: [f], width: width))
    }
}
