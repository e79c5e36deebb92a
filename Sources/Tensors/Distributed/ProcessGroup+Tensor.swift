/// Collectives on tensors: in place on the tensor's elements.
extension ProcessGroup {
    /// Copies rank `root`'s values of `tensor` into `tensor` on every rank (same shape everywhere).
    public func broadcast(_ tensor: Tensor, root: Int = 0) {
        guard isDistributed, tensor.count > 0, !tensor.isMeta else { return }
        withContiguousElements(tensor) { broadcast(UnsafeMutableRawBufferPointer($0), root: root) }
    }

    /// Sums `tensor` over all ranks, in place.
    public func allReduceSum(_ tensor: Tensor) {
        guard isDistributed, tensor.count > 0, !tensor.isMeta else { return }
        withContiguousElements(tensor) { allReduceSum($0) }
    }

    /// Runs `body` on the elements of `tensor` (a contiguous copy written back for a strided view).
    private func withContiguousElements(_ tensor: Tensor, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let c = tensor.isContiguous ? tensor : tensor.contiguousCopy()
        body(UnsafeMutableBufferPointer(start: c.dataPointer, count: c.count))
        if c !== tensor { noGrad { _ = tensor.copy(from: c) } }
        tensor.storage.version += 1
    }
}
