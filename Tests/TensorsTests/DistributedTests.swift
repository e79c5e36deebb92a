import XCTest
@testable import Tensors

/// Data-parallel pieces without MPI: ranks are threads (`ThreadedProcessGroup`).
/// The MPI path (mpirun, two processes) is tested in WorkbenchTests' DistributedTrainingTests.
final class DistributedTests: XCTestCase {
    func testPostAccumulateGradHookRunsOnceAfterEveryContribution() {
        let w = Tensor([1, -2, 3]).requiringGrad()
        var seen: [[Float]] = []
        w.registerPostAccumulateGradHook { p in seen.append(p.grad?.toArray() ?? []) }
        // w is used twice: the hook must see the sum of both parts, once.
        let x = Tensor([0.5, 0.5, 0.5])
        ((w * x).sum() + (w * w).sum()).backward()
        XCTAssertEqual(seen, [[2.5, -3.5, 6.5]])
        XCTAssertEqual(w.grad?.toArray(), [2.5, -3.5, 6.5])
    }

    func testSyncBatchNormOverTwoRanksEqualsBatchNormOnTheWholeBatch() {
        let g = Generator(seed: 3)
        let x = Tensor.randn([8, 3, 4, 4], generator: g) * 2 + 1
        let gy = Tensor.randn([8, 3, 4, 4], generator: g)
        func make() -> BatchNorm {
            let bn = SyncBatchNorm(3, momentum: 0.2)
            noGrad {
                bn.weight?.copy(from: Tensor([0.5, 1.5, -1]))
                bn.bias?.copy(from: Tensor([0.1, 0, -0.2]))
            }
            return bn
        }
        let ref = make()
        let xr = x.detach().requiringGrad()
        (ref(xr) * gy).sum().backward()

        let ranks = ThreadedProcessGroup.run(worldSize: 2) { group -> (Tensor?, Tensor?, Tensor?, Tensor?, Tensor?) in
            let bn = make() as! SyncBatchNorm
            bn.processGroup = group
            let part = x.narrow(0, start: group.rank * 4, length: 4).contiguous().detach().requiringGrad()
            let y = bn(part)
            (y * gy.narrow(0, start: group.rank * 4, length: 4)).sum().backward()
            return (part.grad, bn.weight?.grad, bn.bias?.grad, bn.runningMean, bn.runningVar)
        }
        // Each rank's input gradient is its rows of the whole-batch gradient.
        for (r, out) in ranks.enumerated() {
            assertClose(out.0, xr.grad!.narrow(0, start: r * 4, length: 4).contiguous(), atol: 1e-5, "rank \(r) dx")
            assertClose(out.3, ref.runningMean!, atol: 1e-6, "rank \(r) running mean")
            assertClose(out.4, ref.runningVar!, atol: 1e-5, "rank \(r) running var")
        }
        // γ and β gradients are per-rank parts: their sum is the whole batch's (DDP then averages).
        assertClose(ranks[0].1! + ranks[1].1!, ref.weight!.grad!, atol: 1e-4, "dweight")
        assertClose(ranks[0].2! + ranks[1].2!, ref.bias!.grad!, atol: 1e-4, "dbias")
    }

    func testDataParallelAveragesGradientsInReverseOrderBuckets() {
        func net(_ seed: UInt64) -> Sequential {
            let g = Generator(seed: seed)
            return Sequential([Linear(6, 16, generator: g), ReLU(), Linear(16, 8, generator: g), ReLU(), Linear(8, 3, generator: g)])
        }
        let g = Generator(seed: 5)
        let model = net(5)
        let state = model.stateDict()
        let x = Tensor.randn([4, 6], generator: g)
        let target = IntTensor([0, 2, 1, 1], shape: [4])
        // Per-rank gradients without DDP: the reference average.
        func localGrads(_ rows: Tensor, _ t: IntTensor) -> [[Float]] {
            let m = net(1)
            _ = try? m.loadStateDict(state)
            crossEntropy(m(rows), t).backward()
            return m.parameters().map { $0.grad?.toArray() ?? [] }
        }
        let halves = (0..<2).map { r in (x.narrow(0, start: r * 2, length: 2).contiguous(),
                                         IntTensor(Array(target.values[(r * 2)..<(r * 2 + 2)]), shape: [2])) }
        let ref = (0..<2).map { localGrads(halves[$0].0, halves[$0].1) }
        let results = ThreadedProcessGroup.run(worldSize: 2) { group -> ([[Float]], [Int]) in
            // Rank 1 starts from other weights: the broadcast from rank 0 must fix that.
            let m = net(UInt64(10 + group.rank))
            if group.rank == 0 { _ = try? m.loadStateDict(state) }
            let ddp = DistributedDataParallel(m, group: group, bucketBytes: 200, firstBucketBytes: 40)
            ddp.prepareForBackward()
            crossEntropy(m(halves[group.rank].0), halves[group.rank].1).backward()
            ddp.finishGradientSync()
            return (m.parameters().map { $0.grad?.toArray() ?? [] }, ddp.bucketSizes)
        }
        // Parameters from the last layer back; the first bucket holds ≤ 10 floats, the others ≤ 50
        // (a larger tensor gets a bucket of its own): [bias 3] [weight 24 + bias 8] [128] [16] [96].
        XCTAssertEqual(results[0].1, [3, 32, 128, 16, 96])
        XCTAssertEqual(results[0].1.reduce(0, +), model.parameterCount)
        for r in 0..<2 {
            XCTAssertEqual(results[r].0, results[0].0, "rank \(r) holds rank 0's gradients")
            for (k, grads) in results[r].0.enumerated() {
                let mean = zip(ref[0][k], ref[1][k]).map { ($0 + $1) / 2 }
                assertClose(Tensor(grads), Tensor(mean), atol: 1e-6, "parameter \(k)")
            }
        }
    }

