/// One recorded op in the autograd graph.
///
/// A node holds the op's inputs that require grad and a backward closure that
/// maps the output's gradient to one gradient per input (nil where an input
/// needs none). It never holds its own output: the output owns the node, so a
/// reference back would be a retain cycle. Backward closures that need the
/// output's values capture `output.detach()`, which shares storage but not
/// the node.
final class Node {
    /// PyTorch's name for the backward function (`MulBackward0`); derived ops
    /// rename the node of their last primitive so printing matches PyTorch.
    var name: String
    /// Inputs in op order; nil where the input does not require grad.
    var inputs: [Tensor?]
    var backward: ((Tensor) -> [Tensor?])?
    /// Storages of ALL inputs (also those without grad: their values may be
    /// saved for the other inputs' gradients) and their versions at record
    /// time. `backward()` refuses to run a node whose input was edited in
    /// place since. This is conservative: PyTorch only checks tensors an op
    /// actually saved, we check every input.
    var watched: [Watched]

    /// A storage and its version when the node was recorded. (A struct, not a
    /// tuple: arrays of tuples need runtime metadata lookups on every op.)
    struct Watched {
        let storage: Storage
        let version: Int
    }

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        var grads: [Tensor?] = []
        var watched: [Watched] = []
        grads.reserveCapacity(inputs.count)
        watched.reserveCapacity(inputs.count)
        for t in inputs {
            grads.append(t._requiresGrad ? t : nil)
            watched.append(Watched(storage: t.storage, version: t.storage.version))
        }
        self.inputs = grads
        self.watched = watched
        self.backward = backward
    }

    /// The first input modified in place since the node was recorded, if any.
    func modifiedInput() -> Int? {
        for (k, w) in watched.enumerated() where w.storage.version != w.version { return k }
        return nil
    }

    /// Drops inputs and the closure (and with it every saved tensor).
    func release() {
        inputs = []
        watched = []
        backward = nil
    }
}

extension Tensor {
    /// Attaches a backward node to `self` (a freshly computed output) if grad
    /// mode is on and any input requires grad. Returns self.
    ///
    /// `backward` receives the gradient of the output (same shape as `self`)
    /// and returns one gradient per input, each with that input's shape.
    @inline(__always)
    func recording(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        var any = false
        for t in inputs where t._requiresGrad { any = true; break }
        guard any, GradMode.isEnabled else { return self }
        gradFn = Node(name: name, inputs: inputs, backward: backward)
        _requiresGrad = true
        return self
    }

    /// Why `backward(gradient)` cannot run on this tensor, or nil if it can.
    func backwardError(gradient: Tensor?) -> String? {
        if !_requiresGrad {
            return "backward: element 0 of tensors does not require grad and does not have a grad_fn"
        }
        if let g = gradient {
            if g.shape != shape { return "backward: gradient has shape \(g.shape) but the tensor has shape \(shape)" }
        } else if count != 1 {
            return "backward: grad can be implicitly created only for scalar outputs; pass a gradient of shape \(shape)"
        }
        return nil
    }

    /// Computes gradients of this tensor with respect to graph leaves, like
    /// `tensor.backward(gradient)`.
    ///
    /// `gradient` defaults to 1 for a one-element tensor and is required
    /// otherwise. Gradients accumulate into `.grad` of leaves (and of tensors
    /// marked with `retainGrad()`). The graph is freed afterwards unless
    /// `retainGraph` is true.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) {
        if let message = backwardError(gradient: gradient) { fatalError(message) }
        let seed = gradient ?? Tensor.ones(shape)

        // Topological order by iterative depth-first search over grad nodes.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (t, i) = stack.popLast() {
            let inputs = t.gradFn?.inputs ?? []
            if i < inputs.count {
                stack.append((t, i + 1))
                if let child = inputs[i], child.gradFn != nil, visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(t)
            }
        }

        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        // Leaves with post-accumulate hooks: how many graph edges still owe them a gradient.
        var pendingHooks = GradHooks.pendingEdges(order)
        noGrad {
            if gradFn == nil {  // backward on a leaf
                accumulateGrad(seed)
                gradHooks?.run(self)
                return
            }
            for t in order.reversed() {
                guard let node = t.gradFn, let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
                if t.retainsGrad { t.accumulateGrad(g) }
                guard let fn = node.backward else {
                    fatalError("backward: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed); use retainGraph: true")
                }
                if let k = node.modifiedInput() {
                    fatalError("backward: one of the variables needed for gradient computation (input \(k) of \(node.name)) has been modified by an inplace operation")
                }
                let inputGrads = fn(g)
                for (k, input) in node.inputs.enumerated() {
                    defer { if let input, input.gradHooks != nil { GradHooks.edgeDone(input, &pendingHooks) } }
                    guard let input, k < inputGrads.count, let gi = inputGrads[k] else { continue }
                    precondition(gi.shape == input.shape,
                                 "\(node.name): gradient shape \(gi.shape) does not match input shape \(input.shape)")
                    if input.gradFn == nil {
                        input.accumulateGrad(gi)
                    } else if let prev = grads[ObjectIdentifier(input)] {
                        grads[ObjectIdentifier(input)] = prev + gi
                    } else {
                        grads[ObjectIdentifier(input)] = gi
                    }
                }
                if !retainGraph { node.release() }
            }
        }
    }

    /// Renames the backward node of a freshly computed output (derived ops
    /// take PyTorch's name for the whole op). Returns self.
    @inline(__always)
    func named(_ name: String) -> Tensor {
        gradFn?.name = name
        return self
    }

    /// Adds `g` into `.grad` (creating it as a fresh contiguous copy).
    func accumulateGrad(_ g: Tensor) {
        if let existing = grad {
            existing.addInPlace(g)
        } else {
            grad = g.contiguousCopy()
        }
    }
}
