import ArgumentParser
import Foundation
import Tensors

/// Sequence-model training throughput: an LSTM language-model step and a
/// Transformer-encoder step at batch 32 and sequence lengths 64/128 — the
/// counterpart of `scripts/bench_sequence_torch.py`, which runs the same
/// shapes in PyTorch.
///
/// A step is: zero grads, forward, loss, backward, SGD update. Reported in
/// tokens per second (batch · sequence length per step), median of repeats.
enum SequenceBench {
    /// One measured configuration.
    struct Result {
        var name: String
        var batch: Int
        var seq: Int
        var msPerStep: Double
        /// CPU time (user + system, all threads) per step.
        var cpuMsPerStep: Double
        var tokensPerSecond: Double { Double(batch * seq) / (msPerStep / 1000) }
    }

    /// The LSTM LM: embedding 64 → LSTM 256 → linear over a 65-token vocabulary, cross entropy.
    static func lstmStep(batch: Int, seq: Int, generator g: Generator) throws -> () -> Void {
        let lm = CharLSTM(vocabularySize: 65, embeddingDim: 64, hiddenSize: 256, generator: g)
        let opt = try SGD(lm.parameters(), lr: 0.01)
        let x = IntTensor.randint(0, 65, [batch, seq], generator: g)
        let y = IntTensor.randint(0, 65, [batch * seq], generator: g)
        return {
            opt.zeroGrad()
            let loss = crossEntropy(lm(x).reshape([batch * seq, 65]), y)
            loss.backward()
            opt.step()
        }
    }

    /// The Transformer encoder: 2 post-norm layers, d_model 128, 4 heads, feed-forward 512,
    /// dropout 0.1, batch first; loss = mean of squares of the output.
    static func transformerStep(batch: Int, seq: Int, generator g: Generator) throws -> () -> Void {
        let enc = TransformerEncoder(TransformerEncoderLayer(dModel: 128, nhead: 4, dimFeedforward: 512, dropout: 0.1,
                                                             batchFirst: true, generator: g), numLayers: 2)
        let opt = try SGD(enc.parameters(), lr: 0.01)
        let x = Tensor.randn([batch, seq, 128], generator: g)
        return {
            opt.zeroGrad()
            let out = enc(x)
            let loss = (out * out).mean()
            loss.backward()
            opt.step()
        }
    }

    /// Runs every configuration: `warmup` steps, then `repeats` timings of `steps` steps each.
    static func run(batch: Int = 32, seqs: [Int] = [64, 128], steps: Int = 10, repeats: Int = 3, warmup: Int = 2,
                    only: String? = nil) throws -> [Result] {
        let g = Generator(seed: 0)
        var results: [Result] = []
        for (name, make) in [("lstm-lm", lstmStep), ("transformer-encoder", transformerStep)] where only == nil || only == name {
            for seq in seqs {
                let step = try make(batch, seq, g)
                for _ in 0..<warmup { step() }
                var times: [Double] = [], cpus: [Double] = []
                for _ in 0..<repeats {
                    let cpu0 = Bench.cpuSeconds()
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<steps { step() }
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(steps))
                    cpus.append((Bench.cpuSeconds() - cpu0) * 1000 / Double(steps))
                }
                results.append(Result(name: name, batch: batch, seq: seq, msPerStep: Bench.median(times),
                                      cpuMsPerStep: Bench.median(cpus)))
            }
        }
        return results
    }
}

/// `workbench bench sequence` (register in `BenchCommand.subcommands`).
struct BenchSequence: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sequence",
                                                    abstract: "LSTM-LM and Transformer-encoder training steps (release build).")

    @Option(help: "Batch size.")
    var batch = 32

    @Option(help: "Sequence lengths, comma-separated.")
    var seq = "64,128"

    @Option(help: "Steps per measurement.")
    var steps = 10

    @Option(help: "Measurements (the median is reported).")
    var repeats = 3

    @Option(help: "Only this benchmark (lstm-lm or transformer-encoder).")
    var only: String?

    func run() throws {
        MemoryTuning.retainFreedMemory()
        let seqs = seq.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        print("sequence benchmarks, BLAS threads \(BLAS.threads), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for r in try SequenceBench.run(batch: batch, seqs: seqs, steps: steps, repeats: repeats, only: only) {
            print(r.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: " batch %3d seq %4d: %8.1f ms/step  %9.0f tokens/s  (%.1f ms CPU/step)", r.batch, r.seq,
                           r.msPerStep, r.tokensPerSecond, r.cpuMsPerStep))
        }
    }
}
