import ArgumentParser
import Dispatch
import Foundation
import Tensors

/// `workbench bench ddp`: data-parallel training throughput under
/// `mpirun -np N` (or alone for N = 1) on random tensors, and allreduce alone
/// at several message sizes — the figures SCALING.md's model is fitted to.
///
/// A step is zero grads, forward, cross-entropy, backward with bucketed
/// gradient allreduce (`DistributedDataParallel`), an SGD update. Rank 0
/// prints: images per second over all ranks, the step split into compute
/// and the wait for gradients after backward, the allreduce time per step
/// and the share of it hidden behind backward.
struct BenchDistributed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddp",
        abstract: "Data-parallel training under mpirun: img/s, allreduce time, overlap (release build)."
    )

    @Option(help: "Model from the zoo.") var model = "lenet5"
    @Option(name: .customLong("batch-size"), help: "Images per rank per step.") var batchSize = 64
    @Option(help: "Measured steps.") var steps = 20
    @Option(help: "Warm-up steps.") var warmup = 3
    @Option(name: .customLong("bucket-mb"), help: "Bucket capacity in MiB after the first (1 MiB) bucket.") var bucketMB = 25.0
    @Option(name: .customLong("allreduce-sizes"), help: "Message sizes in KiB for the allreduce-only timing (empty: skip).")
    var allreduceSizes = "4,64,256,1024,4096,16384"

    func run() throws {
        MemoryTuning.retainFreedMemory()
        let group = try DistributedLaunch.joinOrSingle(timeout: 300)
        defer { DistributedLaunch.finish(group) }
        let lead = group.rank == 0
        guard let entry = ModelZoo.entry(named: model) else { throw UserError(ModelZooError(name: model).description) }
        let net = entry.make(generator: Generator(seed: 0))
        let params = net.parameters()
        let ddp = DistributedDataParallel(net, group: group, bucketBytes: Int(bucketMB * 1_048_576))
        let optimizer = try SGD(params, lr: 0.001, momentum: 0.9)
        let g = Generator(seed: 1 + UInt64(group.rank))
        let x = Tensor.randn([batchSize] + entry.inputShape, generator: g)
        let y = IntTensor.randint(0, entry.numClasses, [batchSize], generator: g)
        if lead {
            print("bench ddp: \(model) (\(groupedThousands(net.parameterCount)) parameters, \(ddp.bucketSizes.count) buckets), "
                  + "\(group.worldSize) rank(s) × batch \(batchSize); \(ThreadPolicy.summary)")
        }
        net.train()
        var compute = 0.0, total = 0.0
        for i in 0..<(warmup + steps) {
            if i == warmup { ddp.resetStatistics(); compute = 0; total = 0; group.barrier() }
            let t0 = DispatchTime.now()
            optimizer.zeroGrad()
            let loss = crossEntropy(net(x), y)
            _ = ddp.averageLoss(Double(loss.item()))
            ddp.prepareForBackward()
            loss.backward()
            let t1 = DispatchTime.now()
            ddp.finishGradientSync()
            optimizer.step()
            compute += Double(t1.uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
            total += Bench.seconds(since: t0)
        }
        // Slowest rank sets the pace: report the maximum step time.
        var times = [total, compute]
        let all = group.allGather(times.map(Float.init))
        times = [Double(stride(from: 0, to: all.count, by: 2).map { all[$0] }.max() ?? 0),
                 Double(stride(from: 1, to: all.count, by: 2).map { all[$0] }.max() ?? 0)]
        let s = ddp.statistics
        if lead {
            let step = times[0] / Double(steps)
            print(String(format: "  step %.2f ms (compute %.2f ms, wait for gradients %.2f ms): %.0f img/s over %d rank(s)",
                         step * 1000, times[1] / Double(steps) * 1000, (step - times[1] / Double(steps)) * 1000,
                         Double(batchSize * group.worldSize) / step, group.worldSize))
            if s.steps > 0 {
                print(String(format: "  allreduce %.2f ms/step (%d buckets, %.2f MB), exposed %.2f ms/step, overlap %.0f%%",
                             s.allreduceSeconds / Double(s.steps) * 1000, s.bucketsPerStep, Double(s.bytesPerStep) / 1e6,
                             s.exposedSeconds / Double(s.steps) * 1000, s.overlap * 100))
            }
        }
        guard group.isDistributed else { return }
        for kib in allreduceSizes.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            var buffer = [Float](repeating: 1, count: kib * 256)
            let repeats = max(3, min(50, 4096 / max(kib, 1)))
            group.barrier()
            let t0 = DispatchTime.now()
            for _ in 0..<repeats { group.allReduceSum(&buffer) }
            let ms = Bench.seconds(since: t0) / Double(repeats) * 1000
            if lead {
                let busBytes = 2 * Double(group.worldSize - 1) / Double(group.worldSize) * Double(kib * 1024)
                print(String(format: "  allreduce alone %6d KiB: %8.3f ms (%.2f GB/s bus bandwidth)", kib, ms, busBytes / ms / 1e6))
            }
        }
    }
}
