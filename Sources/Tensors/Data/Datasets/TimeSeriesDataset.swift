import Foundation

/// Sliding windows over one numeric series, for forecasting.
///
/// Item `i` is `[input [window, 1], target [horizon]]`: the values
/// `s ..< s+window` (as a one-feature sequence, ready for an LSTM with
/// `batchFirst`) and the `horizon` values that follow, with `s = i · stride`.
/// `normalize` standardises the series with its mean and std (kept in
/// `mean`/`std` to undo it). Items are `[Tensor]`, so `DataLoader`'s default
/// collate stacks them into `[B, window, 1]` and `[B, horizon]`.
///
/// ```swift
/// let ts = try TimeSeriesDataset(csv: "temps.csv", column: "temp", window: 48, horizon: 1)
/// let loader = try DataLoader(ts, batchSize: 32, shuffle: true)
/// ```
public struct TimeSeriesDataset: Dataset, CustomStringConvertible {
    /// The (possibly normalised) series.
    public let values: [Float]
    /// Steps per input window.
    public let window: Int
    /// Steps to predict.
    public let horizon: Int
    /// Steps between window starts.
    public let stride: Int
    /// Mean subtracted (0 without `normalize`).
    public let mean: Float
    /// Std divided by (1 without `normalize`).
    public let std: Float
    /// Where the series came from.
    public let source: String

    /// Number of windows.
    public var count: Int {
        values.count >= window + horizon ? (values.count - window - horizon) / stride + 1 : 0
    }

    /// Windows over `series`.
    public init(series: [Float], window: Int, horizon: Int = 1, stride: Int = 1, normalize: Bool = false,
                source: String = "memory") throws {
        guard window > 0, horizon > 0, stride > 0 else {
            throw DataError(.invalidArgument, "TimeSeriesDataset: window, horizon and stride must be positive, got \(window), \(horizon), \(stride)")
        }
        guard series.count >= window + horizon else {
            throw DataError(.invalidArgument, "\(source): \(series.count) values is too short for a window of \(window) plus a horizon of \(horizon)")
        }
        var m: Float = 0, s: Float = 1
        if normalize {
            m = series.reduce(0, +) / Float(series.count)
            let v = series.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(series.count)
            s = v > 0 ? v.squareRoot() : 1
        }
        values = normalize ? series.map { ($0 - m) / s } : series
        mean = m
        std = s
        self.window = window
        self.horizon = horizon
        self.stride = stride
        self.source = source
    }

    /// Windows over the numeric `column` of a CSV file with a header row.
    /// - Throws: `DataError` naming the line of a non-numeric value.
    public init(csv path: String, column: String, window: Int, horizon: Int = 1, stride: Int = 1,
                normalize: Bool = false, delimiter: Character = ",") throws {
        guard fileExists(path) else { throw DataError(.notFound, "\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DataError(.badFormat, "\(path): not UTF-8 text")
        }
        var rows = parseCSV(text, delimiter: delimiter)
        guard !rows.isEmpty else { throw DataError(.badFormat, "\(path): file is empty, expected a header row") }
        let header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let ci = header.firstIndex(of: column) else {
            throw DataError(.notFound, "\(path): column '\(column)' not found (columns: \(header.joined(separator: ", ")))")
        }
        var series: [Float] = []
        for r in rows {
            guard ci < r.fields.count, let v = Float(r.fields[ci].trimmingCharacters(in: .whitespaces)) else {
                throw DataError(.badFormat, "\(path): line \(r.line), column '\(column)': expected a number, got '\(ci < r.fields.count ? r.fields[ci] : "")'")
            }
            series.append(v)
        }
        try self.init(series: series, window: window, horizon: horizon, stride: stride, normalize: normalize, source: path)
    }

    /// `[input [window, 1], target [horizon]]`.
    public subscript(index: Int, generator generator: Generator) -> [Tensor] {
        get throws {
            try checkIndex(index, count, "TimeSeriesDataset")
            let s = index * stride
            return [Tensor(Array(values[s..<(s + window)]), shape: [window, 1]),
                    Tensor(Array(values[(s + window)..<(s + window + horizon)]))]
        }
    }

    public var description: String {
        ["Dataset TimeSeriesDataset", "    Number of datapoints: \(count)", "    Root location: \(source)",
         "    Window: \(window), horizon: \(horizon), stride: \(stride)"].joined(separator: "\n")
    }
}
