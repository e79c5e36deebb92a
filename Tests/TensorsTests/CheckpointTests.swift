import Foundation
import XCTest
@testable import Tensors

/// Atomic file replacement and checkpoints (one safetensors file) round-tripping exactly.
final class CheckpointTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    // MARK: AtomicFile

    private struct Interrupted: Error, Equatable {}

    func testAtomicWriteCreatesAndReplaces() throws {
        let url = dir.appendingPathComponent("a.txt")
        try AtomicFile.write(Data("first".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "first")
        try AtomicFile.write(to: url) { out in
            try out.write("sec")
            try out.write(Data("ond".utf8))
            XCTAssertEqual(out.bytesWritten, 6)
        }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try files(), ["a.txt"], "no temporary file left behind")
    }

    func testInterruptedWriteKeepsThePreviousFile() throws {
        let url = dir.appendingPathComponent("model.safetensors")
        try AtomicFile.write(Data("previous good contents".utf8), to: url)
        XCTAssertThrowsError(try AtomicFile.write(to: url) { out in
            try out.write(Data(repeating: 0xAB, count: 100_000))
            throw Interrupted()  // e.g. the process is told to stop midway
        }) { error in
            XCTAssertEqual(error as? Interrupted, Interrupted())
        }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "previous good contents")
        XCTAssertEqual(try files(), ["model.safetensors"], "the temporary file was removed")
    }

    func testAtomicWriteKeepsPermissions() throws {
        let url = dir.appendingPathComponent("secret.bin")
        try AtomicFile.write(Data([1]), to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        try AtomicFile.write(Data([2]), to: url)
        let perms = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        XCTAssertEqual(perms, 0o600)
        XCTAssertEqual(try Data(contentsOf: url), Data([2]))
    }

    func testAtomicWriteErrorsNameThePath() {
        let missing = dir.appendingPathComponent("no/such/dir/file.bin")
        XCTAssertThrowsError(try AtomicFile.write(Data([1]), to: missing)) { e in
            XCTAssertEqual((e as? AtomicFileError)?.path, missing.path)
            XCTAssertTrue("\(e)".contains("cannot create a temporary file"), "\(e)")
        }
        XCTAssertThrowsError(try AtomicFile.write(Data([1]), to: dir)) { e in
            XCTAssertTrue("\(e)".hasSuffix("is a directory"), "\(e)")
        }
    }

    // MARK: Checkpoint

    /// A small "model" and an Adam optimizer with two groups, stepped on a quadratic.
    private func trainedState(steps: Int, params: [Tensor]? = nil, saved: OptimizerStateDict? = nil) throws -> ([Tensor], Adam) {
        let g = Generator(seed: 11)
        let ps = params ?? [Tensor.randn([3, 2], generator: g).requiringGrad(),
                            Tensor.randn([2], generator: g).requiringGrad(),
                            Tensor.randn([4], generator: g).requiringGrad()]
        let opt = try Adam(groups: [ParamGroup([ps[0], ps[1]]), ParamGroup([ps[2]], lr: 0.05, amsgrad: true)], lr: 0.01)
        if let saved { try opt.loadStateDict(saved) }
        for _ in 0..<steps { quadraticStep(ps, opt) }
        return (ps, opt)
    }

    private func quadraticStep(_ ps: [Tensor], _ opt: Optimizer) {
        opt.zeroGrad()
        let loss = ((ps[0] * ps[0]).sum() + (ps[1] * 3).sum() + (ps[2] * ps[2] * ps[2]).sum())
        loss.backward()
        opt.step()
    }

    private func assertBitwiseEqual(_ a: Tensor?, _ b: Tensor?, _ what: String, line: UInt = #line) {
        XCTAssertEqual(a?.shape, b?.shape, what, line: line)
        XCTAssertEqual(a?.toArray().map { $0.bitPattern }, b?.toArray().map { $0.bitPattern }, what, line: line)
    }

    func testCheckpointRoundTripIsExact() throws {
        let (params, opt) = try trainedState(steps: 3)
        let sched = try CosineAnnealingLR(opt, tMax: 10)
        sched.step()
        let rng = Generator(seed: 0xDEAD_BEEF)
        _ = rng.nextNormal()  // leaves a spare normal in the state
        let ckpt = Checkpoint(
            modelState: [("features.0.weight", params[0]), ("features.0.bias", params[1]), ("head.weight", params[2]),
                         ("bn.num_batches_tracked", Tensor(Float(3)))],
            optimizerState: opt.stateDict(), schedulerState: sched.stateDict(),
            epoch: 4, globalStep: 1234, rngState: rng.state,
            history: MetricHistory(epochs: [
                EpochSummary(epoch: 0, trainLoss: 2.302585092994046, trainAccuracy: 0.125, valLoss: .nan, valAccuracy: 0.1 + 0.2,
                             imagesPerSecond: 1234.5, seconds: 1.5, lr: 0.01),
                EpochSummary(epoch: 1, trainLoss: 0.1, trainAccuracy: 0.5, valLoss: .infinity, valAccuracy: nil,
                             imagesPerSecond: 1000, seconds: 2, lr: 0.005),
                EpochSummary(epoch: 2, trainLoss: 1.0 / 3.0, trainAccuracy: 0.75, valLoss: .leastNonzeroMagnitude, valAccuracy: 1,
                             imagesPerSecond: 999.25, seconds: 2.25, lr: 0.001),
            ], testAccuracy: 0.625),
            config: ["model": "LeNet5", "lr": "0.01", "note": "ünï \"q\""])
        let url = dir.appendingPathComponent("run.ckpt.safetensors")
        try ckpt.save(to: url)
        let back = try Checkpoint.load(from: url)

        XCTAssertEqual(back.modelState.map { $0.0 }, ckpt.modelState.map { $0.0 })
        for ((name, a), (_, b)) in zip(ckpt.modelState, back.modelState) { assertBitwiseEqual(a, b, name) }
        XCTAssertEqual(back.epoch, 4)
        XCTAssertEqual(back.globalStep, 1234)
        XCTAssertEqual(back.rngState, rng.state)
        XCTAssertEqual(back.config, ckpt.config)
        XCTAssertEqual(back.history.epochs.map(\.trainLoss), ckpt.history.epochs.map(\.trainLoss))
        XCTAssertEqual(back.history.epochs[0].valLoss.map { $0.isNaN }, true)
        XCTAssertEqual(back.history.epochs[1].valLoss, .infinity)
        XCTAssertEqual(back.history.epochs[2].valLoss, .leastNonzeroMagnitude)
        XCTAssertEqual(back.history.epochs.map(\.trainAccuracy), ckpt.history.epochs.map(\.trainAccuracy))
        XCTAssertEqual(back.history.epochs.map(\.valAccuracy), [0.1 + 0.2, nil, 1])
        XCTAssertEqual(back.history.epochs.map(\.lr), [0.01, 0.005, 0.001])
        XCTAssertEqual(back.history.testAccuracy, 0.625)
        XCTAssertEqual(back.schedulerState, sched.stateDict())

        let o1 = try XCTUnwrap(ckpt.optimizerState), o2 = try XCTUnwrap(back.optimizerState)
        XCTAssertEqual(o2.optimizer, "Adam")
        XCTAssertEqual(o2.paramGroups.map { $0.params }, o1.paramGroups.map { $0.params })
        XCTAssertEqual(o2.paramGroups.map { $0.options }, o1.paramGroups.map { $0.options })
        XCTAssertEqual(o2.state.keys.sorted(), o1.state.keys.sorted())
        for (i, e) in o1.state {
            XCTAssertEqual(o2.state[i]?.step, e.step)
            XCTAssertEqual(Set(o2.state[i]?.buffers.keys ?? [:].keys), Set(e.buffers.keys))
            for (k, t) in e.buffers { assertBitwiseEqual(o2.state[i]?.buffers[k], t, "state \(i).\(k)") }
        }

        // The restored generator continues the same stream.
        let g2 = Generator()
        g2.state = back.rngState
        XCTAssertEqual(g2.nextNormal(), rng.nextNormal())
        XCTAssertEqual(g2.nextUInt64(), rng.nextUInt64())
    }

    func testResumeFromCheckpointContinuesBitForBit() throws {
        let (params, opt) = try trainedState(steps: 4)
        let url = dir.appendingPathComponent("resume.safetensors")
        try Checkpoint(modelState: params.enumerated().map { ("p\($0.offset)", $0.element) },
                       optimizerState: opt.stateDict(), epoch: 1, globalStep: 4).save(to: url)
        for _ in 0..<5 { quadraticStep(params, opt) }

        let back = try Checkpoint.load(from: url)
        let restored = back.modelState.map { $0.1.requiringGrad() }
        let (resumed, opt2) = try trainedState(steps: 0, params: restored, saved: back.optimizerState)
        for _ in 0..<5 { quadraticStep(resumed, opt2) }
        for (a, b) in zip(params, resumed) { assertBitwiseEqual(a, b, "resumed parameter") }
    }

    func testCheckpointWithoutOptimizerAndFailedSaveKeepsOldFile() throws {
        let url = dir.appendingPathComponent("c.safetensors")
        try Checkpoint(modelState: [("w", Tensor([1, 2]))], epoch: 1).save(to: url)
        let bytes = try Data(contentsOf: url)
        XCTAssertThrowsError(try Checkpoint(modelState: [("w", Tensor.meta([2]))], epoch: 2).save(to: url))
        XCTAssertEqual(try Data(contentsOf: url), bytes)
        let back = try Checkpoint.load(from: url)
        XCTAssertNil(back.optimizerState)
        XCTAssertNil(back.schedulerState)
        XCTAssertEqual(back.epoch, 1)
        XCTAssertEqual(back.modelState.first?.1.toArray(), [1, 2])
        XCTAssertEqual(try files(), ["c.safetensors"])
    }

    func testLoadingAPlainWeightsFileExplainsWhatItIs() throws {
        let url = dir.appendingPathComponent("weights.safetensors")
        try Safetensors.save([("w", Tensor([1]))], metadata: ["format": "pt"], to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { e in
            XCTAssertEqual("\(e)", "\(url.path): not a workbench checkpoint (metadata 'format' is 'pt', expected 'workbench.checkpoint'); a plain weights file loads with Safetensors.load")
        }
        try Safetensors.save([("model.w", Tensor([1]))], metadata: ["format": "workbench.checkpoint", "version": "99"], to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { e in
            XCTAssertTrue("\(e)".contains("checkpoint version 99 is not supported"), "\(e)")
        }
    }

    func testPythonReadsCheckpoint() throws {
        let w = Tensor([1, 2, 3]).requiringGrad()
        let opt = try Adam([w])
        w.grad = Tensor([1, 1, 1])
        opt.step()
        let url = dir.appendingPathComponent("py.safetensors")
        try Checkpoint(modelState: [("w", Tensor([1, 2, 3]))], optimizerState: opt.stateDict(),
                       epoch: 3, globalStep: 99).save(to: url)
        let r = try SafetensorsPython.crossCheck("checkpoint", url)
        XCTAssertEqual(r.status, 0, r.output)
    }
}
