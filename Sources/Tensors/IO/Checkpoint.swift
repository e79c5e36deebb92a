import Foundation

/// Everything needed to resume a training run exactly: model weights,
/// optimizer and scheduler state, position (epoch, global step), random
/// generator state, metric history and the configuration used.
///
/// A checkpoint is ONE safetensors file, written atomically:
/// - model tensors as `model.<name>` (in state-dict order), optimizer buffers
///   as `optimizer.state.<index>.<buffer>`, all F32;
/// - `__metadata__` with `format` = `workbench.checkpoint`, `version` = `3`
///   (versions 1, with 0-based epochs in the history, and 2, without a
///   position inside an epoch, still load) and `checkpoint`, a JSON document
///   with the rest (epoch, batch in the epoch, step, RNG words, the epoch's
///   metric sums, history, config, optimizer groups and step counts,
///   scheduler counters).
///
/// A checkpoint taken mid-epoch (`batch` > 0) stores the data generator's
/// state at the start of that epoch (the first 7 RNG words) so a resume
/// replays its order and augmentation and continues with batch `batch + 1`.
///
/// Python can read it with `safetensors.torch.load_file` (strip `model.` to
/// get a state dict).
///
/// ```swift
/// let ckpt = Checkpoint(modelState: model.stateDict(), optimizerState: opt.stateDict(),
///                       epoch: 3, globalStep: 1407, rngState: Generator.default.state)
/// try ckpt.save(to: url)
/// let back = try Checkpoint.load(from: url)
/// ```
public struct Checkpoint {
    /// The model's state dict, in order.
    public var modelState: [(String, Tensor)]
    /// The optimizer's state dict (momentum buffers, step counts, groups), if saved.
    public var optimizerState: OptimizerStateDict?
    /// The learning-rate scheduler's counters, if the run used one.
    public var schedulerState: SchedulerState?
    /// Number of completed epochs.
    public var epoch: Int
    /// Batches already applied in the epoch after those (0 between epochs).
    public var batch: Int
    /// The training metric sums of that partial epoch (`MetricMeter.checkpointState()`).
    public var meterState: String?
    /// Number of completed optimizer steps.
    public var globalStep: Int
    /// `Generator.state` words of the generators driving the run: the data
    /// generator's 7 words then `Generator.default`'s 7 — once for a
    /// one-process run, once per rank in rank order for a distributed one
    /// (each rank resumes its own augmentation stream).
    public var rngState: [UInt64]
    /// Per-epoch metrics so far.
    public var history: MetricHistory
    /// The configuration the run used (model name, batch size, learning rate …), free-form.
    public var config: [String: String]

    /// A checkpoint of the given parts; everything but the model state is optional.
    public init(modelState: [(String, Tensor)], optimizerState: OptimizerStateDict? = nil,
                schedulerState: SchedulerState? = nil, epoch: Int = 0, batch: Int = 0, meterState: String? = nil,
                globalStep: Int = 0, rngState: [UInt64] = [], history: MetricHistory = MetricHistory(),
                config: [String: String] = [:]) {
        self.modelState = modelState
        self.optimizerState = optimizerState
        self.schedulerState = schedulerState
        self.epoch = epoch
        self.batch = batch
        self.meterState = meterState
        self.globalStep = globalStep
        self.rngState = rngState
        self.history = history
        self.config = config
    }

    /// The value of metadata key `format`.
    public static let format = "workbench.checkpoint"
    /// The layout version written.
    public static let version = 3
    /// Most RNG words a checkpoint may hold: 14 for each of up to 4,096 ranks.
    static let maxRNGWords = 14 * 4096

    // MARK: JSON part

    struct Info: Codable {
        struct Group: Codable {
            var options: [String: OptimizerOption]
            var params: [Int]
        }
        struct Entry: Codable {
            var step: Int?
            var buffers: [String]
        }
        struct Optim: Codable {
            var optimizer: String
            var groups: [Group]
            var state: [String: Entry]
        }
        var epoch: Int
        var batch: Int?
        var meter: String?
        var globalStep: Int
        var rngState: [String]
        var history: MetricHistory
        var config: [String: String]
        var optimizer: Optim?
        var scheduler: SchedulerState?
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    // MARK: Save and load

    /// The tensors and metadata this checkpoint is stored as.
    func contents() throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        var tensors = modelState.map { ("model." + $0.0, $0.1) }
        var optim: Info.Optim?
        if let o = optimizerState {
            var state: [String: Info.Entry] = [:]
            for index in o.state.keys.sorted() {
                guard let e = o.state[index] else { continue }
                let names = e.buffers.keys.sorted()
                for n in names {
                    if let t = e.buffers[n] { tensors.append(("optimizer.state.\(index).\(n)", t)) }
                }
                state[String(index)] = Info.Entry(step: e.step, buffers: names)
            }
            optim = Info.Optim(optimizer: o.optimizer,
                               groups: o.paramGroups.map { Info.Group(options: $0.options, params: $0.params) },
                               state: state)
        }
        let info = Info(epoch: epoch, batch: batch > 0 ? batch : nil, meter: batch > 0 ? meterState : nil, globalStep: globalStep,
                        rngState: rngState.map { String($0, radix: 16) }, history: history, config: config,
                        optimizer: optim, scheduler: schedulerState)
        let json = String(decoding: try Self.encoder().encode(info), as: UTF8.self)
        return (tensors, ["format": Self.format, "version": String(Self.version), "checkpoint": json])
    }

