import ArgumentParser
import Foundation
import WorkbenchCore

/// `--quiet` and `--log-every N`, shared by the commands that do long work
/// (`train`, `test`, `data info`, `predict`): a progress bar with ETA and
/// throughput on stderr when it is a terminal, a plain line every N steps
/// when it is not, nothing with `--quiet`. Results stay on stdout.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "No progress bar or progress lines (results are still printed).")
    var quiet = false

    @Option(name: .customLong("log-every"), help: ArgumentHelp("Progress line every N steps when stderr is not a terminal.", valueName: "n"))
    var logEvery: Int = 50

    func validate() throws {
        guard logEvery >= 1 else { throw ValidationError("--log-every must be at least 1, got \(logEvery)") }
    }

    /// A printer for `total` steps of `label`, counting `unit`s.
    func printer(label: String, total: Int, unit: String) -> ProgressPrinter {
        let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? ProgressPrinter.terminalWidth()
        let mode = ProgressMeter.mode(quiet: quiet, isTerminal: isatty(STDERR_FILENO) != 0, logEvery: logEvery, width: width)
        return ProgressPrinter(ProgressMeter(mode: mode, label: label, total: total, unit: unit))
    }
}

/// Writes a `ProgressMeter`'s text to stderr; safe to call from any thread.
final class ProgressPrinter: @unchecked Sendable {
    private var meter: ProgressMeter
    private let lock = NSLock()

    init(_ meter: ProgressMeter) {
        self.meter = meter
        self.meter.restart(label: meter.label, total: meter.total)   // the clock starts now
    }

    /// Whether anything is shown at all.
    var isQuiet: Bool { meter.mode == .quiet }

    /// Starts a new stretch of work (the next epoch, the test pass).
    func restart(label: String, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        meter.restart(label: label, total: total)
    }

    /// Reports `done` steps and `items` units; see `ProgressMeter.update`.
    func update(done: Int, items: Int, rate: Double? = nil, note: String = "") {
        lock.lock()
        defer { lock.unlock() }
        if let text = meter.update(done: done, items: items, rate: rate, note: note) { write(text) }
    }

    /// Clears the bar so a result line can follow.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if let text = meter.finish() { write(text) }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The width of the terminal on stderr (80 when unknown).
    static func terminalWidth() -> Int {
        var size = winsize()
        let ok = withUnsafeMutablePointer(to: &size) { ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), $0) } == 0
        return ok && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}
