import Foundation
import Tensors

/// Several runs side by side: their settings (the ones that differ first) and their final figures.
public struct RunComparison: Sendable {
    /// One line of the table: a name and one value per run (`-` when missing).
    public struct Row: Equatable, Sendable {
        public var name: String
        public var values: [String]
        /// Whether the runs disagree on it.
        public var differs: Bool { Set(values).count > 1 }
    }

    /// The runs, in the order given.
    public let runs: [RunSummary]
    /// Settings from each run's `TrainingConfig`.
    public let config: [Row]
    /// Final figures: last epoch's train and validation metrics, best validation loss, test figures, status.
    public let results: [Row]

    /// Compares `runs` of `store`.
    public init(store: RunStore, runs: [RunSummary]) throws {
        self.runs = runs
        let dicts = runs.map { $0.trainingConfig?.dictionary ?? [:] }
        let keys = Set(dicts.flatMap(\.keys)).sorted()
        var rows = keys.map { k in Row(name: k, values: dicts.map { $0[k] ?? "-" }) }
        rows.sort { ($0.differs ? 0 : 1, $0.name) < ($1.differs ? 0 : 1, $1.name) }
        config = rows

        var figures: [[String: Double]] = []
        for r in runs {
            var f: [String: Double] = [:]
            let epochs = try store.epochs(r.id)
            if let last = epochs.last {
                f["epochs done"] = Double(last.epoch)
                for (k, v) in last.trainMetrics { f["train " + k] = v }
                for (k, v) in last.validationMetrics { f["val " + k] = v }
            }
            let vals = epochs.compactMap { $0.validationMetrics["loss"] }
            if let best = vals.min() { f["best val loss"] = best }
            if let t = r.testLoss { f["test loss"] = t }
            for (k, v) in r.testMetricValues { f["test " + k] = v }
            figures.append(f)
        }
        let order = ["epochs done", "train loss", "val loss", "best val loss", "test loss"]
        let names = Set(figures.flatMap(\.keys)).sorted { a, b in
            let ia = order.firstIndex(of: a) ?? order.count, ib = order.firstIndex(of: b) ?? order.count
            return (ia, a) < (ib, b)
        }
        var res = [Row(name: "status", values: runs.map(\.status.rawValue))]
        for n in names {
            res.append(Row(name: n, values: figures.map { f in
                f[n].map { n == "epochs done" ? String(Int($0)) : String(format: "%.4f", $0) } ?? "-"
            }))
        }
        results = res
    }

    /// The run with the lowest value of `figure` among `results` (`val loss`, `test loss`); for
    /// accuracy-like figures (`… accuracy`, `… r2`) the highest.
    public func best(by figure: String) -> RunSummary? {
        guard let row = results.first(where: { $0.name == figure }) else { return nil }
        let higher = figure.hasSuffix("accuracy") || figure.hasSuffix("r2")
        let scored = zip(runs, row.values).compactMap { r, v in Double(v).map { (r, $0) } }
        return (higher ? scored.max { $0.1 < $1.1 } : scored.min { $0.1 < $1.1 })?.0
    }

    /// The table as text: a header of run ids, the settings, a rule, the results; `*` marks rows that differ.
    public func table(onlyDifferences: Bool = false) -> String {
        let header = Row(name: "", values: runs.map(\.id))
        let cfg = onlyDifferences ? config.filter(\.differs) : config
        let all = [header] + cfg + results
        let w0 = all.map { $0.name.count + 2 }.max() ?? 2
        var widths = runs.indices.map { i in all.map { $0.values[i].count }.max() ?? 1 }
        widths = widths.map { max($0, 7) }
        func render(_ r: Row, mark: Bool) -> String {
            var s = ((mark && r.differs) ? "* " : "  ") + r.name.padding(toLength: w0, withPad: " ", startingAt: 0)
            for (i, v) in r.values.enumerated() {
                s += " " + String(repeating: " ", count: max(0, widths[i] - v.count)) + v
            }
            return s
        }
        var out = [render(header, mark: false)]
        out += cfg.map { render($0, mark: true) }
        out.append(String(repeating: "-", count: 2 + w0 + widths.reduce(0) { $0 + $1 + 1 }))
        out += results.map { render($0, mark: false) }
        return out.joined(separator: "\n")
    }
}