    /// Writes the checkpoint to `url` as one safetensors file, atomically:
    /// a failure leaves any previous checkpoint there intact.
    public func save(to url: URL) throws {
        let c = try contents()
        try Safetensors.save(c.tensors, metadata: c.metadata, to: url)
    }

    /// Reads a checkpoint written by `save(to:)`.
    public static func load(from url: URL) throws -> Checkpoint {
        let (tensors, metadata) = try Safetensors.load(from: url)
        return try decode(tensors: tensors, metadata: metadata, file: url.path)
    }

    static func decode(tensors: [(String, Tensor)], metadata: [String: String], file: String) throws -> Checkpoint {
        func fail(_ m: String) -> SafetensorsError { SafetensorsError(file: file, m) }
        guard metadata["format"] == format else {
            throw fail("not a workbench checkpoint (metadata 'format' is \(metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(format)'); a plain weights file loads with Safetensors.load")
        }
        guard let v = metadata["version"].flatMap({ Int($0) }), v <= version else {
            throw fail("checkpoint version \(metadata["version"] ?? "missing") is not supported (this build reads up to \(version))")
        }
        guard let json = metadata["checkpoint"] else { throw fail("checkpoint metadata has no 'checkpoint' entry") }
        let info: Info
        do {
            info = try decoder().decode(Info.self, from: Data(json.utf8))
        } catch {
            throw fail("checkpoint metadata is not valid: \(error)")
        }
        // Counters from a file are outside input: bound them before any arithmetic uses them.
        let limit = 1 << 40
        for (name, value) in [("epoch", info.epoch), ("batch", info.batch ?? 0), ("globalStep", info.globalStep)]
            where value < 0 || value > limit {
            throw fail("checkpoint \(name) \(value) is outside 0…\(limit)")
        }
        if let series = info.history.stepLosses {
            guard (0...limit).contains(series.stepsPerEpoch), series.steps.allSatisfy({ (0...limit).contains($0) }) else {
                throw fail("checkpoint step-loss series has steps outside 0…\(limit)")
            }
        }
        guard info.history.changes.allSatisfy({ (0...limit).contains($0.step) }),
              info.history.epochs.allSatisfy({ (0...limit).contains($0.epoch) }) else {
            throw fail("checkpoint history has epoch or step numbers outside 0…\(limit)")
        }
        guard info.rngState.count <= Self.maxRNGWords, info.rngState.count % 14 == 0 || info.rngState.count < 14 else {
            throw fail("checkpoint RNG state has \(info.rngState.count) words, expected 14 per rank (at most \(Self.maxRNGWords / 14) ranks)")
        }
        var rng: [UInt64] = []
        for w in info.rngState {
            guard let x = UInt64(w, radix: 16) else { throw fail("checkpoint RNG state word '\(w)' is not a hex number") }
            rng.append(x)
        }

        var model: [(String, Tensor)] = []
        var buffers: [String: Tensor] = [:]
        for (name, t) in tensors {
            if name.hasPrefix("model.") {
                model.append((String(name.dropFirst(6)), t))
            } else if name.hasPrefix("optimizer.state.") {
                buffers[String(name.dropFirst(16))] = t
            } else {
                throw fail("unexpected tensor '\(name)' in a checkpoint")
            }
        }

        var optimizerState: OptimizerStateDict?
        if let o = info.optimizer {
            var state: [Int: OptimizerStateDict.Entry] = [:]
            for (key, e) in o.state {
                guard let index = Int(key) else { throw fail("optimizer state key '\(key)' is not a parameter index") }
                var entry = OptimizerStateDict.Entry(step: e.step)
                for b in e.buffers {
                    guard let t = buffers.removeValue(forKey: "\(index).\(b)") else {
                        throw fail("optimizer buffer 'optimizer.state.\(index).\(b)' is missing")
                    }
                    entry.buffers[b] = t
                }
                state[index] = entry
            }
            optimizerState = OptimizerStateDict(optimizer: o.optimizer, state: state,
                                                paramGroups: o.groups.map { .init(options: $0.options, params: $0.params) })
        }
        if let extra = buffers.keys.sorted().first {
            throw fail("optimizer buffer 'optimizer.state.\(extra)' is not described in the checkpoint metadata")
        }
        return Checkpoint(modelState: model, optimizerState: optimizerState, schedulerState: info.scheduler,
                          epoch: info.epoch, batch: info.batch ?? 0, meterState: info.meter,
                          globalStep: info.globalStep, rngState: rng, history: info.history,
                          config: info.config)
    }
}
