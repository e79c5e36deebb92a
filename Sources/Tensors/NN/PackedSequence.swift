/// A batch of variable-length sequences packed time step by time step, like
/// `torch.nn.utils.rnn.PackedSequence`.
///
/// `data` holds the steps of all sequences, `[sum(lengths), *]`: first step 0
/// of every sequence, then step 1 of every sequence still running, and so on,
/// the sequences sorted by decreasing length. `batchSizes[t]` is how many
/// sequences have a step `t`. `sortedIndices[k]` is the original batch index
/// of the k-th sequence of the sorted order; `unsortedIndices` is its inverse.
/// Both are nil when the batch was already sorted (`enforceSorted: true`).
///
/// ```swift
/// let padded = padSequence([a, b, c])                 // [T, 3, F]
/// let packed = packPaddedSequence(padded, lengths: [5, 2, 3], enforceSorted: false)
/// let (out, hN) = lstm(packed)
/// let (outPadded, lengths) = padPackedSequence(out)   // [5, 3, H], [5, 2, 3]
/// ```
public struct PackedSequence {
    /// The packed steps, `[sum(lengths), *]`.
    public var data: Tensor
    /// Number of sequences running at each time step (non-increasing).
    public var batchSizes: [Int]
    /// Original batch index of each sorted position, or nil when already sorted.
    public var sortedIndices: [Int]?
    /// Sorted position of each original batch index, or nil when already sorted.
    public var unsortedIndices: [Int]?

    /// A packed sequence from its parts (the indices must be inverse permutations).
    public init(data: Tensor, batchSizes: [Int], sortedIndices: [Int]? = nil, unsortedIndices: [Int]? = nil) {
        self.data = data
        self.batchSizes = batchSizes
        self.sortedIndices = sortedIndices
        self.unsortedIndices = unsortedIndices ?? sortedIndices.map(invertPermutation)
    }

    /// Number of sequences.
    public var batchCount: Int { batchSizes.first ?? 0 }

    /// The same packing with other data (e.g. an RNN's output).
    public func replacing(data: Tensor) -> PackedSequence {
        PackedSequence(data: data, batchSizes: batchSizes, sortedIndices: sortedIndices, unsortedIndices: unsortedIndices)
    }

    /// Length of each sequence in the original batch order.
    public var lengths: [Int] {
        let b = batchCount
        var sortedLengths = [Int](repeating: 0, count: b)
        for bs in batchSizes { for k in 0..<bs { sortedLengths[k] += 1 } }
        guard let sorted = sortedIndices else { return sortedLengths }
        var out = [Int](repeating: 0, count: b)
        for (k, original) in sorted.enumerated() { out[original] = sortedLengths[k] }
        return out
    }
}

func invertPermutation(_ p: [Int]) -> [Int] {
    var inv = [Int](repeating: 0, count: p.count)
    for (k, v) in p.enumerated() { inv[v] = k }
    return inv
}

