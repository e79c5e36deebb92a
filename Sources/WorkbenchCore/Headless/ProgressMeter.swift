import Foundation

/// Progress of long headless work (`workbench train`, `test`, `data`,
/// `predict`) as text: a bar redrawn in place with throughput and ETA on a
/// terminal, a plain line every `every` steps when the output is a log, or
/// nothing with `--quiet`.
///
/// It only formats: `update` returns the text to write (nil when nothing is
/// due) and the caller writes it to stderr, so stdout stays for results and
/// the meter is testable with an injected clock.
///
/// ```swift
/// var meter = ProgressMeter(mode: .bar(width: 80), label: "epoch 1/10", total: 390, unit: "img")
/// if let text = meter.update(done: 12, items: 192, note: "loss 2.2031") { write(text) }
/// if let text = meter.finish() { write(text) }   // clears the bar
/// ```
public struct ProgressMeter {
    /// How progress is shown.
    public enum Mode: Equatable, Sendable {
        /// A bar redrawn in place (`\r`), at most every `interval` seconds, `width` columns wide.
        case bar(width: Int)
        /// A plain line every `every` steps (and at the end).
        case lines(every: Int)
        /// Nothing.
        case quiet
    }

    /// How progress is shown.
    public let mode: Mode
    /// What is in progress (`epoch 2/10`, `test`, `decoding images`).
    public var label: String
    /// Steps in all (0 when unknown).
    public var total: Int
    /// The unit of `items` for the throughput (`img`, `samples`).
    public let unit: String
    /// Least time between two redraws of the bar.
    public var interval: TimeInterval = 0.1

    private var start: Date?
    private var lastDraw: Date?
    private var lastLogged = 0
    private var drawn = false

    /// A meter for `total` steps of `label`.
    public init(mode: Mode, label: String, total: Int, unit: String) {
        self.mode = mode
        self.label = label
        self.total = total
        self.unit = unit
    }

    /// The mode for a stream: quiet when asked, a bar on a terminal, else lines every `logEvery` steps.
    public static func mode(quiet: Bool, isTerminal: Bool, logEvery: Int, width: Int = 80) -> Mode {
        if quiet { return .quiet }
        return isTerminal ? .bar(width: width) : .lines(every: Swift.max(1, logEvery))
    }

    /// Starts (again) for a new stretch of work (`label`, `total`): the clock restarts.
    public mutating func restart(label: String, total: Int, now: Date = Date()) {
        self.label = label
        self.total = total
        start = now
        lastDraw = nil
        lastLogged = 0
    }

    /// Records `done` steps (`items` units processed so far, `rate` units per
    /// second when the caller measures it); returns the text to write, if any.
    public mutating func update(done: Int, items: Int, rate: Double? = nil, note: String = "", now: Date = Date()) -> String? {
        if start == nil { start = now }
        let elapsed = now.timeIntervalSince(start ?? now)
        let perSecond = rate ?? (elapsed > 0 ? Double(items) / elapsed : 0)
        let eta: TimeInterval? = done > 0 && total > done && elapsed > 0 ? elapsed / Double(done) * Double(total - done) : nil
        switch mode {
        case .quiet:
            return nil
        case .bar(let width):
            let last = done >= total && total > 0
            if let lastDraw, now.timeIntervalSince(lastDraw) < interval, !last { return nil }
            lastDraw = now
            drawn = true
            return "\r" + Self.bar(label: label, done: done, total: total, rate: perSecond, unit: unit, eta: eta,
                                   note: note, width: width) + "\u{1B}[K"
        case .lines(let every):
            guard done - lastLogged >= every || (done >= total && total > 0 && done > lastLogged) else { return nil }
            lastLogged = done
            return Self.line(label: label, done: done, total: total, rate: perSecond, unit: unit, eta: eta, note: note) + "\n"
        }
    }

    /// Ends the bar: the text that clears its line (nil when nothing is on screen).
    public mutating func finish() -> String? {
        guard case .bar = mode, drawn else { return nil }
        drawn = false
        return "\r\u{1B}[K"
    }

    /// `0:07`, `1:02:03`, `-` for unknown.
    public static func duration(_ t: TimeInterval?) -> String {
        guard let t, t.isFinite, t >= 0 else { return "-" }
        let s = Int(t.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// `812 img/s`, `1.2k img/s`.
    public static func throughput(_ rate: Double, unit: String) -> String {
        rate >= 10_000 ? String(format: "%.1fk %@/s", rate / 1000, unit) : String(format: "%.0f %@/s", rate, unit)
    }

    /// The plain line: `epoch 1/10  120/390 (31%)  812 img/s  ETA 0:12  loss 1.2345`.
    public static func line(label: String, done: Int, total: Int, rate: Double, unit: String, eta: TimeInterval?,
                            note: String) -> String {
        let count = total > 0 ? "\(done)/\(total) (\(done * 100 / total)%)" : "\(done)"
        var parts = [label, count, throughput(rate, unit: unit), "ETA \(duration(eta))"]
        if !note.isEmpty { parts.append(note) }
        return parts.joined(separator: "  ")
    }

    /// The bar line, `width` columns at most: label, a bar of `█`/`░`, then the plain line's numbers.
    public static func bar(label: String, done: Int, total: Int, rate: Double, unit: String, eta: TimeInterval?,
                           note: String, width: Int) -> String {
        let tail = line(label: "", done: done, total: total, rate: rate, unit: unit, eta: eta, note: note)
            .trimmingCharacters(in: .whitespaces)
        let room = width - label.count - tail.count - 4
        let barWidth = Swift.min(30, room)
        guard barWidth >= 5, total > 0 else { return String((label + "  " + tail).prefix(Swift.max(0, width - 1))) }
        let filled = Swift.min(barWidth, done * barWidth / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        return String((label + " " + bar + "  " + tail).prefix(Swift.max(0, width - 1)))
    }
}
