import Foundation

/// What the run loop needs from a terminal: keys in, frames out.
///
/// `Screen` is the real one (ncurses); `ScriptedTerminal` takes keys from code and draws
/// off-screen (benchmarks, tests). All methods are called on the UI thread.
public protocol TerminalDevice: AnyObject {
    /// What the terminal can show.
    var colorMode: ColorMode { get }
    /// The size in cells.
    var size: (width: Int, height: Int) { get }
    /// Waits up to `timeout` milliseconds for a key; nil on timeout.
    func readKey(timeout: Int32) -> Key?
    /// Shows `canvas` (writing only what changed since the last frame).
    func draw(_ canvas: Canvas)
    /// Forces the next `draw` to repaint everything.
    func invalidate()
    /// Whether Ctrl-C / SIGTERM arrived since the last call.
    func takeInterrupt() -> Bool
    /// Restores the terminal (idempotent).
    func shutdown()
}

extension Screen: TerminalDevice {
    public func takeInterrupt() -> Bool { Screen.takeInterrupt() }
}

/// Runs the app on a terminal until it quits: keys → app → canvas → terminal.
public enum TerminalRunner {
    /// Waits for a key for at most this long before draining engine events.
    public static let keyTimeoutMilliseconds: Int32 = 30
    /// Redraws caused only by training events are limited to this rate.
    public static let maxEventFramesPerSecond = 15.0

    /// Runs the loop on the calling thread. `onIteration` (if any) runs once per loop turn,
    /// after the app has drained engine events (benchmarks use it to watch the app).
    public static func run(_ app: App, terminal: TerminalDevice, onIteration: (() -> Void)? = nil) {
        var size = terminal.size
        app.resize(width: size.width, height: size.height)
        var lastFrame = Date.distantPast
        while !app.shouldQuit {
            var gotKey = false
            if let key = terminal.readKey(timeout: keyTimeoutMilliseconds) {
                gotKey = true
                var keys = [key]
                while keys.count < 64, let k = terminal.readKey(timeout: 0) { keys.append(k) }
                for k in keys {
                    if k == .resize {
                        size = terminal.size
                        app.resize(width: size.width, height: size.height)
                        terminal.invalidate()
                    }
                    app.handle(k)
                    if app.shouldQuit { break }
                }
            }
            if terminal.takeInterrupt() { app.handle(.ctrl("c")) }
            if app.shouldQuit { break }
            let now = Date()
            app.tick(now: now)
            onIteration?()
            if app.shouldQuit { break }
            let s = terminal.size
            if s.width != size.width || s.height != size.height {
                size = s
                app.resize(width: s.width, height: s.height)
                terminal.invalidate()
                gotKey = true
            }
            if app.needsRender && (gotKey || now.timeIntervalSince(lastFrame) >= 1 / maxEventFramesPerSecond) {
                var canvas = Canvas(width: size.width, height: size.height, colorMode: terminal.colorMode)
                app.render(into: &canvas)
                terminal.draw(canvas)
                lastFrame = now
            }
        }
        terminal.shutdown()
    }

    /// The ncurses screen.
    public static func run(_ app: App, screen: Screen) { run(app, terminal: screen) }
}
