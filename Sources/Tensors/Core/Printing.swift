import Foundation

/// Printing like PyTorch's `repr(tensor)`.
///
/// The rules follow `torch/_tensor_str.py` with the default print options
/// (precision 4, threshold 1000, edge items 3, line width 80):
/// - one formatter per tensor: if every nonzero finite value is an integer,
///   values print as `1.` (int mode); otherwise with 4 decimals; scientific
///   notation (`1.0000e-05`) when max/min of the nonzero magnitudes exceeds
///   1000, the max exceeds 1e8 or (non-integers only) the min is below 1e-4;
///   all values are right-aligned to the widest;
/// - tensors with more than 1000 elements are summarized: each dimension
///   longer than 6 shows its first and last 3 entries around `...`;
/// - rows wrap at 80 columns;
/// - suffixes: `requires_grad=True` on leaves that require grad,
///   `grad_fn=<MulBackward0>` on graph results, `size=(0, 3)` for empty
///   tensors that are not 1-D, and `device='meta'` for meta tensors.
enum TensorPrinter {
    static let precision = 4
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80

    /// Formats one value the way Python's `format(value, spec)` does for a float.
    static func cFormat(_ value: Double, _ spec: String) -> String {
        if value.isNaN { return "nan" }  // printf would print "-nan" for a negative NaN
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return withVaList([value]) { args in
            var buf = [CChar](repeating: 0, count: 64)
            let n = Int(vsnprintf(&buf, buf.count, spec, args))
            if n >= buf.count {
                buf = [CChar](repeating: 0, count: n + 1)
                _ = withVaList([value]) { vsnprintf(&buf, buf.count, spec, $0) }
            }
            return String(cString: buf)
        }
    }

    /// The per-tensor value formatter (`_Formatter`).
    struct Formatter {
        var isInteger: Bool      // integer dtype (IntTensor)
        var intMode = true       // float tensor whose values are all integral
        var sciMode = false
        var width = 1

        init(integerValues values: [Int]) {
            isInteger = true
            for v in values { width = Swift.max(width, String(v).count) }
        }

        init(floatValues values: [Float]) {
            isInteger = false
            let finite = values.filter { $0.isFinite && $0 != 0 }
            guard !finite.isEmpty else { return }
            var lo = Double.infinity, hi = 0.0
            for v in finite {
                let a = Swift.abs(Double(v))
                lo = Swift.min(lo, a)
                hi = Swift.max(hi, a)
                if v != v.rounded(.up) { intMode = false }
            }
            sciMode = hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4)
            for v in finite {
                let d = Double(v)
                if sciMode {
                    width = Swift.max(width, cFormat(d, "%.\(precision)e").count)
                } else if intMode {
                    width = Swift.max(width, cFormat(d, "%.0f").count + 1)
                } else {
                    width = Swift.max(width, cFormat(d, "%.\(precision)f").count)
                }
            }
        }

