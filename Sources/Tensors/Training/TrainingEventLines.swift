import Foundation

/// Training events as text lines, for a run in another process (the TUI
/// reads `workbench train --events-json` under mpirun): `@event ` and the
/// event's JSON (non-finite numbers as the strings `nan`, `inf`, `-inf`).
public final class TrainingEventLines {
    /// The prefix of an event line; other lines are plain output.
    public static let prefix = "@event "
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    /// An encoder and decoder of event lines.
    public init() {
        let strategy = ("inf", "-inf", "nan")
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: strategy.0, negativeInfinity: strategy.1, nan: strategy.2)
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: strategy.0, negativeInfinity: strategy.1, nan: strategy.2)
    }

    /// The line for `event` (without a newline).
    public func line(for event: TrainingEvent) -> String {
        guard let data = try? encoder.encode(event) else { return Self.prefix + "{}" }
        return Self.prefix + String(decoding: data, as: UTF8.self)
    }

    /// The event on `line`, nil for any other line.
    public func event(from line: Substring) -> TrainingEvent? {
        guard line.hasPrefix(Self.prefix) else { return nil }
        return try? decoder.decode(TrainingEvent.self, from: Data(line.dropFirst(Self.prefix.count).utf8))
    }
}
