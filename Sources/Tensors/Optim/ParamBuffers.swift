/// Raw pointers for one parameter update: the parameter (written in place) and its gradient.
///
/// A non-contiguous parameter is updated through a contiguous scratch copy
/// that `finish()` writes back.
struct ParamBuffers {
    let param: Tensor
    let scratch: Tensor?
    let p: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let gradHolder: Tensor
    let count: Int

    /// Nil when the parameter has no gradient (it is skipped, like PyTorch).
    init?(_ param: Tensor, optimizer: String) {
        guard let grad = param.grad, !param.isMeta else { return nil }
        precondition(grad.shape == param.shape,
                     "\(optimizer): gradient shape \(grad.shape) does not match parameter shape \(param.shape)")
        self.param = param
        count = param.count
        gradHolder = grad.isContiguous ? grad : OptimKernels.copy(grad)
        g = UnsafePointer(gradHolder.dataPointer)
        if param.isContiguous {
            scratch = nil
            p = param.dataPointer
        } else {
            let s = OptimKernels.copy(param)
            scratch = s
            p = s.dataPointer
        }
        param.storage.version += 1
    }

    func finish() {
        if let s = scratch { noGrad { _ = param.copy(from: s) } }
        withExtendedLifetime(gradHolder) {}
    }
}
