/// The colour pairs a terminal has been given: (foreground, background) colour numbers to
/// pair numbers, allocated on first use and cached (ncurses has a limited number, 63 usable
/// on most 8-colour terminals).
///
/// When every pair is taken, `pair` answers with the cached pair whose colours are
/// nearest (so the screen degrades gracefully instead of falling back to default colours);
/// `reset` frees the table, e.g. after the screen's colours changed so much that stale
/// pairs crowd out the ones needed now.
///
/// Colour numbers are what ncurses takes: -1 for the terminal default, else a palette
/// index or (direct colour) `0xRRGGBB`.
public struct ColorPairTable {
    public struct Key: Hashable, Sendable {
        public var fg: Int32
        public var bg: Int32
        public init(fg: Int32, bg: Int32) {
            self.fg = fg
            self.bg = bg
        }
    }

    /// What `pair` found.
    public enum Lookup: Equatable {
        /// Already defined.
        case cached(Int32)
        /// Newly allocated: the caller must define it (`init_extended_pair`).
        case new(Int32)
        /// The table is full; this cached pair is the nearest match.
        case substitute(Int32)
    }

    /// Usable pairs (pair 0 is the terminal default and never allocated).
    public let capacity: Int
    /// How colour numbers look, for finding the nearest pair (nil: the terminal default).
    private let rgb: (Int32) -> RGB?
    private var pairs: [Key: Int32] = [:]
    private var keys: [Key] = []
    private var substitutes: [Key: Int32] = [:]

    public init(capacity: Int, rgb: @escaping (Int32) -> RGB?) {
        self.capacity = max(0, capacity)
        self.rgb = rgb
    }

    /// Pairs allocated so far.
    public var count: Int { keys.count }
    public var isFull: Bool { keys.count >= capacity }

    /// The pair for `fg` on `bg`.
    public mutating func pair(fg: Int32, bg: Int32) -> Lookup {
        if fg == -1 && bg == -1 { return .cached(0) }
        let key = Key(fg: fg, bg: bg)
        if let p = pairs[key] { return .cached(p) }
        if keys.count < capacity {
            keys.append(key)
            let p = Int32(keys.count)
            pairs[key] = p
            return .new(p)
        }
        if let p = substitutes[key] { return .substitute(p) }
        let p = nearest(key)
        substitutes[key] = p
        return .substitute(p)
    }

    /// Frees every pair.
    public mutating func reset() {
        pairs = [:]
        keys = []
        substitutes = [:]
    }

    /// The cached pair closest to `key` (pair 0, the default colours, when none is cached).
    private func nearest(_ key: Key) -> Int32 {
        var best: Int32 = 0
        var bestD = distance(key, Key(fg: -1, bg: -1))
        for (i, k) in keys.enumerated() {
            let d = distance(key, k)
            if d < bestD {
                bestD = d
                best = Int32(i + 1)
            }
        }
        return best
    }

    /// Perceptual distance of two pairs: foreground plus background. The background counts
    /// double (it fills the cell); the terminal default only matches itself closely.
    func distance(_ a: Key, _ b: Key) -> Int {
        func d(_ x: Int32, _ y: Int32, defaultLooksLike: RGB) -> Int {
            if x == y { return 0 }
            let penalty = x == -1 || y == -1 ? 50_000 : 0
            return Palette.distance(rgb(x) ?? defaultLooksLike, rgb(y) ?? defaultLooksLike) + penalty
        }
        return d(a.fg, b.fg, defaultLooksLike: RGB(229, 229, 229)) + 2 * d(a.bg, b.bg, defaultLooksLike: RGB(0, 0, 0))
    }
}