/// Packs a padded batch `[T, B, *]` (`[B, T, *]` with `batchFirst`) of
/// sequences with the given lengths, like `pack_padded_sequence`.
///
/// With `enforceSorted: true` (the default, as in PyTorch) the lengths must be
/// non-increasing; otherwise the batch is sorted by decreasing length (ties
/// keep their order) and the permutation is kept to undo it. Differentiable
/// with respect to `input`.
public func packPaddedSequence(_ input: Tensor, lengths: [Int], batchFirst: Bool = false,
                               enforceSorted: Bool = true) -> PackedSequence {
    let op = "pack_padded_sequence"
    guard check(input.rank >= 2, op, "input must be at least 2-D [T, B, *], got shape \(input.shape)") else {
        return PackedSequence(data: .meta([0]), batchSizes: [])
    }
    let x = batchFirst ? input.transpose(0, 1) : input
    let t = x.shape[0], b = x.shape[1]
    guard check(lengths.count == b, op, "expected \(b) lengths (one per sequence), got \(lengths.count)"),
          check(lengths.allSatisfy { $0 > 0 }, op,
                "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"),
          check(lengths.allSatisfy { $0 <= t }, op, "a length exceeds the padded length \(t): \(lengths)") else {
        return PackedSequence(data: .meta([0]), batchSizes: [])
    }
    var order = Array(0..<b)
    var sortedIndices: [Int]?
    if enforceSorted {
        guard check(zip(lengths, lengths.dropFirst()).allSatisfy { $0 >= $1 }, op,
                    "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforceSorted: false` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
        else { return PackedSequence(data: .meta([0]), batchSizes: []) }
    } else {
        order.sort { lengths[$0] > lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
        sortedIndices = order
    }
    let sortedLengths = order.map { lengths[$0] }
    let maxLen = sortedLengths.first ?? 0
    let batchSizes = (0..<maxLen).map { step in sortedLengths.filter { $0 > step }.count }
    let xs = sortedIndices == nil ? x : x.indexSelect(1, IntTensor(order))
    let feature = Array(x.shape.dropFirst(2))
    if x.isMeta { return PackedSequence(data: .meta([sortedLengths.reduce(0, +)] + feature), batchSizes: batchSizes,
                                        sortedIndices: sortedIndices) }
    let data: Tensor
    if batchSizes.allSatisfy({ $0 == b }) {
        data = xs.narrow(0, start: 0, length: maxLen).reshape([maxLen * b] + feature)
    } else {
        data = Tensor.cat(batchSizes.enumerated().map { step, bs in xs.select(0, step).narrow(0, start: 0, length: bs) }, dim: 0)
    }
    return PackedSequence(data: data, batchSizes: batchSizes, sortedIndices: sortedIndices)
}

/// Unpacks a packed sequence into a padded batch `[T, B, *]` (`[B, T, *]` with
/// `batchFirst`) and the lengths, like `pad_packed_sequence`; the inverse of
/// `packPaddedSequence`, in the original batch order.
///
/// `totalLength` pads to that many steps (it must be at least the longest
/// sequence). Differentiable with respect to `sequence.data`.
public func padPackedSequence(_ sequence: PackedSequence, batchFirst: Bool = false, paddingValue: Float = 0,
                              totalLength: Int? = nil) -> (Tensor, [Int]) {
    let bs = sequence.batchSizes
    let b = sequence.batchCount, maxLen = bs.count
    let feature = Array(sequence.data.shape.dropFirst())
    let total = totalLength ?? maxLen
    guard check(total >= maxLen, "pad_packed_sequence",
                "Expected total_length to be at least the length of the longest sequence (\(maxLen)), but got total_length=\(total)")
    else { return (.meta([total, b] + feature), sequence.lengths) }
    let outShape = batchFirst ? [b, total] + feature : [total, b] + feature
    if sequence.data.isMeta { return (.meta(outShape), sequence.lengths) }
    var steps: [Tensor] = []
    var offset = 0
    for n in bs {
        var piece = sequence.data.narrow(0, start: offset, length: n)
        if n < b { piece = Tensor.cat([piece, Tensor.full([b - n] + feature, paddingValue)], dim: 0) }
        steps.append(piece)
        offset += n
    }
    if total > maxLen { steps.append(contentsOf: Array(repeating: Tensor.full([b] + feature, paddingValue), count: total - maxLen)) }
    var padded = Tensor.stack(steps, dim: 0)
    if let unsorted = sequence.unsortedIndices { padded = padded.indexSelect(1, IntTensor(unsorted)) }
    return (batchFirst ? padded.transpose(0, 1) : padded, sequence.lengths)
}

/// Pads a list of `[L_i, *]` tensors to the longest and stacks them into
/// `[T, B, *]` (`[B, T, *]` with `batchFirst`), like `pad_sequence`.
/// `paddingSide` `.left` pads before each sequence.
public func padSequence(_ sequences: [Tensor], batchFirst: Bool = false, paddingValue: Float = 0,
                        paddingSide: PaddingSide = .right) -> Tensor {
    guard check(!sequences.isEmpty, "pad_sequence", "received an empty list of sequences"),
          check(sequences.allSatisfy { $0.rank >= 1 }, "pad_sequence", "every sequence must have at least 1 dimension")
    else { return .meta([0]) }
    let feature = Array(sequences[0].shape.dropFirst())
    guard check(sequences.allSatisfy { Array($0.shape.dropFirst()) == feature }, "pad_sequence",
                "all sequences must have the same trailing dimensions \(feature), got \(sequences.map(\.shape))")
    else { return .meta([0]) }
    let maxLen = sequences.map { $0.shape[0] }.max() ?? 0
    let padded = sequences.map { s -> Tensor in
        let missing = maxLen - s.shape[0]
        if missing == 0 || s.isMeta { return s.isMeta ? .meta([maxLen] + feature) : s }
        let fill = Tensor.full([missing] + feature, paddingValue)
        return Tensor.cat(paddingSide == .right ? [s, fill] : [fill, s], dim: 0)
    }
    return Tensor.stack(padded, dim: batchFirst ? 0 : 1)
}

/// Packs a list of `[L_i, *]` tensors, like `pack_sequence`.
public func packSequence(_ sequences: [Tensor], enforceSorted: Bool = true) -> PackedSequence {
    packPaddedSequence(padSequence(sequences), lengths: sequences.map { $0.shape.first ?? 0 }, enforceSorted: enforceSorted)
}

/// Which side `padSequence` pads.
public enum PaddingSide: String, Sendable {
    case left
    case right
}
