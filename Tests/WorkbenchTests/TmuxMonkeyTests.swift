import Foundation
import WorkbenchCore
import XCTest

/// The monkey test through a real terminal: `MonkeyEvents`' seeded stream of typed
/// characters, editing, function and control keys, pastes, mouse reports and resizes
/// (1×1 … 300×100) goes into the `workbench` binary running in tmux, with a run training
/// underneath. `MonkeyTests` drives the run loop in-process with 4,000 events (and
/// `scripts/monkey.sh` with 100,000); this shorter run goes through everything between:
/// the pty, ncurses' key and mouse decoding, SIGWINCH and the real terminal's restore.
///
/// Checked: every exit of the binary is status 0 (a crash exits through a signal; the
/// shell loop relaunches it after a quit the keys cause, as a user would); the frame
/// loop keeps answering: every 500 events a probe resizes the window to a size not used
/// before and waits for the "Terminal too small: W×H." screen, which only a live loop can
/// draw, whatever dialog or prompt is open; at the end the binary quits and the
/// terminal is back in line mode with echo, off the alternate screen.
///
/// `WORKBENCH_TMUX_MONKEY_EVENTS` (default 3,000) and `WORKBENCH_MONKEY_SEED` (default 1)
/// size and seed it.
extension EndToEndTests {
    func testRandomInputThroughTmuxNeverCrashesOrHangsTheBinary() throws {
        guard let tmuxPath = Self.findTmux() else {
            throw XCTSkip("tmux is not installed; `make test` installs it (apt-get install tmux)")
        }
        let env = ProcessInfo.processInfo.environment
        let count = env["WORKBENCH_TMUX_MONKEY_EVENTS"].flatMap { Int($0) } ?? 3_000
        let seed = env["WORKBENCH_MONKEY_SEED"].flatMap { UInt64($0) } ?? 1
        let binary = try WorkbenchBinary.path()
        // Everything the prompts write lands here; it is also $HOME (hub cache, recents).
        let work = NSTemporaryDirectory() + "workbench-tmux-monkey-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // The pane runs a relaunch loop, not an interactive shell: keys still queued when the
        // binary quits must not reach a shell that would run them. The loop traps ^C for itself
        // (a trap, unlike an ignored signal, is reset in the child), so a ^C that lands between
        // two launches cannot end it. A crash leaves a core file (core_pattern permitting),
        // kept for the failure message. After the last exit it records the terminal's modes.
        let loop = """
            exec 2>> loop-trace.txt
            set -x
            trap 'echo INT >> interrupts.txt' INT
            ulimit -c unlimited 2>/dev/null
            while [ ! -e stop ]; do '\(binary)' 2>> stderr.txt; echo $? >> exits.txt; done
            stty -a > stty-after.txt
            echo done > loop-done.txt
            exec sleep 3600

            """
        try loop.write(toFile: work + "/loop.sh", atomically: true, encoding: .utf8)
        let t = Tmux(tmux: tmuxPath, socket: "workbench-monkey-\(getpid())")
        defer { t.kill() }
        func startSession() {
            t.run(["new-session", "-d", "-s", t.session, "-x", "100", "-y", "30", "-c", work,
                   "env -u NO_COLOR -u COLORTERM TERM=tmux-256color HOME='\(work)' "
                   + "SWIFT_BACKTRACE=enable=yes,interactive=no,color=no bash loop.sh"])
            waitFor(t, shows: "1 Dataset: Shapes10")
            t.keys("s")
            waitFor(t, "the run to start") { $0.contains("● RUNNING") }
        }
        startSession()

        var events = MonkeyEvents(seed: seed, width: 100, height: 30)
        var sender = TmuxKeySender(tmux: t)
        var probes = 0, tmuxCrashes = 0
        for i in 1...count {
            switch events.next() {
            case .key(let key): sender.add(key)
            case .paste(let keys): sender.addLiteral(String(keys.map { $0 == .enter ? "\r" : TmuxKeySender.literal($0) ?? "" }.joined()))
            case .resize(let w, let h):
                sender.flush()
                t.resize(w, h)
            }
            if i % 500 == 0 || i == count {
                sender.flush()
                probes += 1
                // A size no earlier probe used (and not the current one): the screen below can
                // only come from a new frame. Below 60×18, wide enough for the message.
                var w = 30 + probes % 20
                let h = 8 + probes / 20 % 10
                if (w, h) == (events.width, events.height) { w = 50 }
                t.resize(w, h)
                let expected = "Terminal too small: \(w)×\(h)."
                let deadline = Date().addingTimeInterval(10 * Self.timeoutScale)
                var frame = t.screen()
                while !frame.contains(expected) && Date() < deadline {
                    Thread.sleep(forTimeInterval: 0.05)
                    frame = t.screen()
                }
                if !frame.contains(expected) && t.run(["list-sessions"]).isEmpty {
                    // tmux 3.3a's server sometimes segfaults under this input (dmesg: "tmux: server
                    // … segfault"); its panes get SIGHUP and the binary's exit is not recorded.
                    // Not the binary's failure: start a new session and go on.
                    tmuxCrashes += 1
                    guard tmuxCrashes <= 3 else {
                        return XCTFail("the tmux server died \(tmuxCrashes) times (seed \(seed)); the test cannot judge the binary")
                    }
                    startSession()
                    continue
                }
                guard frame.contains(expected) else {
                    try? frame.write(toFile: NSTemporaryDirectory() + "workbench-e2e-screen.txt", atomically: true, encoding: .utf8)
                    return XCTFail("no frame at \(w)×\(h) within 10 s after \(i) events (seed \(seed)); screen in "
                                   + NSTemporaryDirectory() + "workbench-e2e-screen.txt; the binary's state: "
                                   + Self.diagnoseHang(t, binary: binary, work: work))
                }
                t.resize(events.width, events.height)
            }
        }

        // Quit from wherever the keys left it: close dialogs and prompts, q, confirm.
        FileManager.default.createFile(atPath: work + "/stop", contents: nil)
        t.resize(100, 30)
        let deadline = Date().addingTimeInterval(30 * Self.timeoutScale)
        let done = work + "/loop-done.txt"
        while !FileManager.default.fileExists(atPath: done) && Date() < deadline {
            t.keys("Escape")
            Thread.sleep(forTimeInterval: 0.1)
            t.keys("Escape")
            Thread.sleep(forTimeInterval: 0.1)
            t.keys("q")
            Thread.sleep(forTimeInterval: 0.3)
            if t.screen().contains("Stop it and quit?") { t.keys("y") }
            Thread.sleep(forTimeInterval: 0.3)
        }
        guard FileManager.default.fileExists(atPath: done) else {
            try? t.screen().write(toFile: NSTemporaryDirectory() + "workbench-e2e-screen.txt", atomically: true, encoding: .utf8)
            return XCTFail("the binary did not quit within 30 s of Escape, q, y; last screen saved to "
                           + NSTemporaryDirectory() + "workbench-e2e-screen.txt")
        }
        let exits = (try? String(contentsOfFile: work + "/exits.txt", encoding: .utf8)) ?? ""
        let statuses = exits.split(separator: "\n").map(String.init)
        XCTAssertFalse(statuses.isEmpty, "the binary never exited")
        // 130 is the forced quit of a second ^C that arrives before the loop took the first.
        let bad = statuses.filter { $0 != "0" && $0 != "130" }
        if !bad.isEmpty {
            let keep = NSTemporaryDirectory() + "workbench-tmux-monkey-cores-\(getpid())"
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            let cores = ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).filter { $0.hasPrefix("core") }
            for c in cores { try? FileManager.default.moveItem(atPath: work + "/" + c, toPath: keep + "/" + c) }
            let stderr = (try? String(contentsOfFile: work + "/stderr.txt", encoding: .utf8)) ?? ""
            try? stderr.write(toFile: keep + "/stderr.txt", atomically: true, encoding: .utf8)
            XCTFail("exit statuses \(bad) (a signal shows as 128 + its number) with seed \(seed); "
                    + (cores.isEmpty ? "no core file" : "core files in \(keep) (binary \(binary))")
                    + "; the binary's stderr (crash reports) in \(keep)/stderr.txt")
        }
        // The terminal restored: line mode with echo, and off the alternate screen.
        let modes = ((try? String(contentsOfFile: work + "/stty-after.txt", encoding: .utf8)) ?? "")
            .split { $0 == " " || $0 == ";" || $0 == "\n" }.map(String.init)
        for m in ["icanon", "echo"] { XCTAssertTrue(modes.contains(m), "terminal mode \(m) not restored: \(modes)") }
        XCTAssertEqual(t.run(["display-message", "-p", "-t", t.session, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines),
                       "0", "the pane is still on the alternate screen")
        print("tmux monkey: \(count) events (seed \(seed)), \(statuses.count) launches, \(probes) frame probes, "
              + "\(sender.commands) tmux commands, \(tmuxCrashes) tmux server crashes")
    }
}

