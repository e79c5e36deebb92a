import ArgumentParser

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "(under construction)")
    func run() throws { throw UserError("workbench data: not available yet") }
}
