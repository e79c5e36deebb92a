import ArgumentParser

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "(under construction)")
    func run() throws { throw UserError("workbench test: not available yet") }
}
