import ArgumentParser
import Foundation
import Tensors
import WorkbenchRuns

/// The run store option shared by `runs`, `train`, `sweep` and `lr-find`.
struct RunStoreOption: ParsableArguments {
    @Option(name: .customLong("runs"), help: ArgumentHelp("Run store (SQLite). Default: $WORKBENCH_RUNS, else ./workbench-runs.sqlite.",
                                                           valueName: "path"))
    var path: String?

    /// The store file this option names.
    var resolved: String { RunStore.defaultPath(explicit: path) }

    /// Opens the store, as a one-line user error when it cannot be.
    func open() throws -> RunStore {
        do { return try RunStore(path: resolved) } catch { throw UserError("\(error)") }
    }
}

/// `workbench runs`: the runs recorded in the store.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, compare, export and delete recorded runs.",
        subcommands: [RunsList.self, RunsShow.self, RunsCompare.self, RunsExport.self, RunsRemove.self, RunsTag.self],
        defaultSubcommand: RunsList.self
    )
}

extension RunsCommand {
    /// `2026-12-02 19:49`
    static func date(_ t: Double?) -> String {
        guard let t else { return "-" }
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    static func resolve(_ store: RunStore, _ ids: [String]) throws -> [RunSummary] {
        do { return try ids.map(store.resolve) } catch { throw UserError("\(error)") }
    }
}

/// `workbench runs list`
struct RunsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per run, newest first.")
    @OptionGroup var store: RunStoreOption
    @Option(help: ArgumentHelp("Only runs whose model, dataset, status, name or tags contain this text.", valueName: "text"))
    var filter: String?

    func run() throws {
        let s = try store.open()
        var runs = try s.runs()
        if let f = filter?.lowercased() {
            runs = runs.filter { r in
                [r.model, r.dataset, r.status.rawValue, r.name ?? "", r.tags, r.id, r.source].contains { $0.lowercased().contains(f) }
            }
        }
        guard !runs.isEmpty else { print("no runs in \(s.path)"); return }
        print("id       status       started           model       dataset      lr        batch epochs  val loss  test     name/tags")
        for r in runs {
            let c = r.trainingConfig
            let epochs = try s.epochs(r.id)
            let val = epochs.last?.validationMetrics["loss"].map { String(format: "%.4f", $0) } ?? "-"
            let test = (r.testMetricValues["accuracy"] ?? r.testLoss).map { String(format: "%.4f", $0) } ?? "-"
            let label = [r.name, r.tags.isEmpty ? nil : "[\(r.tags)]"].compactMap { $0 }.joined(separator: " ")
            print(RunsCommand.pad(r.id, 8) + " " + RunsCommand.pad(r.status.rawValue, 12) + " "
                  + RunsCommand.pad(RunsCommand.date(r.startedAt), 17) + " " + RunsCommand.pad(r.model, 11) + " "
                  + RunsCommand.pad(URL(fileURLWithPath: r.dataset).lastPathComponent, 12) + " "
                  + RunsCommand.pad(c.map { formatHyperparameter($0.lr) } ?? "-", 9) + " "
                  + RunsCommand.pad(c.map { "\($0.batchSize)" } ?? "-", 5) + " "
                  + RunsCommand.pad("\(epochs.count)/\(c?.epochs ?? 0)", 7) + " " + RunsCommand.pad(val, 9) + " "
                  + RunsCommand.pad(test, 8) + " " + label)
        }
    }
}

/// `workbench runs show ID`
struct RunsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A run's settings, epochs, evaluations and files.")
    @OptionGroup var store: RunStoreOption
    @Argument(help: "Run id (or a unique prefix, or its name).") var id: String

    func run() throws {
        let s = try store.open()
        let r = try RunsCommand.resolve(s, [id])[0]
        print("run \(r.id)\(r.name.map { " (\($0))" } ?? "")  \(r.status.rawValue)\(r.message.map { ": \($0)" } ?? "")")
        print("  task \(r.task), model \(r.model), dataset \(r.dataset), seed \(r.seed)")
        print("  \(r.source) on \(r.host) (pid \(r.pid)), workbench \(r.version); started \(RunsCommand.date(r.startedAt)), ended \(RunsCommand.date(r.endedAt))")
        if !r.tags.isEmpty { print("  tags: \(r.tags)") }
        print("config:")
        for (k, v) in (r.trainingConfig?.dictionary ?? [:]).sorted(by: { $0.key < $1.key }) { print("  \(k) = \(v)") }
        print("steps: \(try s.stepCount(r.id))")
        let epochs = try s.epochs(r.id)
        if !epochs.isEmpty {
            print("epochs:")
            for e in epochs {
                let t = e.trainMetrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: " ")
                let v = e.validationMetrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: " ")
                print("  \(e.epoch): train \(t) | val \(v.isEmpty ? "-" : v) | lr \(formatHyperparameter(e.lr)) | \(String(format: "%.2fs", e.seconds))")
            }
        }
        for h in try s.hyperparameterChanges(r.id) { print("change: \(h.name) = \(formatHyperparameter(h.value)) from step \(h.step)") }
        for ev in try s.evaluations(r.id) {
            let m = ev.metricValues.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: " ")
            print("evaluation (\(ev.split), step \(ev.step)): loss \(String(format: "%.4f", ev.loss)) \(m)")
            if let cm = ev.confusionMatrix {
                let names = r.classNames.count == cm.classes ? r.classNames : (0..<cm.classes).map { "class \($0)" }
                print(ClassReport(cm).table(names: names).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            }
        }
        for a in try s.artifacts(r.id) { print("\(a.kind): \(a.path) sha256 \(a.sha256) (\(a.bytes) bytes, step \(a.step))") }
    }
}

