@testable import WorkbenchCore
import Foundation
import Tensors

/// Makes `DemoTrainingSession`s.
public final class DemoTrainingBackend: TrainingBackend {
    /// Pause after each step so a run is slow enough to watch (and to drive from tests).
    public var stepDelay: TimeInterval

    public init(stepDelay: TimeInterval = 0.02) { self.stepDelay = stepDelay }

    public func makeSession(model: String, dataset: DatasetSource, seed: UInt64) throws -> TrainingSession {
        DemoTrainingSession(model: model, dataset: dataset, seed: seed, stepDelay: stepDelay)
    }
}

/// A real but tiny training engine: softmax regression on the dataset's pixels with SGD
/// (momentum, weight decay) and autograd from `Tensors`, on a background serial queue.
///
/// Stand-in for `Tensors/Training` until it lands; whatever the chosen model, it trains a
/// linear classifier. It follows the engine contract the UI relies on: commands are queued
/// and applied between steps, events go to an outbox the UI drains, file operations run
/// between steps and a failed load leaves the weights untouched.
public final class DemoTrainingSession: TrainingSession, @unchecked Sendable {
    private let queue = DispatchQueue(label: "workbench.demo-training", qos: .userInitiated)
    private let inbox = MessageQueue<SessionCommand>()
    private let outbox = MessageQueue<SessionEvent>()

    // Everything below is touched only on `queue`.
    private let modelName: String
    private let dataset: DatasetSource
    private let stepDelay: TimeInterval
    private let features: Int
    private let classes: Int
    private var weight: Tensor
    private var bias: Tensor
    private var velocityW: [Float]
    private var velocityB: [Float]
    private var hyper = TrainingConfig.editorDefaults
    private var state: TrainingState = .idle
    private var plan: RunPlan?
    private var step = 0
    private var stepInEpoch = 0
    private var epoch = 1
    private var order: [Int] = []
    private var trainIndices: [Int] = []
    private var valIndices: [Int] = []
    private var epochLossSum = 0.0
    private var chainActive = false
    private var lastStepTime = Date()
    private var rng = Generator(seed: 0)
    private var history: [StepInfo] = []
    private var epochHistory: [EpochSummary] = []
    private var changes: [HyperparameterChange] = []

    init(model: String, dataset: DatasetSource, seed: UInt64, stepDelay: TimeInterval) {
        modelName = model
        self.dataset = dataset
        self.stepDelay = stepDelay
        features = dataset.inputShape.reduce(1, *)
        classes = dataset.classNames.count
        weight = Tensor.zeros([1])
        bias = Tensor.zeros([1])
        velocityW = []
        velocityB = []
        initWeights(seed: seed)
    }

    public func send(_ command: SessionCommand) {
        inbox.push(command)
        queue.async { self.applyCommands(); self.ensureChain() }
    }

    public func drainEvents() -> [SessionEvent] { outbox.drain() }

