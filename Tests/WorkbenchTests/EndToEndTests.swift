import Tensors
import Foundation
import XCTest

/// Drives the real `workbench` binary in tmux (send-keys, capture-pane) and checks the screen.
///
/// Runs the newest of `.build/debug/workbench` and `.build/release/workbench` (`make test` installs
/// tmux and builds the debug binary with the tests); skips when tmux or both binaries are missing.
/// Uses its own tmux socket and kills that server at the end.
final class EndToEndTests: XCTestCase {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    final class Tmux {
        let socket: String
        let tmux: String
        let session = "e2e"

        init(tmux: String, socket: String) {
            self.tmux = tmux
            self.socket = socket
        }

        /// Runs a tmux command and returns its stdout. Spawned directly and reaped with
        /// `waitpid`: the tmux server daemonises from the first command and must not inherit
        /// anything the test waits on (a pipe, Foundation's child monitor).
        /// The last 40 commands sent, oldest first (for failure reports).
        private(set) var history: [[String]] = []

        @discardableResult
        func run(_ args: [String]) -> String {
            history.append(args)
            if history.count > 40 { history.removeFirst() }
            let outPath = NSTemporaryDirectory() + "workbench-e2e-tmux-\(getpid()).out"
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = [tmux, "-L", socket, "-f", "/dev/null"] + args
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { for a in cargs { free(a) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, tmux, &actions, nil, &cargs, environ) == 0 else { return "" }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            defer { unlink(outPath) }
            return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        }

        func keys(_ k: String...) { run(["send-keys", "-t", session] + k) }
        func text(_ s: String) { run(["send-keys", "-t", session, "-l", s]) }
        func screen(escapes: Bool = false) -> String {
            run(["capture-pane", "-p", "-t", session] + (escapes ? ["-e"] : []))
        }
        func resize(_ w: Int, _ h: Int) { run(["resize-window", "-t", session, "-x", String(w), "-y", String(h)]) }
        func kill() { run(["kill-server"]) }
    }

    static func findTmux() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/tmux"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// How much longer every wait may take: `WORKBENCH_TEST_TIMEOUT_SCALE` (the sanitizer runs
    /// set it, since their binaries run 5–15 times slower), else 1.
    static let timeoutScale: Double = {
        guard let text = ProcessInfo.processInfo.environment["WORKBENCH_TEST_TIMEOUT_SCALE"],
              let v = Double(text), v >= 1 else { return 1 }
        return v
    }()

