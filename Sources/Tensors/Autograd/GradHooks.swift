/// Hooks that run when `backward()` has finished accumulating a leaf's
/// gradient, like PyTorch's `register_post_accumulate_grad_hook`.
///
/// A hook runs once per backward pass, after the last graph edge into the
/// leaf has added its part to `.grad` (a parameter used twice gets both
/// parts first). It runs on the thread calling `backward()`, inside its
/// no-grad scope, and receives the leaf; `.grad` holds the accumulated
/// gradient. `DistributedDataParallel` uses it to start allreducing a
/// bucket of gradients while backward still runs.
///
/// ```swift
/// let w = Tensor.randn([3]).requiringGrad()
/// w.registerPostAccumulateGradHook { p in print(p.grad!) }
/// (w * w).sum().backward()   // prints 2w
/// ```
final class GradHooks {
    var hooks: [(Int, (Tensor) -> Void)] = []
    var nextToken = 0

    func run(_ leaf: Tensor) {
        for (_, h) in hooks { h(leaf) }
    }

    /// The number of edges from recorded nodes into each hooked leaf of `order`.
    static func pendingEdges(_ order: [Tensor]) -> [ObjectIdentifier: Int] {
        var pending: [ObjectIdentifier: Int] = [:]
        for t in order {
            guard let node = t.gradFn else { continue }
            for case let input? in node.inputs where input.gradFn == nil && input.gradHooks != nil {
                pending[ObjectIdentifier(input), default: 0] += 1
            }
        }
        return pending
    }

    /// Marks one edge into `leaf` as done; runs its hooks after the last one.
    static func edgeDone(_ leaf: Tensor, _ pending: inout [ObjectIdentifier: Int]) {
        guard leaf.gradFn == nil, let left = pending[ObjectIdentifier(leaf)] else { return }
        if left <= 1 {
            pending[ObjectIdentifier(leaf)] = nil
            leaf.gradHooks?.run(leaf)
        } else {
            pending[ObjectIdentifier(leaf)] = left - 1
        }
    }
}

extension Tensor {
    /// Adds a hook run after each `backward()` has accumulated this leaf's
    /// gradient; returns a token for `removePostAccumulateGradHook`.
    @discardableResult
    public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) -> Void) -> Int {
        precondition(gradFn == nil, "registerPostAccumulateGradHook: post accumulate grad hooks cannot be registered on non-leaf tensors")
        let h = gradHooks ?? GradHooks()
        h.nextToken += 1
        h.hooks.append((h.nextToken, hook))
        gradHooks = h
        return h.nextToken
    }

    /// Removes the hook registered with `token`.
    public func removePostAccumulateGradHook(_ token: Int) {
        gradHooks?.hooks.removeAll { $0.0 == token }
        if gradHooks?.hooks.isEmpty == true { gradHooks = nil }
    }
}
