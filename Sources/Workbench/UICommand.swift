import ArgumentParser

struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ui", abstract: "(under construction)")
    func run() throws { throw UserError("workbench ui: not available yet") }
}