    /// Waits until the screen satisfies `cond` (10 s at most, times `timeoutScale`); fails with the screen otherwise.
    @discardableResult
    func waitFor(_ t: Tmux, _ what: String, timeout: TimeInterval = 10, escapes: Bool = false,
                 file: StaticString = #filePath, line: UInt = #line, _ cond: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout * Self.timeoutScale)
        var s = ""
        while Date() < deadline {
            s = t.screen(escapes: escapes)
            if cond(s) { return s }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let path = NSTemporaryDirectory() + "workbench-e2e-screen.txt"
        try? s.write(toFile: path, atomically: true, encoding: .utf8)
        XCTFail("timed out waiting for \(what); last screen saved to \(path)", file: file, line: line)
        return s
    }

    func waitFor(_ t: Tmux, shows text: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line) {
        waitFor(t, "\"\(text)\"", timeout: timeout, file: file, line: line) { $0.contains(text) }
    }

    /// The step counter "step N/M" in the status bar.
    func stepCount(_ screen: String) -> Int? {
        guard let r = screen.range(of: #"step (\d+)/"#, options: .regularExpression) else { return nil }
        return Int(screen[r].dropFirst(5).dropLast())
    }

    func testDrivesTheBinaryInTmux() throws {
        guard let tmuxPath = Self.findTmux() else {
            throw XCTSkip("tmux is not installed; `make test` installs it (apt-get install tmux)")
        }
        let binary = try WorkbenchBinary.path()
        let work = NSTemporaryDirectory() + "workbench-e2e-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let t = Tmux(tmux: tmuxPath, socket: "workbench-e2e-\(getpid())")
        defer { t.kill() }
        t.run(["new-session", "-d", "-s", t.session, "-x", "100", "-y", "30",
               "env -u NO_COLOR -u COLORTERM TERM=tmux-256color PS1='$ ' bash --norc --noprofile"])
        waitFor(t, "the shell prompt") { $0.contains("$") }
        t.text("cd \(work) && \(binary); echo EXIT=$?")
        t.keys("Enter")

        // Launch: all panes on the embedded dataset with LeNet5.
        waitFor(t, shows: "1 Dataset: Shapes10")
        var s = t.screen()
        for part in ["2 Model", "3 Charts", "4 Hyperparameters", "LeNet5 · 62,006 params", "● IDLE", "q quit"] {
            XCTAssertTrue(s.contains(part), "launch screen lacks \(part)")
        }

        // Browse: move, filter by class, enlarge, augmentation preview, back to the grid.
        t.keys("Right", "Right")
        waitFor(t, shows: "train 3/20000")
        t.keys("f")
        waitFor(t, shows: "train · circle 1/2000")
        t.keys("F")
        waitFor(t, shows: "train 1/20000")
        t.keys("Enter")
        waitFor(t, shows: "as stored")
        t.keys("a")
        waitFor(t, shows: "augmented: crop + flip")
        t.keys("a", "Enter")
        waitFor(t, "the grid again") { !$0.contains("as stored") && $0.contains("train 1/20000") }

        // A long run: epochs 500 (a next-run setting), then start.
        t.keys("4", "Down", "Down", "Down", "Down", "Down", "Enter", "C-u")
        t.text("500")
        t.keys("Enter")
        waitFor(t, shows: "epochs → 500")
        t.keys("s")
        s = waitFor(t, "training steps") { ($0.contains("● RUNNING")) && (self.stepCount($0) ?? 0) >= 3 }
        let firstStep = stepCount(s) ?? 0

        // Change the learning rate mid-run: applied at the next step and marked on the chart.
        t.keys("Up", "Up", "Up", "Up", "Up", "Enter", "C-u")
        t.text("0.05")
        t.keys("Enter")
        // The pane says the change is pending, then (often within one capture at thousands of
        // img/s) the step that applied it.
        waitFor(t, "the lr change acknowledged") {
            $0.contains("learning rate → 0.05 at the next step") || $0.contains("learning rate 0.05 from step")
        }
        s = waitFor(t, "the lr marker on the chart") { $0.contains("lr=0.05") }
        XCTAssertTrue(s.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28ff }, "no braille chart")
        s = waitFor(t, "the step counter to move") { (self.stepCount($0) ?? 0) > firstStep + 5 }

        // Pause: the counter stops.
        t.keys("p")
        s = waitFor(t, "paused") { $0.contains("● PAUSED") }
        let pausedAt = stepCount(s)
        Thread.sleep(forTimeInterval: 0.4)
        XCTAssertEqual(stepCount(t.screen()), pausedAt, "steps continued while paused")

        // Save the model, then load it back (the prompts offer runs/lenet5.safetensors).
        t.keys("S")
        waitFor(t, shows: "runs/lenet5.safetensors")
        t.keys("Enter")
        waitFor(t, shows: "saved model to runs/lenet5.safetensors")
        XCTAssertTrue(FileManager.default.fileExists(atPath: work + "/runs/lenet5.safetensors"))
        t.keys("L")
        waitFor(t, shows: "Load model (safetensors)")
        t.keys("Enter")
        waitFor(t, shows: "loaded model from runs/lenet5.safetensors")

        // Checkpoint (menu), stop, resume from it: the curve comes back and steps continue
        // after the last whole epoch.
        let epochAtCheckpoint = t.screen().range(of: #"epoch \d+/500"#, options: .regularExpression)
            .flatMap { r in Int(t.screen()[r].dropFirst(6).prefix { $0 != "/" }) } ?? 1
        t.keys("m", "c")
        waitFor(t, shows: "runs/lenet5-checkpoint.safetensors")
        t.keys("Enter")
        waitFor(t, shows: "saved checkpoint to runs/lenet5-checkpoint.safetensors")
        t.keys("x")
        waitFor(t, shows: "● STOPPED")
        t.keys("m", "k")
        waitFor(t, shows: "Resume from checkpoint")
        t.keys("Enter")
        s = waitFor(t, "the checkpoint loaded") { $0.contains("loaded checkpoint") && $0.contains("● IDLE") }
        XCTAssertTrue(s.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28ff }, "the loss curve did not come back")
        XCTAssertTrue(s.contains("lr=0.05"), "the lr marker did not come back")
        t.keys("s")
        s = waitFor(t, "the resumed run") { $0.contains("● RUNNING") && (self.stepCount($0) ?? 0) > 0 }
        // 1,000 steps per epoch (16,000 images, batch 16); a partial epoch is repeated.
        XCTAssertGreaterThan(stepCount(s) ?? 0, (epochAtCheckpoint - 1) * 1000, "steps restarted before the checkpoint's last whole epoch")
        t.keys("p")
        waitFor(t, shows: "● PAUSED")

        // Switch theme at run time: the light theme's background (#fafafa → 256-colour 231).
        XCTAssertFalse(t.screen(escapes: true).contains("48;5;231m"))
        t.keys("T")
        waitFor(t, shows: "light")
        t.keys("Down", "Enter")
        waitFor(t, shows: "theme: light")
        waitFor(t, "light background", escapes: true) { $0.contains("48;5;231m") }

        // Resize: re-layout at 80×24, a message below the minimum, back to large.
        t.resize(80, 24)
        waitFor(t, "80-column layout") { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 24 && lines[0].hasPrefix("╭─ 1 Dataset") && lines[0].hasSuffix("╮") && lines[0].count == 80
                && lines[22].contains("● PAUSED")
        }
        t.resize(50, 14)
        waitFor(t, shows: "Terminal too small: 50×14.")
        t.resize(120, 40)
        waitFor(t, "120×40 layout") { $0.contains("2 Model") && $0.split(separator: "\n", omittingEmptySubsequences: false)[38].contains("● PAUSED") }

        // Quit (confirmed because a run is in progress) and check the terminal is restored.
        t.keys("q")
        waitFor(t, shows: "Stop it and quit?")
        t.keys("y")
        waitFor(t, shows: "EXIT=0")
        assertTerminalRestored(t)
    }

    /// Checks, at the shell prompt after `workbench` exited, that the terminal is back in
    /// line mode with echo (`stty`) and the full-screen UI is gone.
    func assertTerminalRestored(_ t: Tmux, file: StaticString = #filePath, line: UInt = #line) {
        t.text("echo \"MODES: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon -e -echo -e -icanon | tr '\\n' ' ')\"")
        t.keys("Enter")
        let s = waitFor(t, "stty output", file: file, line: line) { $0.split(separator: "\n").contains { $0.hasPrefix("MODES: ") } }
        let modes = s.split(separator: "\n").first { $0.hasPrefix("MODES: ") }.map(String.init) ?? ""
        XCTAssertEqual(modes.trimmingCharacters(in: .whitespaces), "MODES: icanon echo", "terminal modes not restored",
                       file: file, line: line)
        XCTAssertFalse(s.contains("1 Dataset"), "the full-screen UI is still on screen", file: file, line: line)
    }

    /// A distributed run started from the TUI (processes 2 under mpirun) pauses,
    /// takes a live learning rate and resumes, like a local run.
    func testDistributedRunFromTheTUIPausesAndTakesALiveLearningRate() throws {
        guard let tmuxPath = Self.findTmux() else {
            throw XCTSkip("tmux is not installed; `make test` installs it (apt-get install tmux)")
        }
        guard DistributedTrainingTests.mpirun != nil else { throw XCTSkip("mpirun is not on PATH; `make deps` installs openmpi-bin") }
        let binary = try WorkbenchBinary.path()
        let work = NSTemporaryDirectory() + "workbench-e2e-ddp-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let t = Tmux(tmux: tmuxPath, socket: "workbench-e2e-ddp-\(getpid())")
        defer { t.kill() }
        t.run(["new-session", "-d", "-s", t.session, "-x", "120", "-y", "40",
               "env -u NO_COLOR TERM=tmux-256color OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                   + "OMPI_MCA_btl=self,vader,tcp OMPI_MCA_plm_rsh_agent= PS1='$ ' bash --norc --noprofile"])
        waitFor(t, "the shell prompt") { $0.contains("$") }
        t.text("cd \(work) && \(binary); echo EXIT=$?")
        t.keys("Enter")
        waitFor(t, shows: "1 Dataset: Shapes10")

        // epochs 50, processes 2, start.
        t.keys("4", "Down", "Down", "Down", "Down", "Down", "Enter", "C-u")
        t.text("50")
        t.keys("Enter")
        waitFor(t, shows: "epochs → 50")
        for _ in 0..<6 { t.keys("Down") }
        t.keys("Enter", "C-u")
        t.text("2")
        t.keys("Enter")
        waitFor(t, shows: "processes (-np) → 2")
        t.keys("s")
        var s = waitFor(t, "distributed steps", timeout: 60) { $0.contains("● RUNNING") && (self.stepCount($0) ?? 0) >= 20 }

        // Pause: every rank stops at the same step, the counter stands still.
        t.keys("p")
        s = waitFor(t, "paused", timeout: 20) { $0.contains("● PAUSED") }
        let pausedAt = stepCount(s) ?? 0
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertEqual(stepCount(t.screen()), pausedAt, "steps continued while paused")

        // A live learning rate while paused, then resume: applied at the next step.
        for _ in 0..<11 { t.keys("Up") }
        t.keys("Enter", "C-u")
        t.text("0.02")
        t.keys("Enter")
        t.keys("p")
        s = waitFor(t, "the new rate applied", timeout: 20) { $0.contains("learning rate 0.02 from step") && $0.contains("● RUNNING") }
        XCTAssertTrue(s.contains("learning rate 0.02 from step \(pausedAt + 1)"), s)
        waitFor(t, "steps after the resume", timeout: 20) { (self.stepCount($0) ?? 0) > pausedAt + 5 && $0.contains("lr 0.02") }

        // Quit (confirmed because a run is in progress): the job ends with the UI.
        t.keys("q")
        waitFor(t, shows: "Stop it and quit?", timeout: 30)
        t.keys("y")
        waitFor(t, shows: "EXIT=0", timeout: 30)
    }
}
