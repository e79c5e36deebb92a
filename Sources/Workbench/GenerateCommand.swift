import ArgumentParser
import Foundation
import Tensors

/// `workbench generate`: text from a trained language model.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample text from a language model's saved weights (the file records its model and tokenizer)."
    )

    @Option(help: ArgumentHelp("Weights saved by `train --task language-modeling --save`.", valueName: "file"))
    var weights: String

    @Option(help: "Sequence zoo model (default: the one recorded in the weights file).")
    var model: String?

    @Option(help: "Text to continue.") var prompt: String = ""
    @Option(name: .customLong("max-tokens"), help: "Tokens to sample.") var maxTokens: Int = 100
    @Option(help: "Softmax temperature (0: always the most likely token).") var temperature: Double = 0.8
    @Option(name: .customLong("top-k"), help: "Sample among the k most likely tokens (0: all).") var topK: Int = 0
    @Option(help: "Seed of the sampling.") var seed: UInt64 = 0

    func run() throws {
        let sampling = TextSampling(prompt: prompt, maxTokens: maxTokens, temperature: temperature, topK: topK, seed: seed)
        if let p = sampling.problems.first { throw UserError("\(p.field.option) \(p.message)") }
        let url = URL(fileURLWithPath: weights)
        guard FileManager.default.fileExists(atPath: weights) else { throw UserError("\(weights): no such file") }
        let tokenizer: Tokenizer
        do {
            guard let t = try ModelFile.tokenizer(in: url) else {
                throw UserError("\(weights) has no tokenizer: it was not saved from a language model (train --task language-modeling --save)")
            }
            tokenizer = t
        } catch let e as UserError { throw e } catch { throw UserError("\(weights): \(error)") }
        let name = model ?? ModelFile.modelName(in: url) ?? "char-lstm"
        let lm: any LanguageModel
        do {
            lm = try SequenceModelZoo.makeLanguageModel(name, vocabularySize: tokenizer.vocabularySize)
            try ModelFile.load(into: lm, from: url)
        } catch {
            throw UserError("\(error)")
        }
        print(sampling.run(lm, tokenizer: tokenizer))
    }
}
