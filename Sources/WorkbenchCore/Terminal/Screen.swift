import CNcurses
import Foundation
import Synchronization

// The only file that calls ncurses.

// The state the signal handlers share with the UI thread is atomic (lock-free, so safe in a
// handler): a handler runs on whichever thread the signal lands on, and `sig_atomic_t` only
// orders a handler against the thread it interrupted (ThreadSanitizer reported the race).

/// Set by the SIGINT/SIGTERM handler; the loop notices it within one timeout.
private let interruptFlag = Atomic<Int32>(0)
/// Whether curses is active (for the atexit and crash handlers).
private let cursesActive = Atomic<Int32>(0)

private func restoreTerminal() {
    if cursesActive.exchange(0, ordering: .acquiringAndReleasing) != 0 {
        endwin()
    }
}

/// The crash signals' handlers before the screen's own (indexed by signal number), for the
/// crash handler to pass the signal on; allocated once, never freed.
private let previousCrashActions = Atomic<UnsafeMutablePointer<sigaction>?>(nil)

/// The terminal's modes before curses started, for `restoreTerminalFromSignal`; written
/// before `haveShellModes` is set (release), read after it is seen (acquire). Heap storage of
/// the full `termios` size: as a Swift global, AddressSanitizer saw it as 57 bytes and reported
/// `tcgetattr`'s 60-byte write as a global-buffer-overflow into the next global.
private let shellModes: UnsafeMutablePointer<termios> = {
    let p = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    p.initialize(to: termios())
    return p
}()
private let haveShellModes = Atomic<Int32>(0)

/// Restores the terminal from a signal handler, where ncurses must not be called: the main
/// thread may be inside ncurses (`endwin` there crashed a forced quit). Only async-signal-safe
/// calls: one `write` of the xterm-family sequences (mouse reporting off, attributes reset,
/// cursor shown, alternate screen left, which every terminal workbench draws on understands)
/// and `tcsetattr` with the modes saved at start.
private func restoreTerminalFromSignal() {
    guard cursesActive.exchange(0, ordering: .acquiringAndReleasing) != 0 else { return }
    let reset: StaticString = "\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?1006l\u{1b}[0m\u{1b}[?25h\u{1b}[?1049l\r\n"
    _ = write(STDOUT_FILENO, reset.utf8Start, reset.utf8CodeUnitCount)
    if haveShellModes.load(ordering: .acquiring) != 0 { _ = tcsetattr(STDIN_FILENO, TCSANOW, shellModes) }
}

/// The terminal cannot be used (not a tty, unknown terminal type).
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ m: String) { description = m }
}

/// The terminal: starts and stops curses, reads keys, and flushes a `Canvas` to the screen
/// by writing only the cells that changed since the last frame.
public final class Screen {
    public let colorMode: ColorMode
    private var previous: Canvas?
    private var pairs: ColorPairTable
    /// When the pair table was last emptied (it is emptied at most every few seconds).
    private var pairsResetAt = Date.distantPast
    private let directColor: Bool
    private var term: OpaquePointer?
    private var clearOnRepaint = true

    // ncurses attribute bits (NCURSES_BITS(1, n) = 1 << (n + 8)); the macros do not import.
    private static let aUnderline: UInt32 = 1 << 17
    private static let aReverse: UInt32 = 1 << 18
    private static let aDim: UInt32 = 1 << 20
    private static let aBold: UInt32 = 1 << 21
    private static let aItalic: UInt32 = 1 << 31
    // Mouse masks (mouse version 2): button b's events are at bits 5(b-1).
    private static let button1Pressed: UInt = 0o2
    private static let button1Released: UInt = 0o1
    private static let button4Pressed: UInt = 0o2 << 15
    private static let button5Pressed: UInt = 0o2 << 20