extension EndToEndTests {
    /// For a failed frame probe: the last tmux commands, the loop's trace, the launches so far and every running `binary` process's state
    /// and threads' stacks (gdb, when installed), written to a file; returns its path.
    static func diagnoseHang(_ t: Tmux, binary: String, work: String) -> String {
        let recent = t.history.map { $0.joined(separator: " ") }.joined(separator: "\n")
        var report = "tmux sessions: " + t.run(["list-sessions"]) + "\nlast tmux commands:\n" + recent + "\n"
        report += "files: " + ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).joined(separator: ", ") + "\n"
        report += "loop trace (last 3000 bytes): " + String(((try? String(contentsOfFile: work + "/loop-trace.txt", encoding: .utf8)) ?? "none").suffix(3000)) + "\n"
        report += "exit statuses so far: "
            + ((try? String(contentsOfFile: work + "/exits.txt", encoding: .utf8)) ?? "none").split(separator: "\n").joined(separator: " ")
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) == binary
        }
        report += "\n\(pids.count) process(es) of \(binary)\n"
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/ps")
        ps.arguments = ["-e", "-o", "pid,ppid,pgid,tpgid,stat,etime,args"]
        let psOut = Pipe()
        ps.standardOutput = psOut
        if (try? ps.run()) != nil {
            let lines = String(decoding: psOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            report += lines.enumerated().filter { $0.offset == 0 || ["workbench", "tmux", "loop.sh", "sleep"].contains(where: $0.element.contains) }
                .map { String($0.element) }.joined(separator: "\n") + "\n"
            ps.waitUntilExit()
        }
        for pid in pids {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            report += "\n== pid \(pid): " + status.split(separator: "\n").filter { $0.hasPrefix("State") || $0.hasPrefix("Threads") }
                .joined(separator: ", ") + "\n"
            let gdb = Process()
            gdb.executableURL = URL(fileURLWithPath: "/usr/bin/gdb")
            gdb.arguments = ["-batch", "-p", String(pid), "-ex", "thread apply all bt 30"]
            let out = Pipe()
            gdb.standardOutput = out
            gdb.standardError = out
            if (try? gdb.run()) != nil {
                report += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                gdb.waitUntilExit()
            }
        }
        let path = NSTemporaryDirectory() + "workbench-tmux-monkey-hang-\(getpid()).txt"
        try? report.write(toFile: path, atomically: true, encoding: .utf8)
        return "\(pids.count) process(es); states and stacks in \(path)"
    }
}

