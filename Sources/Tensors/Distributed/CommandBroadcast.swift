import Foundation

/// Shares rank 0's training commands with every rank at a step boundary, so
/// a pause, stop or learning-rate change reaches all ranks before the same
/// step. One fixed-size broadcast (`capacity` bytes: a length, then the
/// commands as JSON); commands that do not fit wait for the next boundary.
enum CommandBroadcast {
    /// Bytes broadcast at each boundary.
    static let capacity = 1024

    /// Rank 0's `pending` commands, on every rank; `sent` is how many of
    /// `pending` went out (the rest are rank 0's to send next time).
    static func exchange(_ pending: [RemoteCommand], over group: any ProcessGroup) -> (commands: [RemoteCommand], sent: Int) {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var sent = 0
        if group.rank == 0 {
            var body = Data("[]".utf8)
            for n in stride(from: pending.count, through: 0, by: -1) {
                guard let data = try? JSONEncoder().encode(Array(pending.prefix(n))) else { continue }
                if data.count <= capacity - 4 { body = data; sent = n; break }
            }
            let length = UInt32(body.count)
            for i in 0..<4 { buffer[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
            buffer.replaceSubrange(4..<(4 + body.count), with: body)
        }
        buffer.withUnsafeMutableBytes { group.broadcast($0, root: 0) }
        var length = 0
        for i in 0..<4 { length |= Int(buffer[i]) << (8 * i) }
        guard length <= capacity - 4,
              let commands = try? JSONDecoder().decode([RemoteCommand].self, from: Data(buffer[4..<(4 + length)])) else {
            return ([], sent)
        }
        return (commands, sent)
    }
}
