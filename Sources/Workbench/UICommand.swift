import ArgumentParser
import Foundation
import Tensors
import WorkbenchCore

/// `workbench` with no subcommand: the full-screen TUI.
struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "The full-screen workbench (the default when no subcommand is given).",
        discussion: """
        Opens the embedded Shapes10 dataset and LeNet5 unless told otherwise. Keys: Tab switches \
        panes, m or F2 opens the menu, ? lists every key, q quits. Colours follow COLORTERM and \
        NO_COLOR; themes are read from themes/NAME.theme.
        """
    )

    @Option(name: .long, help: "CIFAR-10 to open (the archive or the extracted folder), a .csv file, a .txt file (language modelling) or a folder of <class>/*.txt (with --task sequence-classification).")
    var data: String?

    @Option(name: .long, help: "CSV: the column to predict (default label).")
    var target: String?

    @Option(name: .long, help: "classification (default), regression (CSV), language-modeling (a .txt, or the embedded arithmetic corpus without --data), sequence-classification (a text folder or CSV, or the embedded sums) or forecasting (a CSV column with --target, or the embedded sine waves).")
    var task: String?

    @Option(name: .long, help: "Model from the zoo (see `workbench models`), e.g. lenet5, or a model file (.model.yaml / .json) to train and edit.")
    var model: String?

    @Option(name: .long, help: "Theme name (a file themes/NAME.theme), e.g. default, light, mono.")
    var theme: String?

    @OptionGroup var runStore: RunStoreOption
    @Flag(inversion: .prefixedNo, help: "Record runs in the run store (--runs).") var record = true

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let services = AppServices.standard(runs: record ? try runStore.open() : nil)
        var taskKind: TaskKind?
        if let task {
            guard let k = TaskKind(rawValue: task.lowercased()) else {
                throw UserError("--task \(task): expected one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            taskKind = k
        }
        let screen: Screen
        do { screen = try Screen(environment: env) } catch { throw UserError("\(error)") }
        if let data {
            // Reading the archive takes a moment: say so until the first frame.
            let size = screen.size
            var canvas = Canvas(width: size.width, height: size.height, colorMode: screen.colorMode)
            canvas.putCentered("Opening \(data) …", in: canvas.bounds, y: size.height / 2, Style())
            screen.draw(canvas)
        }
        let app = App(services: services, options: AppOptions(dataPath: data, model: model, theme: theme, target: target, task: taskKind),
                      colorMode: screen.colorMode)
        TerminalRunner.run(app, screen: screen)
        // The terminal is restored and the session closed (its run stopped, waiting at most 3 s).
        // Leave without running the libraries' exit handlers: work queued on the session before
        // the quit (a gallery evaluation, a sample) may still be inside OpenBLAS, and its
        // destructor pulls the kernels' table from under it (a SIGSEGV in cblas_sgemm at quit,
        // found by the tmux monkey under ThreadSanitizer). Files are written atomically, the run
        // store is SQLite in WAL mode, so nothing written is lost.
        fflush(nil)
        _exit(0)
    }
}
