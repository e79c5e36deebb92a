/// Saving and loading module state by key, like `state_dict()` / `load_state_dict()`.
extension Module {
    /// Parameters and persistent buffers by dotted key, in PyTorch's order: a
    /// module's parameters, then its buffers, then each child's entries.
    ///
    /// The tensors are detached views of the live state (no copy), like
    /// PyTorch; `clone()` them for a snapshot. BatchNorm's
    /// `num_batches_tracked` is a 0-dim Float tensor marked integral here,
    /// written as I64 to safetensors like PyTorch's int64 buffer.
    public func stateDict() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        appendState(to: &out, prefix: "")
        return out
    }

    func appendState(to out: inout [(String, Tensor)], prefix: String) {
        let members = ownMembers()
        for (name, t) in members.parameters { out.append((prefix + name, t.detach())) }
        for (name, t, persistent) in members.buffers where persistent { out.append((prefix + name, t.detach())) }
        for (name, child) in members.children { child.appendState(to: &out, prefix: prefix + name + ".") }
    }

    /// The live tensors behind `stateDict()` keys (not detached).
    func stateTensors() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        func visit(_ m: Module, _ prefix: String) {
            let members = m.ownMembers()
            for (name, t) in members.parameters { out.append((prefix + name, t)) }
            for (name, t, persistent) in members.buffers where persistent { out.append((prefix + name, t)) }
            for (name, child) in members.children { visit(child, prefix + name + ".") }
        }
        visit(self, "")
        return out
    }

    /// Copies values from `state` into this module's parameters and buffers by key.
    ///
    /// Everything is checked before anything is written, so on error the
    /// module is unchanged. Shape mismatches are always errors; missing and
    /// unexpected keys are errors when `strict` (the default) and reported in
    /// the result otherwise. A key given twice takes its last value.
    @discardableResult
    public func loadStateDict(_ state: [(String, Tensor)], strict: Bool = true) throws -> LoadStateDictResult {
        var given: [String: Tensor] = [:]
        var givenOrder: [String] = []
        for (k, t) in state {
            if given.updateValue(t, forKey: k) == nil { givenOrder.append(k) }
        }
        let targets = stateTensors()
        let targetKeys = Set(targets.map { $0.0 })
        var missing: [String] = []
        var mismatches: [String] = []
        var seenTargets = Set<String>()
        for (k, t) in targets where seenTargets.insert(k).inserted {
            guard let src = given[k] else { missing.append(k); continue }
            if src.shape != t.shape {
                mismatches.append("size mismatch for \(k): copying a param with shape \(src.shape) from checkpoint, "
                                  + "the shape in current model is \(t.shape).")
            } else if src.isMeta && !t.isMeta {
                mismatches.append("cannot load \(k): the checkpoint tensor is a meta tensor (it has no data)")
            } else if t.isMeta && !src.isMeta {
                mismatches.append("cannot load \(k) into a meta tensor (the module was built with withMetaInit; build it normally to load weights)")
            }
        }
        let unexpected = givenOrder.filter { !targetKeys.contains($0) }
        let result = LoadStateDictResult(missingKeys: missing, unexpectedKeys: unexpected)
        if !mismatches.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(typeName: typeName, missingKeys: strict ? missing : [],
                                 unexpectedKeys: strict ? unexpected : [], mismatches: mismatches)
        }
        noGrad {
            for (k, t) in targets {
                guard let src = given[k], !t.isMeta, !src.isMeta else { continue }
                if src.storage === t.storage && src.offset == t.offset && src.strides == t.strides { continue }
                t.copy(from: src)
            }
        }
        return result
    }

    /// Loads from a dictionary of tensors (order does not matter).
    @discardableResult
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws -> LoadStateDictResult {
        try loadStateDict(state.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, strict: strict)
    }
}

/// Keys that did not match in `loadStateDict(_:strict:)`, like PyTorch's `_IncompatibleKeys`.
public struct LoadStateDictResult: Equatable, Sendable {
    /// Keys the module expects that the state dict lacks.
    public var missingKeys: [String]
    /// Keys in the state dict the module does not have.
    public var unexpectedKeys: [String]
}

/// Why a state dict could not be loaded. The module was left unchanged.
///
/// The message follows PyTorch:
/// ```
/// Error(s) in loading state_dict for LeNet5:
///     Missing key(s) in state_dict: "fc3.bias".
///     size mismatch for conv1.weight: copying a param with shape [6, 1, 5, 5] from checkpoint, the shape in current model is [6, 3, 5, 5].
/// ```
public struct StateDictError: TensorsError, Equatable, Sendable {
    /// The module's type name (`LeNet5`).
    public var typeName: String
    /// Keys the module expects that the state dict lacks.
    public var missingKeys: [String]
    /// Keys in the state dict the module does not have.
    public var unexpectedKeys: [String]
    /// One message per tensor whose shape does not match.
    public var mismatches: [String]

    public var description: String {
        var lines: [String] = []
        if !unexpectedKeys.isEmpty {
            lines.append("Unexpected key(s) in state_dict: " + unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
        }
        if !missingKeys.isEmpty {
            lines.append("Missing key(s) in state_dict: " + missingKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
        }
        lines += mismatches
        return "Error(s) in loading state_dict for \(typeName):\n\t" + lines.joined(separator: "\n\t")
    }
}
