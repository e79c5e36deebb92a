/// Column sums of a row-major `[rows, cols]` buffer, as a `[cols]` tensor: the
/// bias gradients of `linear` and the recurrent layers.
///
/// Past `Parallel.grain` elements the columns are cut into one block per
/// worker (multiples of 16, so no two workers write one cache line). Each
/// column is summed over the rows in order either way, so the result does not
/// depend on the split.
func columnSums(_ a: UnsafePointer<Float>, rows: Int, cols: Int) -> Tensor {
    let t = Tensor.zeros([cols])
    let tp = t.dataPointer
    let blocks = rows * cols >= Parallel.grain ? Swift.max(1, Swift.min(Parallel.workers, cols / 64)) : 1
    let per = blocks > 1 ? ((cols + blocks - 1) / blocks + 15) & ~15 : cols
    Parallel.forEach(blocks) { blk in
        let j0 = blk * per, j1 = Swift.min(cols, j0 + per)
        guard j0 < j1 else { return }
        for r in 0..<rows {
            let row = a + r * cols
            for j in j0..<j1 { tp[j] += row[j] }
        }
    }
    return t
}
