import Crypto
import Foundation

/// Git-style short ids for runs: seven lower-case hex digits.
public enum RunID {
    /// Length of a new id.
    public static let length = 7

    /// A new id from the config text, the time, the process and a random number (like a commit hash).
    public static func make(seed: String) -> String {
        var bytes = Data(seed.utf8)
        bytes.append(contentsOf: withUnsafeBytes(of: Date().timeIntervalSince1970) { Array($0) })
        bytes.append(contentsOf: withUnsafeBytes(of: getpid()) { Array($0) })
        bytes.append(contentsOf: withUnsafeBytes(of: UInt64.random(in: 0...UInt64.max)) { Array($0) })
        let digest = SHA256.hash(data: bytes)
        return digest.map { String(format: "%02x", $0) }.joined().prefix(length).description
    }
}
