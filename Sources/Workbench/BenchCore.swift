import ArgumentParser
import Foundation
import Tensors

struct BenchCore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "core", abstract: "Tensor core: matmul, per-op overhead, elementwise.")
    func run() throws { throw UserError("bench core: not available yet") }
}
