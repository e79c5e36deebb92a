import Foundation
import XCTest
@testable import Tensors

/// Items `(tensor [index], index % 3)`; can fail or stall at chosen indices.
struct NumberDataset: Dataset {
    var count: Int
    var failAt: Int?
    var sleepAt: Int?
    subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
        get throws {
            try checkIndex(index, count, "NumberDataset")
            if index == failAt { throw DataError(.badFormat, "item \(index) is broken") }
            if index == sleepAt { Thread.sleep(forTimeInterval: 0.5) }
            return (.tensor(Tensor([Float(index), Float(generator.nextFloat())])), index % 3)
        }
    }
}

final class DataLoaderTests: XCTestCase {
    let referenceTransform = Compose(RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor(),
                                     Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010]))

    func testBatchesCountAndDropLast() throws {
        let ds = NumberDataset(count: 10)
        let loader = try DataLoader(ds, batchSize: 4)
        XCTAssertEqual(loader.count, 3)
        let batches = Array(loader)
        XCTAssertEqual(batches.count, 3)
        XCTAssertEqual(batches.map { $0.0.shape }, [[4, 2], [4, 2], [2, 2]])
        XCTAssertEqual(batches[0].1, IntTensor([0, 1, 2, 0]))
        XCTAssertEqual(batches[2].0.toArray().enumerated().filter { $0.offset % 2 == 0 }.map { $0.element }, [8, 9])
        let drop = try DataLoader(ds, batchSize: 4, dropLast: true)
        XCTAssertEqual(drop.count, 2)
        XCTAssertEqual(Array(drop).count, 2)
        XCTAssertEqual(try DataLoader(ds).count, 10, "batch size 1 by default")
    }

    func testShuffleCoversEverythingAndIsReproducible() throws {
        let ds = NumberDataset(count: 50)
        func epoch(_ loader: DataLoader<(Feature, Int), (Tensor, IntTensor)>) -> [Float] {
            Array(loader).flatMap { b in b.0.toArray().enumerated().filter { $0.offset % 2 == 0 }.map { $0.element } }
        }
        let a = try DataLoader(ds, batchSize: 8, shuffle: true, generator: Generator(seed: 1))
        let e1 = epoch(a), e2 = epoch(a)
        XCTAssertEqual(e1.sorted(), (0..<50).map(Float.init))
        XCTAssertNotEqual(e1, e2, "a new order each epoch")
        let b = try DataLoader(ds, batchSize: 8, shuffle: true, generator: Generator(seed: 1))
        XCTAssertEqual(epoch(b), e1, "same generator seed, same epochs")
        XCTAssertEqual(epoch(b), e2)
        manualSeed(5)
        let c = epoch(try DataLoader(ds, batchSize: 8, shuffle: true))
        manualSeed(5)
        XCTAssertEqual(epoch(try DataLoader(ds, batchSize: 8, shuffle: true)), c, "manualSeed reproduces a loader without a generator")
    }

    /// Augmented epochs are identical for any numWorkers (per-sample generators).
    func testAugmentationIndependentOfWorkers() throws {
        let ds = NumberDataset(count: 40)
        var epochs: [[Float]] = []
        for workers in [0, 1, 2, 3] {
            let loader = try DataLoader(ds, batchSize: 6, shuffle: true, numWorkers: workers, generator: Generator(seed: 9))
            epochs.append(Array(loader).flatMap { $0.0.toArray() })
        }
        for e in epochs.dropFirst() { XCTAssertEqual(e, epochs[0]) }
    }

    func testFusedPathEqualsGeneralPathAndWorkers() throws {
        let train = Shapes10(train: true, transform: referenceTransform, count: 60, seed: 1)
        let fused = try DataLoader(train, batchSize: 16, shuffle: true, generator: Generator(seed: 2))
        XCTAssertTrue(fused.isFused)
        // ConcatDataset hides the fused path: the general one runs Compose per item.
        let general = try DataLoader(ConcatDataset([train]), batchSize: 16, shuffle: true, generator: Generator(seed: 2))
        XCTAssertFalse(general.isFused)
        let f = Array(fused), g = Array(general)
        XCTAssertEqual(f.count, 4)
        for (a, b) in zip(f, g) {
            XCTAssertEqual(a.0.shape, b.0.shape)
            XCTAssertEqual(a.0.toArray(), b.0.toArray(), "bitwise identical batches")
            XCTAssertEqual(a.1, b.1)
        }
        let workers = try DataLoader(train, batchSize: 16, shuffle: true, numWorkers: 2, generator: Generator(seed: 2))
        XCTAssertEqual(Array(workers).flatMap { $0.0.toArray() }, f.flatMap { $0.0.toArray() })
        // Item i of an epoch equals dataset[i] with that sample's generator.
        let seq = try DataLoader(train, batchSize: 5, generator: Generator(seed: 3))
        let first = try XCTUnwrap(seq.makeIterator().nextBatch())
        let base = Generator(seed: 3).nextUInt64()
        let item = try train[2, generator: Generator(seed: sampleSeed(base: base, position: 2))]
        XCTAssertEqual(Array(first.0.toArray()[(2 * 3072)..<(3 * 3072)]), item.0.tensor?.toArray())
        // Subsets (randomSplit) keep the fused path and map indices.
        let parts = try randomSplit(train, lengths: [40, 20], generator: Generator(seed: 4))
        let sub = try DataLoader(parts[1], batchSize: 20)
        XCTAssertTrue(sub.isFused)
        let batch = try XCTUnwrap(sub.makeIterator().nextBatch())
        XCTAssertEqual(batch.1.values, parts[1].indices.map { train.targets[$0] })
    }

    func testTargetTransformAndNonFusableTransformsStillBatch() throws {
        let train = Shapes10(train: true, transform: Compose(Resize(16), ToTensor()), targetTransform: { $0 * 10 }, count: 20, seed: 1)
        let loader = try DataLoader(train, batchSize: 8)
        XCTAssertFalse(loader.isFused)
        let b = try XCTUnwrap(loader.makeIterator().nextBatch())
        XCTAssertEqual(b.0.shape, [8, 3, 16, 16])
        XCTAssertEqual(b.1.values, train.targets[0..<8].map { $0 * 10 })
        let fusedTT = try DataLoader(train.withTransform(ToTensor(), targetTransform: { $0 + 1 }), batchSize: 4)
        XCTAssertTrue(fusedTT.isFused)
        XCTAssertEqual(try fusedTT.makeIterator().nextBatch()?.1.values, train.targets[0..<4].map { $0 + 1 })
    }

    func testImagesWithoutToTensorGiveACollateError() throws {
        let ds = Shapes10(train: true, count: 4)
        let loader = try DataLoader(ds, batchSize: 2)
        assertDataError(try loader.makeIterator().nextBatch(), "default collate", "Image", "ToTensor()")
    }

    func testWorkerErrorReachesTheConsumerInOrder() throws {
        let ds = NumberDataset(count: 40, failAt: 21)
        for workers in [0, 2] {
            let loader = try DataLoader(ds, batchSize: 5, numWorkers: workers)
            let it = loader.makeIterator()
            var good = 0
            do {
                while try it.nextBatch() != nil { good += 1 }
                XCTFail("expected an error")
            } catch let e as DataError {
                XCTAssertEqual(e.message, "item 21 is broken")
            }
            XCTAssertEqual(good, 4, "batches before the failing one arrive first (numWorkers \(workers))")
            XCTAssertNil(try it.nextBatch(), "the epoch ends after an error")
        }
        assertDataError(try DataLoader(ds, batchSize: 5).forEachBatch { _ in }, "item 21")
    }

    func testTimeoutFires() throws {
        let ds = NumberDataset(count: 8, sleepAt: 2)
        let loader = try DataLoader(ds, batchSize: 4, numWorkers: 1, timeout: 0.2)
        let it = loader.makeIterator()
        let start = Date()
        assertDataError(try it.nextBatch(), "timed out after 0.2 seconds", kind: .timeout)
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.45)
        let patient = try DataLoader(ds, batchSize: 4, numWorkers: 1, timeout: 5)
        XCTAssertEqual(Array(patient).count, 2)
    }

    func testBoundedPrefetchAndWorkerInit() throws {
        final class Probe: @unchecked Sendable {
            let lock = NSLock()
            var fetched = 0
            var inits: [Int] = []
        }
        let probe = Probe()
        struct Counting: Dataset {
            let probe: Probe
            var count: Int { 200 }
            subscript(index: Int, generator generator: Generator) -> (Feature, Int) {
                get throws {
                    probe.lock.lock()
                    probe.fetched += 1
                    probe.lock.unlock()
                    return (.tensor(Tensor([Float(index)])), 0)
                }
            }
        }
        let loader = try DataLoader(Counting(probe: probe), batchSize: 2, numWorkers: 2,
                                    workerInit: { id in probe.lock.lock(); probe.inits.append(id); probe.lock.unlock() },
                                    prefetchFactor: 2)
        let it = loader.makeIterator()
        _ = try it.nextBatch()
        Thread.sleep(forTimeInterval: 0.3)
        probe.lock.lock()
        let fetched = probe.fetched
        let inits = probe.inits.sorted()
        probe.lock.unlock()
        // At most numWorkers * prefetchFactor batches beyond the one consumed (2 items each).
        XCTAssertLessThanOrEqual(fetched, (1 + 4) * 2)
        XCTAssertGreaterThanOrEqual(fetched, 2)
        XCTAssertEqual(inits, [0, 1])
        var n = 1
        while try it.nextBatch() != nil { n += 1 }
        XCTAssertEqual(n, 100)
    }

    func testSamplersAndBatchSamplerOptions() throws {
        let ds = NumberDataset(count: 10)
        let sub = try DataLoader(ds, batchSize: 2, sampler: SubsetRandomSampler(indices: [1, 3, 5], generator: Generator(seed: 1)))
        XCTAssertEqual(sub.count, 2)
        let ids = Array(sub).flatMap { $0.0.toArray().enumerated().filter { $0.offset % 2 == 0 }.map { Int($0.element) } }
        XCTAssertEqual(ids.sorted(), [1, 3, 5])
        let bs = try DataLoader(ds, batchSampler: BatchSampler(sampler: SequentialSampler(count: 10), batchSize: 3, dropLast: true))
        XCTAssertEqual(Array(bs).map { $0.1.count }, [3, 3, 3])
        assertDataError(try DataLoader(ds, shuffle: true, sampler: SequentialSampler(count: 10)), "sampler option is mutually exclusive with shuffle")
        let batchS = try BatchSampler(sampler: SequentialSampler(count: 10), batchSize: 3, dropLast: false)
        assertDataError(try DataLoader(ds, batchSize: 4, batchSampler: batchS), "batchSampler option is mutually exclusive")
        assertDataError(try DataLoader(ds, batchSize: 0), "batchSize")
        assertDataError(try DataLoader(ds, numWorkers: -1), "numWorkers")
        assertDataError(try DataLoader(ds, timeout: 1), "timeout only applies with workers")
        assertDataError(try DataLoader(ds, prefetchFactor: 2), "prefetchFactor")
        let weighted = try DataLoader(ds, batchSize: 5, sampler: WeightedRandomSampler(weights: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] as [Double], numSamples: 10))
        XCTAssertEqual(Array(weighted).flatMap { $0.1.values }, [Int](repeating: 2, count: 10))
    }

    func testCustomCollateAndTensorDataset() throws {
        let ds = try TensorDataset(Tensor((0..<12).map(Float.init), shape: [6, 2]), Tensor([0, 1, 2, 3, 4, 5]))
        let loader = try DataLoader(ds, batchSize: 4)
        let b = Array(loader)
        XCTAssertEqual(b.map { $0.map { $0.shape } }, [[[4, 2], [4]], [[2, 2], [2]]])
        XCTAssertEqual(b[1][1].toArray(), [4, 5])
        let sums = try DataLoader(ds, batchSize: 3, collate: { items in items.map { $0[1].item() }.reduce(0, +) })
        XCTAssertEqual(Array(sums), [3, 12])
    }

    func testIterableDataLoader() throws {
        struct Stream: IterableDataset {
            var n: Int
            func makeIterator() -> AnyIterator<(Feature, Int)> {
                var i = 0
                return AnyIterator {
                    defer { i += 1 }
                    return i < n ? (.tensor(Tensor([Float(i)])), i % 2) : nil
                }
            }
        }
        for workers in [0, 1] {
            let loader = try IterableDataLoader(Stream(n: 7), batchSize: 3, numWorkers: workers)
            let batches = Array(loader)
            XCTAssertEqual(batches.map { $0.0.shape }, [[3, 1], [3, 1], [1, 1]])
            XCTAssertEqual(batches.flatMap { $0.0.toArray() }, (0..<7).map(Float.init))
            let dropped = try IterableDataLoader(Stream(n: 7), batchSize: 3, numWorkers: workers, dropLast: true)
            XCTAssertEqual(Array(dropped).count, 2)
        }
        let chained = try IterableDataLoader(ChainDataset([Counter(start: 0, end: 4), Counter(start: 10, end: 12)]), batchSize: 4,
                                             collate: { $0.reduce(0, +) })
        XCTAssertEqual(Array(chained), [6, 21])
    }

    func testBreakingOutEarlyStopsTheEpoch() throws {
        let loader = try DataLoader(NumberDataset(count: 1000), batchSize: 2, numWorkers: 2)
        for (i, _) in loader.enumerated() where i == 3 { break }
        XCTAssertEqual(Array(loader).count, 500, "a new epoch after an abandoned one")
        // An endless stream read ahead by a worker: dropping the iterator stops it.
        let endless = try IterableDataLoader(Counter(start: 0, end: Int.max), batchSize: 4, numWorkers: 1,
                                             collate: { $0.reduce(0, +) })
        var it: IterableDataLoaderIterator<Int>? = endless.makeIterator()
        XCTAssertEqual(it?.next(), 6)
        XCTAssertEqual(it?.next(), 22)
        it = nil
        XCTAssertEqual(Array(endless.prefix(2)), [6, 22])
        // A stream error reaches the consumer.
        let failing = try IterableDataLoader(Counter(start: 0, end: 10), batchSize: 4, numWorkers: 1,
                                             collate: { (items: [Int]) throws -> Int in
                                                 if items.contains(5) { throw DataError(.badFormat, "bad item 5") }
                                                 return items.count
                                             })
        let fit = failing.makeIterator()
        XCTAssertEqual(try fit.nextBatch(), 4)
        assertDataError(try fit.nextBatch(), "bad item 5")
        XCTAssertNil(try fit.nextBatch())
    }

    /// The reference pipeline on generated CIFAR-10 data (whole-file path, fused, workers).
    func testReferencePipelineOnGeneratedCIFAR() throws {
        let dir = try makeDataTempDir(self)
        let archive = try writeCIFAR10Archive(dir, perBatch: 20)
        let train = try CIFAR10(root: archive, train: true, transform: referenceTransform)
        let loader = try DataLoader(train, batchSize: 16, shuffle: true, numWorkers: 2, generator: Generator(seed: 0))
        XCTAssertTrue(loader.isFused)
        XCTAssertEqual(loader.count, 7)
        var seen = 0
        var labels: [Int] = []
        for (x, y) in loader {
            XCTAssertEqual(Array(x.shape.dropFirst()), [3, 32, 32])
            seen += x.shape[0]
            labels += y.values
        }
        XCTAssertEqual(seen, 100)
        XCTAssertEqual(labels.sorted(), (0..<100).map { $0 % 10 }.sorted())
        // Without augmentation, a batch holds exactly ToTensor + Normalize of the stored pixels.
        let plain = train.withTransform(Compose(ToTensor(), Normalize(mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])))
        let b = try XCTUnwrap(try DataLoader(plain, batchSize: 2).makeIterator().nextBatch())
        let v = b.0.toArray()
        let expected = (Float(cifarPixel(record: 1, channel: 2, position: 37)) / 255 - 0.5) / 0.25
        XCTAssertEqual(v[3072 + 2 * 1024 + 37], expected)
    }
}