    func testMetricsAndEvaluationsCombineOverRanks() {
        let out = ThreadedProcessGroup.run(worldSize: 2) { group -> ([String: Double], Evaluation) in
            // Rank 0: 30 samples at loss 1, accuracy 0.5; rank 1: 10 samples at loss 3, accuracy 1.
            let mine = group.rank == 0 ? (1.0, 0.5, 30) : (3.0, 1.0, 10)
            let means = group.reduceMeans(["loss": mine.0, "accuracy": mine.1, "rmse": group.rank == 0 ? 1 : 3], samples: mine.2)
            var cm = ConfusionMatrix(classes: 2)
            for i in 0..<mine.2 { cm.add(truth: i % 2, predicted: group.rank == 0 ? 0 : i % 2) }
            let e = group.reduce(Evaluation(split: "test", loss: mine.0, metrics: ["accuracy": cm.accuracy], confusion: cm, samples: mine.2))
            return (means, e)
        }
        XCTAssertEqual(out[0].0["loss"]!, 1.5, accuracy: 1e-12)
        XCTAssertEqual(out[0].0["accuracy"]!, 0.625, accuracy: 1e-12)
        XCTAssertEqual(out[0].0["rmse"]!, (0.75 * 1 + 0.25 * 9).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(out[1].1, out[0].1)
        XCTAssertEqual(out[0].1.samples, 40)
        XCTAssertEqual(out[0].1.confusion?.total, 40)
        XCTAssertEqual(out[0].1.accuracy!, 25.0 / 40, accuracy: 1e-12)
        XCTAssertEqual(out[0].1.loss, 1.5, accuracy: 1e-12)
    }

    /// `sharesCommandsAcrossRanks`: rank 0's pause, lr change and stop reach
    /// both ranks before the same step; rank 1's own commands are ignored.
    func testRankZerosCommandsApplyOnEveryRankAtTheSameStep() throws {
        struct Trace { var steps = 0; var lrs: [Double] = []; var changes: [Int] = []; var states: [TrainingState] = [] }
        let out = ThreadedProcessGroup.run(worldSize: 2) { group -> Trace in
            var c = TrainingConfig()
            c.epochs = 4
            c.limit = 64
            c.batchSize = 8
            c.numWorkers = 0
            c.valSize = 0
            c.lr = 0.01
            guard let setup = try? TrainingSetup(config: c, processGroup: group) else { return Trace() }
            let e = setup.makeEngine()
            e.sharesCommandsAcrossRanks = true
            var t = Trace()
            e.observe { event in
                switch event {
                case .step(let s):
                    t.lrs.append(s.lr)
                    if group.rank == 1, s.globalStep == 1 { e.send(.stop) }      // not rank 0's: ignored
                    if group.rank == 0, s.globalStep == 2 {
                        e.send(.set(.learningRate(0.05)))
                        e.send(.pause)
                        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { e.send(.resume) }
                    }
                    if group.rank == 0, s.globalStep == 5 { e.send(.stop) }
                case .hyperparameterChanged(_, let step): t.changes.append(step)
                case .stateChanged(let st): t.states.append(st)
                default: break
                }
            }
            e.start()
            e.waitUntilDone()
            t.steps = e.globalStep
            return t
        }
        for (rank, t) in out.enumerated() {
            XCTAssertEqual(t.steps, 5, "rank \(rank) stops after rank 0's stop at step 5")
            XCTAssertEqual(t.lrs, [0.01, 0.01, 0.05, 0.05, 0.05], "rank \(rank): the new rate from step 3 on")
            XCTAssertEqual(t.changes, [3], "rank \(rank)")
            XCTAssertEqual(t.states, [.running, .paused(reason: nil), .running, .stopped], "rank \(rank)")
        }
    }

    func testDistributedSubsetSamplerSharesTheSubsetLikeDistributedSampler() throws {
        let subset = [10, 11, 12, 13, 14, 15, 16]
        let parts = try (0..<2).map { try DistributedSubsetSampler(indices: subset, numReplicas: 2, rank: $0, seed: 4) }
        let epoch0 = parts.map { Array($0) }
        XCTAssertEqual(epoch0.map(\.count), [4, 4], "7 indices pad to 2 × 4, as PyTorch pads")
        XCTAssertEqual(Set(epoch0.flatMap { $0 }), Set(subset))
        for p in parts { p.setEpoch(1) }
        let epoch1 = parts.map { Array($0) }
        XCTAssertNotEqual(epoch0, epoch1, "set_epoch reshuffles")
        let plain = try DistributedSampler(count: 7, numReplicas: 2, rank: 1, seed: 4)
        plain.setEpoch(1)
        XCTAssertEqual(epoch1[1], Array(plain).map { subset[$0] })
    }
}