    public func close(timeout: TimeInterval) {
        inbox.push(.stop)
        let done = DispatchSemaphore(value: 0)
        queue.async {
            self.applyCommands()
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
    }

    // MARK: Engine (queue only)

    private func initWeights(seed: UInt64) {
        let g = Generator(seed: seed)
        weight = Tensor.normal([features, classes], mean: 0, std: 0.01, generator: g).requiringGrad()
        bias = Tensor.zeros([classes]).requiringGrad()
        velocityW = [Float](repeating: 0, count: features * classes)
        velocityB = [Float](repeating: 0, count: classes)
    }

    private func emit(_ e: SessionEvent) { outbox.push(e) }

    /// A confusion matrix from `rows[truth][predicted]` counts.
    static func matrix(_ rows: [[Int]]) -> ConfusionMatrix {
        var cm = ConfusionMatrix(classes: rows.count)
        for (t, row) in rows.enumerated() {
            for (p, n) in row.enumerated() { for _ in 0..<n { cm.add(truth: t, predicted: p) } }
        }
        return cm
    }

    private func setState(_ s: TrainingState) {
        guard s != state else { return }
        state = s
        emit(.training(.stateChanged(s)))
    }

    private func applyCommands() {
        for c in inbox.drain() {
            switch c {
            case .start(let h): startRun(h)
            case .pause: if state == .running { setState(.paused(reason: nil)) }
            case .resume:
                if case .paused = state { lastStepTime = Date(); setState(.running) }
            case .stop: if state.isActive { setState(.stopped) }
            case .reset(let seed):
                initWeights(seed: seed)
                plan = nil
                step = 0
                history = []
                epochHistory = []
                setState(.idle)
            case .set(let live):
                switch live {
                case .learningRate(let v): hyper.lr = v
                case .momentum(let v): hyper.momentum = v
                case .weightDecay(let v): hyper.weightDecay = v
                }
                changes.append(HyperparameterChange(step: step + 1, change: live))
                emit(.training(.hyperparameterChanged(live, step: step + 1)))
            case .file(let op, let path): fileOperation(op, path)
            case .findLR:
                emit(.lrFind(.failed("the demo engine has no range test")))
            case .cancelLRFind, .cancelGenerate: break
            case .generate(_, let id):
                emit(.generated(.failed(id: id, "the demo engine has no language model")))
            case .rollback(let lr):
                // The demo's loss never diverges: only the new rate and the resume.
                hyper.lr = lr
                emit(.training(.hyperparameterChanged(.learningRate(lr), step: step + 1)))
                if case .paused = state { lastStepTime = Date(); setState(.running) }
            case .evaluate:
                let r = evaluate(split: .test, indices: Array(0..<min(1000, dataset.count(.test))))
                emit(.training(.evaluated(Evaluation(split: "test", loss: r.loss, metrics: ["accuracy": r.accuracy],
                                                     confusion: Self.matrix(r.confusion)))))
            }
        }
    }

    private func ensureChain() {
        guard state == .running, !chainActive else { return }
        chainActive = true
        queue.async { self.chainStep() }
    }

    private func chainStep() {
        applyCommands()
        guard state == .running else { chainActive = false; return }
        trainStep()
        if stepDelay > 0 { Thread.sleep(forTimeInterval: stepDelay) }
        queue.async { self.chainStep() }
    }

    private func startRun(_ h: TrainingConfig) {
        if case .paused = state { lastStepTime = Date(); setState(.running); return }
        guard state != .running else { return }
        hyper = h
        rng = Generator(seed: h.seed)
        let n = dataset.count(.train)
        let perm = rng.randperm(n)
        let nVal = Int(Double(n) * (h.valFraction ?? 0))
        valIndices = Array(perm.prefix(nVal))
        trainIndices = Array(perm.dropFirst(nVal))
        let spe = max(1, trainIndices.count / h.batchSize)
        let p = RunPlan(epochs: h.epochs, stepsPerEpoch: spe, trainSamples: trainIndices.count,
                        validationSamples: valIndices.count, batchSize: h.batchSize)
        plan = p
        step = 0
        epoch = 1
        stepInEpoch = 0
        epochLossSum = 0
        history = []
        epochHistory = []
        order = rng.randperm(trainIndices.count)
        changes = []
        emit(.training(.started(p)))
        if modelName != "LeNet5" && modelName != "MLP" {
            emit(.training(.message("demo engine: training a linear classifier in place of \(modelName)")))
        }
        lastStepTime = Date()
        setState(.running)
    }

    /// One image as CHW floats scaled to [-1, 1].
    private func pixels(_ split: DatasetSplit, _ i: Int, into buf: UnsafeMutableBufferPointer<Float>, at offset: Int) {
        let img = dataset.image(split, i)
        let hw = img.width * img.height
        for p in 0..<hw {
            for c in 0..<3 where c * hw + p < features { buf[offset + c * hw + p] = Float(img.pixels[3 * p + c]) / 127.5 - 1 }
        }
    }

    private func batchTensor(_ split: DatasetSplit, _ idx: [Int]) -> Tensor {
        Tensor(shape: [idx.count, features]) { buf in
            for (r, i) in idx.enumerated() { pixels(split, i, into: buf, at: r * features) }
        }
    }

    /// Mean cross-entropy of logits [B, C] against labels (a stable log-sum-exp).
    private func crossEntropy(_ logits: Tensor, _ labels: [Int]) -> Tensor {
        let b = labels.count
        let rows = noGrad { logits.detach().toArray() }
        var maxes = [Float](repeating: 0, count: b)
        var onehot = [Float](repeating: 0, count: b * classes)
        for r in 0..<b {
            maxes[r] = rows[(r * classes)..<((r + 1) * classes)].max() ?? 0
            onehot[r * classes + labels[r]] = 1
        }
        let shifted = logits - Tensor(maxes, shape: [b, 1])
        let lse = shifted.exp().sum(dim: 1).log()
        let picked = (shifted * Tensor(onehot, shape: [b, classes])).sum(dim: 1)
        return (lse - picked).mean()
    }

    private func trainStep() {
        guard let p = plan else { return }
        let bs = min(hyper.batchSize, trainIndices.count)
        let start = stepInEpoch * bs
        let idx = (start..<min(start + bs, order.count)).map { trainIndices[order[$0]] }
        guard !idx.isEmpty else { return }
        let labels = idx.map { dataset.label(.train, $0) }
        let x = batchTensor(.train, idx)
        let loss = crossEntropy(x.matmul(weight) + bias, labels)
        let lossValue = Double(loss.item())
        guard lossValue.isFinite else {
            setState(.paused(reason: "step \(step + 1): loss is \(lossValue); lower the learning rate and resume"))
            return
        }
        loss.backward()
        sgdUpdate()
        step += 1
        stepInEpoch += 1
        epochLossSum += lossValue
        let now = Date()
        let dt = max(1e-6, now.timeIntervalSince(lastStepTime))
        lastStepTime = now
        let m = StepInfo(epoch: epoch, step: stepInEpoch, stepsPerEpoch: p.stepsPerEpoch, globalStep: step, loss: lossValue,
                         lr: hyper.lr, samplesPerSecond: Double(idx.count) / dt)
        history.append(m)
        emit(.training(.step(m)))
        if stepInEpoch >= p.stepsPerEpoch { endEpoch(p) }
    }

    private func sgdUpdate() {
        let lr = Float(hyper.lr), mom = Float(hyper.momentum), wd = Float(hyper.weightDecay)
        noGrad {
            for (param, isW) in [(weight, true), (bias, false)] {
                guard let g = param.grad else { continue }
                let gv = g.toArray()
                let pv = param.toArray()
                var vel = isW ? velocityW : velocityB
                var delta = [Float](repeating: 0, count: pv.count)
                for i in 0..<pv.count {
                    let gi = gv[i] + wd * pv[i]
                    vel[i] = mom * vel[i] + gi
                    delta[i] = lr * vel[i]
                }
                if isW { velocityW = vel } else { velocityB = vel }
                param.subInPlace(Tensor(delta, shape: param.shape))
                param.grad = nil
            }
        }
    }

    private func evaluate(split: DatasetSplit, indices: [Int]) -> (loss: Double, accuracy: Double, confusion: [[Int]]) {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        guard !indices.isEmpty else { return (0, 0, confusion) }
        var lossSum = 0.0
        var right = 0
        noGrad {
            for chunk in stride(from: 0, to: indices.count, by: 256) {
                let idx = Array(indices[chunk..<min(chunk + 256, indices.count)])
                let labels = idx.map { dataset.label(split, $0) }
                let logits = batchTensor(split, idx).matmul(weight) + bias
                lossSum += Double(crossEntropy(logits, labels).item()) * Double(idx.count)
                let rows = logits.toArray()
                for r in 0..<idx.count {
                    var best = 0
                    for c in 1..<classes where rows[r * classes + c] > rows[r * classes + best] { best = c }
                    confusion[labels[r]][best] += 1
                    if best == labels[r] { right += 1 }
                }
            }
        }
        return (lossSum / Double(indices.count), Double(right) / Double(indices.count), confusion)
    }

    private func endEpoch(_ p: RunPlan) {
        let trainLoss = epochLossSum / Double(max(1, stepInEpoch))
        var valLoss: Double?, valAcc: Double?
        if !valIndices.isEmpty {
            let r = evaluate(split: .train, indices: valIndices)
            valLoss = r.loss
            valAcc = r.accuracy
        }
        let e = EpochSummary(epoch: epoch, train: ["loss": trainLoss],
                             validation: valLoss.map { ["loss": $0, "accuracy": valAcc ?? .nan] }, samplesPerSecond: 0, seconds: 0, lr: hyper.lr)
        epochHistory.append(e)
        emit(.training(.epochEnded(e)))
        epochLossSum = 0
        stepInEpoch = 0
        if epoch >= p.epochs {
            setState(.finished)
            return
        }
        epoch += 1
        order = rng.randperm(trainIndices.count)
    }

    // MARK: Files

    private func fileOperation(_ op: FileOperation, _ path: String) {
        let url = URL(fileURLWithPath: path)
        do {
            switch op {
            case .saveModel:
                try Safetensors.save(parameterEntries(), metadata: ["format": "pt", "model": modelName], to: url)
            case .saveCheckpoint:
                var entries = parameterEntries()
                entries.append(("optimizer.momentum_buffer.weight", Tensor(velocityW, shape: [features, classes])))
                entries.append(("optimizer.momentum_buffer.bias", Tensor(velocityB, shape: [classes])))
                let meta = ["format": "workbench-demo-checkpoint", "model": modelName, "step": String(step), "epoch": String(epoch),
                            "history": history.map { "\($0.globalStep):\($0.epoch):\($0.loss)" }.joined(separator: ","),
                            "epochs": epochHistory.map { "\($0.epoch):\($0.trainLoss):\($0.valLoss ?? .nan):\($0.valAccuracy ?? .nan)" }.joined(separator: ",")]
                try Safetensors.save(entries, metadata: meta, to: url)
            case .loadModel:
                let file = try load(path)
                let (w, b) = try parameters(file.tensors, path)
                setParameters(w, b)
            case .loadCheckpoint:
                let file = try load(path)
                guard file.metadata["format"] == "workbench-demo-checkpoint" else {
                    throw DemoError("\(path) is a weights file, not a checkpoint (no optimizer state); use load model")
                }
                let (w, b) = try parameters(file.tensors, path)
                setParameters(w, b)
                velocityW = file.tensors["optimizer.momentum_buffer.weight"]?.toArray() ?? velocityW
                velocityB = file.tensors["optimizer.momentum_buffer.bias"]?.toArray() ?? velocityB
                history = (file.metadata["history"] ?? "").split(separator: ",").compactMap { s in
                    let f = s.split(separator: ":")
                    guard f.count == 3, let st = Int(f[0]), let ep = Int(f[1]), let l = Double(f[2]) else { return nil }
                    return StepInfo(epoch: ep, step: st, stepsPerEpoch: plan?.stepsPerEpoch ?? 0, globalStep: st, loss: l, lr: hyper.lr, samplesPerSecond: 0)
                }
                epochHistory = (file.metadata["epochs"] ?? "").split(separator: ",").compactMap { s in
                    let f = s.split(separator: ":")
                    guard f.count == 4, let ep = Int(f[0]), let tl = Double(f[1]) else { return nil }
                    let vl = Double(f[2]).flatMap { $0.isNaN ? nil : $0 }, va = Double(f[3]).flatMap { $0.isNaN ? nil : $0 }
                    return EpochSummary(epoch: ep, train: ["loss": tl], validation: vl.map { ["loss": $0, "accuracy": va ?? .nan] },
                                        samplesPerSecond: 0, seconds: 0, lr: hyper.lr)
                }
                step = Int(file.metadata["step"] ?? "") ?? 0
                let spe = plan?.stepsPerEpoch ?? 0
                let series = StepLossSeries(steps: history.map(\.globalStep), losses: history.map(\.loss),
                                            learningRates: history.map(\.lr), stepsPerEpoch: spe)
                emit(.historyRestored(MetricHistory(epochs: epochHistory, stepLosses: series), plan: plan))
            }
            emit(.fileFinished(op, path: path, error: nil))
        } catch {
            emit(.fileFinished(op, path: path, error: "\(error)"))
        }
    }

    private func load(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw DemoError("\(path): no such file") }
        let file = try Safetensors.load(from: URL(fileURLWithPath: path))
        return (Dictionary(file.tensors, uniquingKeysWith: { a, _ in a }), file.metadata)
    }

