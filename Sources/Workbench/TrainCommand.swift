import ArgumentParser

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "(under construction)")
    func run() throws { throw UserError("workbench train: not available yet") }
}
