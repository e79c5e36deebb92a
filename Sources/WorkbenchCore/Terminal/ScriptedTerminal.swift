import Foundation

/// A terminal whose keys come from code (any thread) and whose frames are drawn off-screen,
/// or passed on to another terminal (e.g. the real `Screen`).
///
/// Off-screen, each frame is encoded the way a terminal would receive it: the cells that
/// changed since the previous frame, with cursor moves, SGR colour sequences and UTF-8
/// characters, into a byte buffer that is then dropped. That costs about what ncurses'
/// diff and output cost, so a benchmark of the UI loop on it is a fair stand-in for a
/// real screen.
///
/// Key-to-frame latency: every injected key is stamped; the first frame drawn after the
/// loop took the key records `frame end - injection` in `latencies`.
public final class ScriptedTerminal: TerminalDevice, @unchecked Sendable {
    public let colorMode: ColorMode
    private let output: TerminalDevice?
    private let cond = NSCondition()
    private var queue: [(key: Key, at: UInt64)] = []
    private var interrupted = false
    private var width: Int
    private var height: Int
    // UI thread only.
    private var taken: [UInt64] = []
    private var previous: Canvas?
    private var buffer: [UInt8] = []
    /// Key-to-frame latencies in seconds, in the order the keys were injected.
    public private(set) var latencies: [Double] = []
    /// Frames drawn and bytes an off-screen terminal would have received.
    public private(set) var frames = 0
    public private(set) var bytesWritten = 0
    /// Called on the UI thread after each frame with the canvas (e.g. to check what a key did).
    public var onDraw: ((Canvas) -> Void)?

    /// An off-screen terminal of `width`×`height` cells, or one that draws on `output`
    /// (whose size and colour mode it then takes; its own keys are ignored except Ctrl-C).
    public init(width: Int = 80, height: Int = 24, colorMode: ColorMode = .truecolor, output: TerminalDevice? = nil) {
        self.output = output
        if let o = output {
            (self.width, self.height) = o.size
            self.colorMode = o.colorMode
        } else {
            self.width = width
            self.height = height
            self.colorMode = colorMode
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Queues a key (thread-safe); the loop's `readKey` returns it.
    public func inject(_ key: Key) {
        cond.lock()
        queue.append((key, Self.now()))
        cond.signal()
        cond.unlock()
    }

    /// Changes the off-screen size and queues a resize event (thread-safe).
    public func resize(width: Int, height: Int) {
        cond.lock()
        self.width = width
        self.height = height
        cond.unlock()
        inject(.resize)
    }

    /// Like Ctrl-C on a real terminal (thread-safe).
    public func interrupt() {
        cond.lock()
        interrupted = true
        cond.signal()
        cond.unlock()
    }

    public var size: (width: Int, height: Int) {
        if let o = output { return o.size }
        cond.lock()
        defer { cond.unlock() }
        return (width, height)
    }

    public func readKey(timeout: Int32) -> Key? {
        cond.lock()
        if queue.isEmpty && !interrupted && timeout > 0 {
            _ = cond.wait(until: Date().addingTimeInterval(Double(timeout) / 1000))
        }
        let item = queue.isEmpty ? nil : queue.removeFirst()
        cond.unlock()
        guard let item else { return nil }
        if item.key != .resize { taken.append(item.at) }
        return item.key
    }

    /// Forgets the latencies so far (e.g. of the keys that set up a run).
    public func resetLatencies() {
        latencies.removeAll()
        taken.removeAll()
    }

    public func takeInterrupt() -> Bool {
        cond.lock()
        defer { cond.unlock() }
        let i = interrupted || (output?.takeInterrupt() ?? false)
        interrupted = false
        return i
    }

    public func invalidate() {
        previous = nil
        output?.invalidate()
    }

    public func shutdown() { output?.shutdown() }

    public func draw(_ canvas: Canvas) {
        if let o = output { o.draw(canvas) } else { encode(canvas) }
        frames += 1
        onDraw?(canvas)
        let end = Self.now()
        for t in taken { latencies.append(Double(end - t) / 1e9) }
        taken.removeAll(keepingCapacity: true)
    }

    // MARK: Off-screen encoding

    private func encode(_ canvas: Canvas) {
        buffer.removeAll(keepingCapacity: true)
        let full = previous.map { $0.width != canvas.width || $0.height != canvas.height } ?? true
        if full { append("\u{1b}[2J") }
        var lastStyle: Style?
        var cursor = (x: -1, y: -1)
        for y in 0..<canvas.height {
            for x in 0..<canvas.width {
                let cell = canvas[x, y]
                if cell.isContinuation { continue }
                if !full, let p = previous, p[x, y] == cell { continue }
                if cursor.x != x || cursor.y != y { append("\u{1b}[\(y + 1);\(x + 1)H") }
                if cell.style != lastStyle {
                    appendSGR(cell.style)
                    lastStyle = cell.style
                }
                buffer.append(contentsOf: String(Character(cell.char)).utf8)
                cursor = (x + TextWidth.of(cell.char), y)
            }
        }
        previous = canvas
        bytesWritten += buffer.count
    }

    private func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private func appendSGR(_ s: Style) {
        var codes = ["0"]
        if s.attrs.contains(.bold) { codes.append("1") }
        if s.attrs.contains(.dim) { codes.append("2") }
        if s.attrs.contains(.italic) { codes.append("3") }
        if s.attrs.contains(.underline) { codes.append("4") }
        if s.attrs.contains(.reverse) { codes.append("7") }
        func color(_ c: Color, _ base: Int) {
            guard case .rgb(let rgb) = c else { return }
            switch colorMode {
            case .truecolor: codes.append("\(base + 8);2;\(rgb.r);\(rgb.g);\(rgb.b)")
            case .palette256: codes.append("\(base + 8);5;\(Palette.index256(rgb))")
            case .ansi8: codes.append("\(base + Palette.index8(rgb))")
            case .monochrome: break
            }
        }
        color(s.fg, 30)
        color(s.bg, 40)
        append("\u{1b}[" + codes.joined(separator: ";") + "m")
    }
}