/// Turns app keys into `tmux send-keys` calls for `EndToEndTests.Tmux`, batching runs of
/// named keys (`Up`, `F5`, `C-a`) and runs of literal bytes (characters, mouse reports)
/// into one command each. Literal bytes go as hex (`send-keys -H`): tmux's own parser
/// would take an argument ending in `;` for a command separator.
struct TmuxKeySender {
    let tmux: EndToEndTests.Tmux
    private var named: [String] = []
    private var literal = ""
    private(set) var commands = 0

    init(tmux: EndToEndTests.Tmux) { self.tmux = tmux }

    /// The bytes a terminal sends for `key` when they are plain text: characters and mouse
    /// reports (xterm's 1006 form, which ncurses decodes); nil for keys tmux names.
    static func literal(_ key: Key) -> String? {
        switch key {
        case .char(let c): return String(c)
        case .mouse(let m):
            let button: Int
            switch m.kind {
            case .press, .release: button = 0
            case .scrollUp: button = 64
            case .scrollDown: button = 65
            }
            return "\u{1b}[<\(button);\(m.x + 1);\(m.y + 1)\(m.kind == .release ? "m" : "M")"
        default: return nil
        }
    }

    /// tmux's name for `key`; nil for keys a test must not send: ^S/^Q (flow control would
    /// freeze the pty, not the app), ^Z (the shell would stop the job), ^\ (SIGQUIT).
    static func name(_ key: Key) -> String? {
        switch key {
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PPage"
        case .pageDown: return "NPage"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "BTab"
        case .escape: return "Escape"
        case .backspace: return "BSpace"
        case .delete: return "DC"
        case .insert: return "IC"
        case .function(let n): return "F\(n)"
        case .ctrl(let c): return "sqz\\".contains(c) ? nil : "C-\(c)"
        case .char, .mouse, .resize: return nil
        }
    }

    mutating func add(_ key: Key) {
        if let text = Self.literal(key) {
            addLiteral(text)
        } else if let n = Self.name(key) {
            if !literal.isEmpty { flush() }
            named.append(n)
            if named.count >= 32 { flush() }
        }
    }

    mutating func addLiteral(_ text: String) {
        if !named.isEmpty { flush() }
        literal += text
        if literal.count >= 256 { flush() }
    }

    /// Sends what is pending.
    mutating func flush() {
        if !named.isEmpty {
            tmux.run(["send-keys", "-t", tmux.session] + named)
            named.removeAll()
            commands += 1
        }
        if !literal.isEmpty {
            tmux.run(["send-keys", "-t", tmux.session, "-H"] + literal.utf8.map { String($0, radix: 16) })
            literal = ""
            commands += 1
        }
    }
}