/// `workbench runs compare ID ID…`
struct RunsCompare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare",
                                                    abstract: "Settings and final figures of several runs side by side (* marks differences).")
    @OptionGroup var store: RunStoreOption
    @Flag(name: .customLong("diff"), help: "Show only the settings that differ.") var onlyDifferences = false
    @Option(help: ArgumentHelp("The figure that decides the best run.", valueName: "figure")) var by: String = "val loss"
    @Argument(help: "Run ids (default: the five newest).") var ids: [String] = []

    func run() throws {
        let s = try store.open()
        let runs = ids.isEmpty ? Array(try s.runs().prefix(5)) : try RunsCommand.resolve(s, ids)
        guard !runs.isEmpty else { throw UserError("no runs in \(s.path) to compare") }
        let cmp = try RunComparison(store: s, runs: runs)
        print(cmp.table(onlyDifferences: onlyDifferences))
        if let best = cmp.best(by: by) ?? cmp.best(by: "test loss") { print("best (\(by)): \(best.id)") }
    }
}

/// `workbench runs export`
struct RunsExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Every scalar of some runs as CSV, JSON or TensorBoard event files.")
    @OptionGroup var store: RunStoreOption
    @Option(help: "csv, json or tensorboard.") var format: String = "csv"
    @Option(name: [.short, .long], help: ArgumentHelp("File to write (csv, json; default stdout), or the folder for tensorboard.", valueName: "path"))
    var output: String?
    @Argument(help: "Run ids (default: all runs).") var ids: [String] = []

    func run() throws {
        let s = try store.open()
        let runs = ids.isEmpty ? try s.runs() : try RunsCommand.resolve(s, ids)
        let ex = RunExporter(store: s)
        do {
            switch format.lowercased() {
            case "csv": try emit(Data(try ex.csv(runs).utf8))
            case "json": try emit(try ex.json(runs))
            case "tensorboard", "tb":
                guard let output else { throw UserError("--format tensorboard needs --output DIR (a folder for the event files)") }
                let files = try ex.tensorboard(runs, to: URL(fileURLWithPath: output))
                print("Wrote \(files.count) event file\(files.count == 1 ? "" : "s") under \(output) (tensorboard --logdir \(output))")
            default:
                throw UserError("--format \(format): expected csv, json or tensorboard")
            }
        } catch let e as UserError { throw e } catch { throw UserError("\(error)") }
    }

    private func emit(_ data: Data) throws {
        if let output {
            try AtomicFile.write(data, to: URL(fileURLWithPath: output))
            print("Wrote \(output)")
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}

/// `workbench runs rm ID…`
struct RunsRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete runs and their records (not their files).")
    @OptionGroup var store: RunStoreOption
    @Argument(help: "Run ids.") var ids: [String]

    func run() throws {
        let s = try store.open()
        let runs = try RunsCommand.resolve(s, ids)
        do { try s.delete(runs.map(\.id)) } catch { throw UserError("\(error)") }
        print("Deleted \(runs.map(\.id).joined(separator: ", "))")
    }
}

/// `workbench runs tag ID --name N --tags a,b`
struct RunsTag: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Rename a run or set its tags.")
    @OptionGroup var store: RunStoreOption
    @Argument(help: "Run id.") var id: String
    @Option(help: "New name (empty: none).") var name: String?
    @Option(help: "Comma-separated tags (empty: none).") var tags: String?

    func run() throws {
        let s = try store.open()
        let r = try RunsCommand.resolve(s, [id])[0]
        do {
            if let name { try s.rename(r.id, to: name.isEmpty ? nil : name) }
            if let tags { try s.setTags(r.id, tags.split(separator: ",").map(String.init)) }
        } catch { throw UserError("\(error)") }
        print("Updated \(r.id)")
    }
}
