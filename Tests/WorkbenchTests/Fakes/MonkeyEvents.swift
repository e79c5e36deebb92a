import Foundation
import WorkbenchCore

/// A seeded, reproducible stream of what a user (or a cat) can send a terminal: typed
/// characters, editing and function keys, control keys, pastes (bursts of characters),
/// mouse presses, releases and scrolls anywhere (also off-screen), and resizes from 1×1 up
/// to 300×100, biased towards the extremes.
///
/// Characters that could make a path outside the test's folder (`/`, `~`, `$`, `\`, `:`,
/// `@`) are never typed, so prompts only ever write below the working directory.
struct MonkeyEvents {
    enum Event: Equatable {
        case key(Key)
        /// Characters arriving at once, as a bracketed paste does.
        case paste([Key])
        case resize(width: Int, height: Int)
    }

    private var state: UInt64
    private(set) var width: Int
    private(set) var height: Int

    static let alphabet: [Character] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_+=*#%&()[]{}<>?!'\"|;^é漢😀")
    static let editing: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .tab,
                                 .backTab, .escape, .backspace, .delete, .insert]

    init(seed: UInt64, width: Int, height: Int) {
        state = seed
        self.width = width
        self.height = height
    }

    /// SplitMix64.
    mutating func nextBits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(nextBits() % UInt64(n)) }

    /// A typed character; `q` (quit when no run is going) is rarer, so sessions last.
    mutating func char() -> Key {
        let c = Self.alphabet[below(Self.alphabet.count)]
        return .char(c == "q" && below(8) != 0 ? "w" : c)
    }

    mutating func next() -> Event {
        let r = below(1000)
        switch r {
        case 0..<560: return .key(char())
        case 560..<760: return .key(Self.editing[below(Self.editing.count)])
        case 760..<800: return .key(.function(1 + below(12)))
        case 800..<850:
            let letters = Array("abdefghijklmnoprstuvwxyz")
            return .key(.ctrl(letters[below(letters.count)]))
        case 850..<851: return .key(.ctrl("c"))
        case 851..<880:
            let n = 1 + below(200)
            return .paste((0..<n).map { _ in below(40) == 0 ? .enter : char() })
        case 880..<980:
            let kinds: [MouseEvent.Kind] = [.press, .release, .scrollUp, .scrollDown]
            return .key(.mouse(MouseEvent(x: below(width + 4) - 2, y: below(height + 4) - 2, kind: kinds[below(4)])))
        default:
            switch below(6) {
            case 0: (width, height) = (1, 1)
            case 1: (width, height) = (300, 100)
            case 2: (width, height) = (1 + below(4), 1 + below(4))
            case 3: (width, height) = (1 + below(300), 1 + below(3))
            default: (width, height) = (1 + below(300), 1 + below(100))
            }
            return .resize(width: width, height: height)
        }
    }
}
