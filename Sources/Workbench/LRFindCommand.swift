import ArgumentParser
import Foundation
import Tensors
import WorkbenchRuns

/// `workbench lr-find`: the learning-rate range test.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Learning-rate range test: exponential lr sweep, loss vs lr plot, suggested lr at the steepest descent."
    )

    @OptionGroup var options: RunOptions
    @Option(name: .customLong("min-lr"), parsing: .unconditional, help: "First learning rate.") var minLR: Double = 1e-6
    @Option(name: .customLong("max-lr"), parsing: .unconditional, help: "Last learning rate.") var maxLR: Double = 1
    @Option(help: "Steps of the sweep (a short one can be too flat to show a descent).") var steps: Int = 300
    @Option(help: ArgumentHelp("Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")) var optimizer: String = "sgd"
    @Option(parsing: .unconditional, help: "Momentum (SGD, RMSprop).") var momentum: Double = 0.9
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Write lr,loss,smoothed per step as CSV.", valueName: "file")) var csv: String?
    @OptionGroup var runStore: RunStoreOption
    @Flag(inversion: .prefixedNo, help: "Record the sweep in the run store.") var record = true

    func run() throws {
        let test: LRRangeTest
        do { test = try LRRangeTest(minLR: minLR, maxLR: maxLR, steps: steps) } catch { throw UserError("\(error)") }
        var c = try options.config()
        c.lr = minLR
        c.momentum = momentum
        c.seed = seed
        c.epochs = 1000           // the sweep stops itself after `steps` steps
        c.valSize = 0
        c.augment = false
        do { c.optimizer = try OptimizerKind(name: optimizer) } catch { throw UserError("--optimizer: \(error)") }
        let setup: TrainingSetup
        do { setup = try TrainingSetup(config: c) } catch { throw UserError("\(error)") }
        print("\(setup.datasetSummary); model \(c.model); \(c.optimizer.rawValue); lr \(formatHyperparameter(minLR)) → \(formatHyperparameter(maxLR)) over \(steps) steps")
        let engine = setup.makeEngine()
        let recording = try RunRecording(store: record ? runStore : nil, tensorboard: nil, config: c,
                                         task: setup.task.kind.rawValue, source: "lr-find", engine: engine)
        let result = test.run(on: engine)
        recording.recorder.map { try? $0.store.setTags($0.runId, ["lr-find"]) }
        recording.close(status: .finished, message: nil)

        print(Self.plot(result.points, width: 64, height: 16))
        if result.diverged, let last = result.points.last {
            print("stopped at lr \(formatHyperparameter(last.lr)): the loss diverged")
        }
        if let s = result.suggested {
            print("Suggested lr: \(formatHyperparameter(s)) (steepest descent of the smoothed loss)")
        } else {
            print("No suggestion: the smoothed loss did not fall by 1 % or more before its minimum; try more --steps or a wider range (--min-lr, --max-lr)")
        }
        if let csv {
            var text = "step,lr,loss,smoothed\n"
            for p in result.points { text += "\(p.step),\(p.lr),\(p.loss),\(p.smoothed)\n" }
            do { try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: csv)) } catch { throw UserError("\(error)") }
            print("Wrote \(csv)")
        }
    }

    /// Smoothed loss against log lr as text: `*` marks, y labels left, lr labels under the axis.
    static func plot(_ points: [LRRangeTest.Point], width: Int, height: Int) -> String {
        let pts = points.filter { $0.smoothed.isFinite && $0.lr > 0 }
        guard pts.count >= 2, let x0 = pts.first.map({ log10($0.lr) }), let x1 = pts.last.map({ log10($0.lr) }), x1 > x0 else {
            return "(too few points to plot)"
        }
        // Clip the divergent tail so the descent stays readable.
        let first = pts[0].smoothed
        let ys = pts.map { min($0.smoothed, first * 1.5) }
        let lo = ys.min() ?? 0, hi = max(ys.max() ?? 1, lo + 1e-9)
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        for (p, y) in zip(pts, ys) {
            let c = Int(((log10(p.lr) - x0) / (x1 - x0) * Double(width - 1)).rounded())
            let r = Int(((hi - y) / (hi - lo) * Double(height - 1)).rounded())
            grid[r][c] = "*"
        }
        var lines: [String] = ["loss (smoothed)"]
        for (r, row) in grid.enumerated() {
            let label = r == 0 ? String(format: "%8.4f", hi) : r == height - 1 ? String(format: "%8.4f", lo) : String(repeating: " ", count: 8)
            lines.append(label + " │" + String(row))
        }
        lines.append(String(repeating: " ", count: 9) + "└" + String(repeating: "─", count: width))
        let left = formatHyperparameter(pts[0].lr), right = formatHyperparameter(pts[pts.count - 1].lr)
        lines.append(String(repeating: " ", count: 10) + left
                     + String(repeating: " ", count: max(1, width - left.count - right.count - 2)) + right + "  lr (log)")
        return lines.joined(separator: "\n")
    }
}
