import ArgumentParser
import Foundation
import Tensors

/// The `workbench` command: the TUI by default, headless subcommands for scripts and CI.
@main
struct Workbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "A terminal deep-learning workbench: datasets, models, training, deployment.",
        version: "0.1.0",
        subcommands: [UICommand.self, TrainCommand.self, TestCommand.self, DataCommand.self,
                      ModelsCommand.self, BenchCommand.self, GenerateCommand.self, RunsCommand.self,
                      LRFindCommand.self, SweepCommand.self, ExportCommand.self,
                      PredictCommand.self, ServeCommand.self, HubCommand.self, VerifyCommand.self,
                      DistributedCheckCommand.self],
        defaultSubcommand: UICommand.self
    )
}

/// A one-line error for the user, printed as `error: …`, exit code 1.
struct UserError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