        func format(_ value: Double) -> String {
            var s: String
            if isInteger {
                s = String(Int(value))
            } else if sciMode {
                s = cFormat(value, "%.\(precision)e")
            } else if intMode {
                s = cFormat(value, "%.0f")
                if value.isFinite { s += "." }
            } else {
                s = cFormat(value, "%.\(precision)f")
            }
            return s.count < width ? String(repeating: " ", count: width - s.count) + s : s
        }
    }

    /// The entries shown along a dimension of `size` (all, or the edges).
    static func shownIndices(_ size: Int, summarize: Bool) -> (head: [Int], tail: [Int]) {
        if summarize && size > 2 * edgeItems {
            return (Array(0..<edgeItems), Array((size - edgeItems)..<size))
        }
        return (Array(0..<size), [])
    }

    /// Body of the repr (`[[1., 2.], ...]`), for a tensor read through `read(offset)`.
    static func body(shape: [Int], strides: [Int], offset: Int, indent: Int,
                     isInteger: Bool, read: (Int) -> Double) -> String {
        let count = shape.reduce(1, *)
        if count == 0 { return "[]" }
        let summarize = count > threshold

        // The formatter sees only the values that will be printed.
        var shown: [Double] = []
        func collect(_ dim: Int, _ base: Int) {
            if dim == shape.count { shown.append(read(base)); return }
            let (head, tail) = shownIndices(shape[dim], summarize: summarize)
            for i in head + tail { collect(dim + 1, base + i * strides[dim]) }
        }
        collect(0, offset)
        let formatter = isInteger ? Formatter(integerValues: shown.map { Int($0) })
                                  : Formatter(floatValues: shown.map { Float($0) })

        func render(_ dim: Int, _ base: Int, _ indent: Int) -> String {
            let rank = shape.count
            if rank == 0 { return formatter.format(read(base)) }
            let (head, tail) = shownIndices(shape[dim], summarize: summarize)
            if dim == rank - 1 {
                var items = head.map { formatter.format(read(base + $0 * strides[dim])) }
                if !tail.isEmpty {
                    items.append(" ...")
                    items += tail.map { formatter.format(read(base + $0 * strides[dim])) }
                }
                let perLine = Swift.max(1, (lineWidth - indent) / (formatter.width + 2))
                var lines: [String] = []
                var i = 0
                while i < items.count {
                    lines.append(items[i..<Swift.min(i + perLine, items.count)].joined(separator: ", "))
                    i += perLine
                }
                return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
            }
            var slices = head.map { render(dim + 1, base + $0 * strides[dim], indent + 1) }
            if !tail.isEmpty {
                slices.append("...")
                slices += tail.map { render(dim + 1, base + $0 * strides[dim], indent + 1) }
            }
            let sep = "," + String(repeating: "\n", count: rank - dim - 1) + String(repeating: " ", count: indent + 1)
            return "[" + slices.joined(separator: sep) + "]"
        }
        return render(0, offset, indent)
    }

    /// `prefix + body` followed by suffixes, wrapping like `_add_suffixes`.
    static func withSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        var out = text
        // PyTorch's measure: characters after the last newline, plus 1 (plus 2 without a newline).
        var lastLine: Int
        if let nl = text.lastIndex(of: "\n") {
            lastLine = text.distance(from: nl, to: text.endIndex) + 1
        } else {
            lastLine = text.count + 2
        }
        for suffix in suffixes {
            if lastLine + suffix.count + 2 > lineWidth {
                out += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLine = indent + suffix.count
            } else {
                out += ", " + suffix
                lastLine += suffix.count + 2
            }
        }
        return out + ")"
    }
}

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The PyTorch-style repr: `tensor([[0.1000, 0.2000],\n        [1.0000, 2.0000]])`.
    public var description: String {
        let prefix = "tensor("
        var suffixes: [String] = []
        let text: String
        if isMeta {
            suffixes += ["device='meta'", "size=" + pythonTuple(shape)]
            text = "..."
        } else if count == 0 {
            if rank != 1 { suffixes.append("size=" + pythonTuple(shape)) }
            text = "[]"
        } else {
            let p = storage.pointer
            text = TensorPrinter.body(shape: shape, strides: strides, offset: offset, indent: prefix.count,
                                      isInteger: false) { Double(p[$0]) }
        }
        if let name = gradFnName {
            suffixes.append("grad_fn=<\(name)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return TensorPrinter.withSuffixes(prefix + text, suffixes, indent: prefix.count)
    }

    /// Same as `description`.
    public var debugDescription: String { description }
}

func formatIntTensor(_ t: IntTensor) -> String {
    let prefix = "tensor("
    if t.count == 0 {
        var suffixes: [String] = []
        if t.rank != 1 { suffixes.append("size=" + pythonTuple(t.shape)) }
        suffixes.append("dtype=torch.int64")
        return TensorPrinter.withSuffixes(prefix + "[]", suffixes, indent: prefix.count)
    }
    let text = t.values.withUnsafeBufferPointer { v in
        TensorPrinter.body(shape: t.shape, strides: contiguousStrides(t.shape), offset: 0, indent: prefix.count,
                           isInteger: true) { Double(v[$0]) }
    }
    return TensorPrinter.withSuffixes(prefix + text, [], indent: prefix.count)
}
