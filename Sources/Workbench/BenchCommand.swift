import ArgumentParser
import Foundation
import Tensors

/// `workbench bench …`: benchmark commands (run them on a release build).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release).",
        subcommands: [BenchCore.self, BenchData.self, BenchModels.self, BenchUI.self]
    )
}
