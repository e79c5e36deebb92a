/// One recorded op in the autograd graph.
///
/// A node holds the op's inputs that require grad and a backward closure that
/// maps the output's gradient to one gradient per input (nil where an input
/// needs none). It never holds its own output: the output owns the node, so a
/// reference back would be a retain cycle. Backward closures that need the
/// output's values capture `output.detach()`, which shares storage but not
/// the node.
final class Node {
    let name: String
    /// Inputs in op order; nil where the input does not require grad.
    var inputs: [Tensor?]
    var backward: ((Tensor) -> [Tensor?])?
    /// Storage versions of inputs at record time, to detect in-place edits.
    var versions: [Int]

    init(name: String, inputs: [Tensor?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
        self.versions = inputs.map { $0?.storage.version ?? 0 }
    }

    /// Drops inputs and the closure (and with it every saved tensor).
    func release() {
        inputs = []
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
        gradFn = Node(name: name, inputs: inputs.map { $0._requiresGrad ? $0 : nil }, backward: backward)
        _requiresGrad = true
        return self
    }

    /// Computes gradients of this tensor with respect to graph leaves, like
    /// `tensor.backward(gradient)`.
    ///
    /// `gradient` defaults to 1 for a one-element tensor and is required
    /// otherwise. Gradients accumulate into `.grad` of leaves (and of tensors
    /// marked with `retainGrad()`). The graph is freed afterwards unless
    /// `retainGraph` is true.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) {
        precondition(_requiresGrad, "backward: element 0 of tensors does not require grad and does not have a grad_fn")
        let seed: Tensor
        if let g = gradient {
            precondition(g.shape == shape, "backward: gradient has shape \(g.shape) but the tensor has shape \(shape)")
            seed = g
        } else {
            precondition(count == 1, "backward: grad can be implicitly created only for scalar outputs (shape \(shape))")
            seed = Tensor.ones(shape)
        }

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
        noGrad {
            if gradFn == nil {  // backward on a leaf
                accumulateGrad(seed)
                return
            }
            for t in order.reversed() {
                guard let node = t.gradFn, let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
                if t.retainsGrad { t.accumulateGrad(g) }
                guard let fn = node.backward else {
                    fatalError("backward: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed); use retainGraph: true")
                }
                for (k, input) in node.inputs.enumerated() {
                    if let input, input.storage.version != node.versions[k] {
                        fatalError("backward: one of the variables needed for gradient computation (input \(k) of \(node.name), shape \(input.shape)) has been modified by an inplace operation")
                    }
                }
                let inputGrads = fn(g)
                for (k, input) in node.inputs.enumerated() {
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

    /// Adds `g` into `.grad` (creating it as a fresh contiguous copy).
    func accumulateGrad(_ g: Tensor) {
        if let existing = grad {
            existing.addInPlace(g)
        } else {
            grad = g.contiguousCopy()
        }
    }
}
