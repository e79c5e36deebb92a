/// Moves generator states (`[UInt64]` words) through a process group's
/// float collectives bit for bit: each word travels as the bit patterns of
/// two `Float`s, which the collectives copy without arithmetic.
enum RandomStateExchange {
    /// Every rank's `words` (all of the same count), concatenated in rank order.
    static func allGather(_ words: [UInt64], over group: any ProcessGroup) -> [UInt64] {
        guard group.isDistributed else { return words }
        var floats: [Float] = []
        floats.reserveCapacity(2 * words.count)
        for w in words {
            floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: w)))
            floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: w >> 32)))
        }
        let all = group.allGather(floats)
        var out: [UInt64] = []
        out.reserveCapacity(all.count / 2)
        var i = 0
        while i + 1 < all.count {
            out.append(UInt64(all[i].bitPattern) | UInt64(all[i + 1].bitPattern) << 32)
            i += 2
        }
        return out
    }
}
