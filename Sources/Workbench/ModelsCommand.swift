import ArgumentParser

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "(under construction)")
    func run() throws { throw UserError("workbench models: not available yet") }
}
