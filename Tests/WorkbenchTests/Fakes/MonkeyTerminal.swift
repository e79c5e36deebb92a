import Foundation
import WorkbenchCore

/// A terminal whose keys are a `MonkeyEvents` stream: every `readKey` takes the next
/// event (now and then it returns nothing after a short wait, so the loop ticks and the
/// engine's events drain between bursts). Frames are checked for the size the terminal
/// has and encoded off-screen; each loop turn (the time between two `readKey` calls) is
/// measured, so a hang or a slow frame shows as the longest turn.
final class MonkeyTerminal: TerminalDevice {
    let colorMode: ColorMode = .palette256
    private var events: MonkeyEvents
    private var pending: [Key] = []
    private let offscreen: ScriptedTerminal
    private var lastRead: UInt64?
    /// Events still to send; `readKey` returns nil for good once it reaches 0.
    private(set) var remaining: Int
    /// Keys (pasted characters counted one by one), mouse events and resizes sent.
    private(set) var keys = 0, pastes = 0, mice = 0, resizes = 0
    /// Frames drawn, frames whose canvas was not the terminal's size, `shutdown` calls.
    private(set) var frames = 0, misfits = 0, shutdowns = 0
    /// The longest time between two reads (a loop turn: keys, tick and frame), in seconds.
    private(set) var longestTurn = 0.0

    init(seed: UInt64, events count: Int) {
        events = MonkeyEvents(seed: seed, width: 80, height: 24)
        remaining = count
        offscreen = ScriptedTerminal(width: 80, height: 24, colorMode: .palette256)
    }

    var size: (width: Int, height: Int) { (events.width, events.height) }

    func readKey(timeout: Int32) -> Key? {
        let now = DispatchTime.now().uptimeNanoseconds
        if let last = lastRead { longestTurn = max(longestTurn, Double(now - last) / 1e9) }
        defer { lastRead = DispatchTime.now().uptimeNanoseconds }
        if !pending.isEmpty { return pending.removeFirst() }
        guard remaining > 0 else { return nil }
        if timeout > 0, events.below(50) == 0 {
            // A pause: the loop ticks, draws and drains the engine.
            Thread.sleep(forTimeInterval: Double(min(timeout, 5)) / 1000)
            return nil
        }
        remaining -= 1
        switch events.next() {
        case .key(let k):
            if case .mouse = k { mice += 1 } else { keys += 1 }
            return k
        case .paste(let ks):
            pastes += 1
            keys += ks.count
            pending = Array(ks.dropFirst())
            return ks[0]
        case .resize(let w, let h):
            resizes += 1
            offscreen.resize(width: w, height: h)
            _ = offscreen.readKey(timeout: 0)
            return .resize
        }
    }

    func draw(_ canvas: Canvas) {
        frames += 1
        if canvas.width != events.width || canvas.height != events.height { misfits += 1 }
        offscreen.draw(canvas)
    }

    func invalidate() { offscreen.invalidate() }
    func takeInterrupt() -> Bool { false }
    func shutdown() { shutdowns += 1 }
}