    /// Starts full-screen mode. With `COLORTERM=truecolor`/`24bit` it first tries the
    /// direct-colour variant of `$TERM` (e.g. `xterm-direct`) if the terminfo entry exists.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        setlocale(LC_ALL, "")
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw TerminalError("workbench: the TUI needs a terminal (stdin and stdout must be a tty); use `workbench train` for headless runs")
        }
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        let wantsTrue = (colorterm == "truecolor" || colorterm == "24bit") && (environment["NO_COLOR"] ?? "").isEmpty
        let baseTerm = environment["TERM"] ?? "xterm"
        var candidates: [String] = []
        if wantsTrue && !baseTerm.hasSuffix("-direct") {
            candidates.append(baseTerm + "-direct")
            if baseTerm.hasPrefix("xterm") { candidates.append("xterm-direct") }
        }
        candidates.append(baseTerm)
        if haveShellModes.load(ordering: .acquiring) == 0, tcgetattr(STDIN_FILENO, shellModes) == 0 {
            haveShellModes.store(1, ordering: .releasing)
        }
        for name in candidates {
            if name != baseTerm && !Screen.terminfoExists(name) { continue }
            if let t = newterm(name, stdout, stdin) {
                term = t
                break
            }
        }
        guard term != nil else { throw TerminalError("workbench: cannot start the terminal \(baseTerm) (unknown to terminfo?)") }
        cursesActive.store(1, ordering: .releasing)
        Screen.installHandlers()
        cbreak()
        noecho()
        nonl()
        intrflush(stdscr, false)
        keypad(stdscr, true)
        curs_set(0)
        set_escdelay(25)
        mouseinterval(0)
        mousemask(mmask_t(Screen.button1Pressed | Screen.button1Released | Screen.button4Pressed | Screen.button5Pressed), nil)
        var colors: Int32 = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = COLORS
        }
        directColor = colors >= 0x1000000
        colorMode = ColorMode.detect(environment: environment, terminalColors: Int(colors), directColor: directColor)
        let mode = colorMode
        pairs = ColorPairTable(capacity: Int(max(0, min(COLOR_PAIRS, 0x7fff_ffff) - 1))) { n in
            guard n >= 0 else { return nil }
            switch mode {
            case .truecolor: return RGB(UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff))
            case .palette256: return Palette.rgb256(Int(n))
            case .ansi8: return Palette.ansi8Reference[Int(n) % 8]
            case .monochrome: return nil
            }
        }
    }

    deinit { shutdown() }

    /// Restores the terminal (idempotent). Only this screen's first call acts: a screen
    /// released later (e.g. after another one was started) must not end the newer one.
    public func shutdown() {
        guard let t = term else { return }
        restoreTerminal()
        delscreen(t)
        term = nil
    }

    /// Whether Ctrl-C / SIGTERM arrived since the last call.
    public static func takeInterrupt() -> Bool {
        interruptFlag.exchange(0, ordering: .acquiringAndReleasing) != 0
    }

    static func terminfoExists(_ name: String) -> Bool {
        guard let first = name.first else { return false }
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        for dir in ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"] {
            if FileManager.default.fileExists(atPath: "\(dir)/\(first)/\(name)") || FileManager.default.fileExists(atPath: "\(dir)/\(hex)/\(name)") {
                return true
            }
        }
        return false
    }

    private static func installHandlers() {
        atexit { restoreTerminal() }
        let onInterrupt: @convention(c) (Int32) -> Void = { _ in
            if interruptFlag.exchange(1, ordering: .acquiringAndReleasing) != 0 {
                // Second signal while the loop did not react: leave now.
                restoreTerminalFromSignal()
                _exit(130)
            }
        }
        signal(SIGINT, onInterrupt)
        signal(SIGTERM, onInterrupt)
        // A crash restores the terminal, then hands the signal to the handler that was there
        // before (the Swift runtime's backtracer prints its crash report on the restored terminal;
        // without one, the default action ends the process).
        let onCrash: @convention(c) (Int32) -> Void = { sig in
            restoreTerminalFromSignal()
            if let previous = previousCrashActions.load(ordering: .acquiring), sig > 0, sig < 32 {
                sigaction(sig, previous + Int(sig), nil)
            } else {
                signal(sig, SIG_DFL)
            }
            raise(sig)
        }
        // Only the first screen of the process records them: a later one would find its own.
        let recorded = previousCrashActions.load(ordering: .acquiring)
        let first = recorded == nil
        let previous = recorded ?? UnsafeMutablePointer<sigaction>.allocate(capacity: 32)
        if first { previous.initialize(repeating: sigaction(), count: 32) }
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            if first { sigaction(s, nil, previous + Int(s)) }
            signal(s, onCrash)
        }
        previousCrashActions.store(previous, ordering: .releasing)
    }

    /// The terminal size in cells.
    public var size: (width: Int, height: Int) { (Int(getmaxx(stdscr)), Int(getmaxy(stdscr))) }

    /// Waits up to `timeout` milliseconds for a key; nil on timeout.
    public func readKey(timeout: Int32) -> Key? {
        wtimeout(stdscr, timeout)
        var ch: wint_t = 0
        let r = wget_wch(stdscr, &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES { return Screen.translateFunctionKey(Int32(ch)) }
        switch ch {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26:
            return .ctrl(Character(Unicode.Scalar(UInt8(ch) + 96)))
        default:
            guard let s = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .char(Character(s))
        }
    }

    private static func translateFunctionKey(_ k: Int32) -> Key? {
        switch k {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            var ev = MEVENT()
            guard getmouse(&ev) == OK else { return nil }
            let b = UInt(ev.bstate)
            let kind: MouseEvent.Kind
            if b & button4Pressed != 0 { kind = .scrollUp }
            else if b & button5Pressed != 0 { kind = .scrollDown }
            else if b & button1Pressed != 0 { kind = .press }
            else if b & button1Released != 0 { kind = .release }
            else { return nil }
            return .mouse(MouseEvent(x: Int(ev.x), y: Int(ev.y), kind: kind))
        default:
            if k >= KEY_F0 + 1 && k <= KEY_F0 + 24 { return .function(Int(k - KEY_F0)) }
            return nil
        }
    }

    /// Writes the cells that differ from the previous frame and refreshes the terminal.
    ///
    /// When the colour-pair table fills up, stale pairs (from earlier screens) are freed by
    /// emptying the table and repainting the whole frame, at most once every few seconds;
    /// a frame that needs more pairs than the terminal has gets the nearest cached ones.
    public func draw(_ canvas: Canvas) {
        let resized = previous.map { $0.width != canvas.width || $0.height != canvas.height } ?? false
        var full = previous == nil || resized
        // Clear only for a new size; a repaint after a pair-table reset rewrites every cell anyway.
        if resized || (previous == nil && clearOnRepaint) { wclear(stdscr) }
        clearOnRepaint = false
        var mayReset = Date().timeIntervalSince(pairsResetAt) > 3
        var pass = 0
        repaint: while pass < 2 {
            pass += 1
            for y in 0..<canvas.height {
                for x in 0..<canvas.width {
                    let cell = canvas[x, y]
                    if cell.isContinuation { continue }
                    if !full, let p = previous, p[x, y] == cell { continue }
                    if !put(cell, x: x, y: y, mayReset: mayReset) {
                        pairs.reset()
                        pairsResetAt = Date()
                        mayReset = false
                        full = true
                        continue repaint
                    }
                }
            }
            break
        }
        previous = canvas
        wnoutrefresh(stdscr)
        doupdate()
    }

    /// Forces the next `draw` to repaint everything.
    public func invalidate() {
        previous = nil
        clearOnRepaint = true
    }

    /// Writes one cell; false (nothing written) when the pair table is full and `mayReset`.
    private func put(_ cell: Cell, x: Int, y: Int, mayReset: Bool) -> Bool {
        var attrs: UInt32 = 0
        let a = cell.style.attrs
        if a.contains(.bold) { attrs |= Screen.aBold }
        if a.contains(.dim) { attrs |= Screen.aDim }
        if a.contains(.underline) { attrs |= Screen.aUnderline }
        if a.contains(.reverse) { attrs |= Screen.aReverse }
        if a.contains(.italic) { attrs |= Screen.aItalic }
        var pair: Int32 = 0
        if colorMode != .monochrome {
            let fg = colorNumber(cell.style.fg), bg = colorNumber(cell.style.bg)
            switch pairs.pair(fg: fg, bg: bg) {
            case .cached(let p): pair = p
            case .new(let p):
                init_extended_pair(p, fg, bg)
                pair = p
            case .substitute(let p):
                if mayReset { return false }
                pair = p
            }
        }
        var wch: [wchar_t] = [wchar_t(bitPattern: cell.char.value), 0]
        var cc = cchar_t()
        var extPair = pair
        setcchar(&cc, &wch, attr_t(attrs), 0, &extPair)
        mvwadd_wch(stdscr, Int32(y), Int32(x), &cc)
        return true
    }

    private func colorNumber(_ c: Color) -> Int32 {
        guard case .rgb(let rgb) = c else { return -1 }
        switch colorMode {
        case .truecolor: return Int32(rgb.r) << 16 | Int32(rgb.g) << 8 | Int32(rgb.b)
        case .palette256: return Int32(Palette.index256(rgb))
        case .ansi8: return Int32(Palette.index8(rgb))
        case .monochrome: return -1
        }
    }
}