    private func parameterEntries() -> [(String, Tensor)] {
        // PyTorch layout: Linear weight is [out, in].
        noGrad { [("fc.weight", weight.detach().t.contiguous()), ("fc.bias", bias.detach().clone())] }
    }

    /// Checks keys and shapes against the model (like `load_state_dict(strict=True)`).
    private func parameters(_ tensors: [String: Tensor], _ path: String) throws -> ([Float], [Float]) {
        var problems: [String] = []
        let expected: [(String, [Int])] = [("fc.weight", [classes, features]), ("fc.bias", [classes])]
        for (k, s) in expected {
            guard let t = tensors[k] else { problems.append("missing key \"\(k)\""); continue }
            if t.shape != s { problems.append("\"\(k)\" has shape \(Format.shape(t.shape)), the model expects \(Format.shape(s))") }
        }
        let unexpected = tensors.keys.filter { k in !expected.contains { $0.0 == k } && !k.hasPrefix("optimizer.") }.sorted()
        if !unexpected.isEmpty { problems.append("unexpected keys " + unexpected.map { "\"\($0)\"" }.joined(separator: ", ")) }
        guard problems.isEmpty, let w = tensors["fc.weight"], let b = tensors["fc.bias"] else {
            throw DemoError("\(path) does not match the model: " + problems.joined(separator: "; "))
        }
        return (w.toArray(), b.toArray())
    }

    private func setParameters(_ wOutIn: [Float], _ b: [Float]) {
        let w = Tensor(wOutIn, shape: [classes, features]).t.contiguous()
        noGrad {
            weight.copy(from: w)
            bias.copy(from: Tensor(b, shape: [classes]))
        }
    }
}
