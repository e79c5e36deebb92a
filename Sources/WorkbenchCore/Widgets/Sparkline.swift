/// A one-line chart of a series in block characters (`▁▂▃▄▅▆▇█`), resampled
/// to a width: the lr curve preview of the hyperparameter pane, time series.
///
/// ```swift
/// Sparkline.text([1, 1, 0.5, 0.25], width: 8)   // "████▄▄▂▂" (roughly)
/// ```
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `values` resampled to `width` columns (each column the value at its
    /// share of the series), scaled between the series' minimum and maximum;
    /// a flat series is drawn at mid height. Empty for no values or no width.
    public static func text(_ values: [Double], width: Int) -> String {
        let finite = values.filter(\.isFinite)
        guard width > 0, let lo = finite.min(), let hi = finite.max() else { return "" }
        let columns = Swift.min(width, values.count)
        var out = ""
        for c in 0..<columns {
            let v = values[c * values.count / columns]
            guard v.isFinite else { out.append(" "); continue }
            let level = hi > lo ? Int(((v - lo) / (hi - lo) * Double(blocks.count - 1)).rounded()) : blocks.count / 2
            out.append(blocks[Swift.max(0, Swift.min(blocks.count - 1, level))])
        }
        return out
    }
}
