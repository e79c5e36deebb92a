import Foundation
import Tensors

/// A data-parallel run the TUI started in other processes:
/// `mpirun -np N workbench train --distributed --events-json …` with the
/// session's settings. Rank 0's event lines become the same `TrainingEvent`s
/// a local run emits, so the panes show it as they show a local run; other
/// output lines arrive as messages. The trained weights come back through a
/// temporary file. Pause, resume and hyperparameter changes go to the job as
/// `RemoteCommand` lines on mpirun's standard input (forwarded to rank 0,
/// which shares them with every rank at the next step); stopping ends the
/// job (SIGTERM to mpirun, which ends every rank).
final class DistributedRun: @unchecked Sendable {
    /// `mpirun` on PATH, nil when Open MPI is not installed.
    static var mpirun: String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Where the trained weights are written (rank 0), read back when the run finishes.
    let weightsURL: URL
    private let process = Process()
    private let lock = NSLock()
    private var stopping = false
    private let commands = Pipe()

    /// The `train` arguments reproducing `config` with `processes` ranks, starting from `initialWeights`.
    static func arguments(_ config: TrainingConfig, valSize: Int?, initialWeights: URL, output: URL) -> [String] {
        var a = ["train", "--distributed", "--events-json", "--commands-stdin", "--model", config.model,
                 "--epochs", "\(config.epochs)", "--batch-size", "\(config.batchSize)",
                 "--lr", "\(config.lr)", "--momentum", "\(config.momentum)", "--weight-decay", "\(config.weightDecay)",
                 "--optimizer", config.optimizer.rawValue, "--seed", "\(config.seed)", "--workers", "\(config.numWorkers)",
                 config.augment ? "--augment" : "--no-augment",
                 "--weights", initialWeights.path, "--save", output.path]
        if let p = config.dataPath { a += ["--data", p] }
        if let t = config.target { a += ["--target", t] }
        if let k = config.task { a += ["--task", k.rawValue] }
        if let l = config.limit { a += ["--limit", "\(l)"] }
        if let v = valSize { a += ["--val-size", "\(v)"] }
        return a
    }

    /// Starts the job; `onEvent` and `onExit` are called on a background thread.
    /// - Throws: when mpirun is missing or cannot start.
    init(config: TrainingConfig, processes: Int, valSize: Int?, initialWeights: URL,
         onEvent: @escaping (TrainingEvent) -> Void, onExit: @escaping (_ status: Int32, _ lastLines: [String]) -> Void) throws {
        guard let mpirun = Self.mpirun else {
            throw TrainingSetupError("processes \(processes) runs under mpirun, which is not on PATH (install openmpi-bin)")
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        weightsURL = initialWeights.deletingLastPathComponent().appendingPathComponent("trained-\(UUID().uuidString).safetensors")
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["-np", "\(processes)", "--oversubscribe", "--bind-to", "none", exe]
            + Self.arguments(config, valSize: valSize, initialWeights: initialWeights, output: weightsURL)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = commands
        let lines = TrainingEventLines()
        let reader = Thread { [process] in
            var tail: [String] = []
            var pending = Data()
            let handle = pipe.fileHandleForReading
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    if let e = lines.event(from: Substring(line)) { onEvent(e); continue }
                    guard !line.isEmpty else { continue }
                    tail = Array((tail + [line]).suffix(6))
                    // Plain lines (the epoch table, MPI's notices) are not shown twice; errors are kept for the exit message.
                }
            }
            process.waitUntilExit()
            onExit(process.terminationStatus, tail)
        }
        try process.run()
        reader.start()
    }

    /// Sends `command` to the job (applied by every rank at its next step).
    func send(_ command: RemoteCommand) {
        lock.lock(); defer { lock.unlock() }
        guard !stopping, process.isRunning else { return }
        let line = Data((command.line + "\n").utf8)
        // A job that has just exited closes the pipe: the write fails and is dropped.
        _ = try? commands.fileHandleForWriting.write(contentsOf: line)
    }

    /// Ends the job.
    func stop() {
        lock.lock(); stopping = true; lock.unlock()
        if process.isRunning { process.terminate() }
    }

    /// Whether `stop()` was called.
    var wasStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopping }
}
