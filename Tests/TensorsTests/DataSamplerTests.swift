import Foundation
import XCTest
@testable import Tensors

final class DataSamplerTests: XCTestCase {
    func testSequentialSampler() {
        XCTAssertEqual(Array(SequentialSampler(count: 5)), [0, 1, 2, 3, 4])
        XCTAssertEqual(SequentialSampler(count: 5).count, 5)
        XCTAssertEqual(Array(SequentialSampler(count: 0)), [])
    }

    func testRandomSamplerIsAPermutationEachEpochAndReproducible() throws {
        let g = Generator(seed: 1)
        let s = try RandomSampler(count: 100, generator: g)
        let a = Array(s), b = Array(s)
        XCTAssertEqual(a.sorted(), Array(0..<100))
        XCTAssertEqual(b.sorted(), Array(0..<100))
        XCTAssertNotEqual(a, b, "a new order each epoch")
        XCTAssertNotEqual(a, Array(0..<100))
        let again = try RandomSampler(count: 100, generator: Generator(seed: 1))
        XCTAssertEqual(Array(again), a, "same seed, same order")
        // Without a generator the order follows the global seed.
        manualSeed(7)
        let x = Array(try RandomSampler(count: 50))
        manualSeed(7)
        XCTAssertEqual(Array(try RandomSampler(count: 50)), x)
    }

    func testRandomSamplerNumSamplesWithoutReplacementRepeatsPermutations() throws {
        let s = try RandomSampler(count: 10, numSamples: 25, generator: Generator(seed: 2))
        let idx = Array(s)
        XCTAssertEqual(idx.count, 25)
        XCTAssertEqual(s.count, 25)
        XCTAssertEqual(idx[0..<10].sorted(), Array(0..<10))
        XCTAssertEqual(idx[10..<20].sorted(), Array(0..<10))
        XCTAssertEqual(Set(idx[20..<25]).count, 5, "the tail is part of a permutation: no repeats")
        assertDataError(try RandomSampler(count: 10, numSamples: 0), "numSamples", "positive")
    }

    func testRandomSamplerWithReplacementStatistics() throws {
        let n = 10, draws = 20_000
        let idx = Array(try RandomSampler(count: n, replacement: true, numSamples: draws, generator: Generator(seed: 3)))
        XCTAssertEqual(idx.count, draws)
        var counts = [Int](repeating: 0, count: n)
        for i in idx { counts[i] += 1 }
        // Uniform: each count within 5 standard deviations of 2000 (sd ≈ 42).
        for c in counts { XCTAssertEqual(Double(c), 2000, accuracy: 5 * 42.4) }
        // Chi-square with 9 degrees of freedom: below 27.9 with probability 0.999.
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 2000, 2) / 2000 }
        XCTAssertLessThan(chi2, 27.9)
        // Repeats happen (it is not a permutation).
        let small = Array(try RandomSampler(count: 10, replacement: true, generator: Generator(seed: 4)))
        XCTAssertLessThan(Set(small).count, 10)
    }

    func testSubsetRandomSampler() {
        let indices = [3, 7, 11, 19, 23]
        let s = SubsetRandomSampler(indices: indices, generator: Generator(seed: 5))
        let a = Array(s)
        XCTAssertEqual(a.sorted(), indices)
        XCTAssertEqual(s.count, 5)
        var orders = Set<[Int]>()
        for _ in 0..<20 { orders.insert(Array(s)) }
        XCTAssertGreaterThan(orders.count, 5, "shuffled anew each epoch")
    }

    func testWeightedRandomSamplerFrequencies() throws {
        let weights: [Double] = [1, 0, 3, 6]
        let s = try WeightedRandomSampler(weights: weights, numSamples: 30_000, generator: Generator(seed: 6))
        var counts = [Int](repeating: 0, count: 4)
        for i in s { counts[i] += 1 }
        XCTAssertEqual(counts[1], 0, "zero weight never drawn")
        XCTAssertEqual(Double(counts[0]) / 30_000, 0.1, accuracy: 0.01)
        XCTAssertEqual(Double(counts[2]) / 30_000, 0.3, accuracy: 0.015)
        XCTAssertEqual(Double(counts[3]) / 30_000, 0.6, accuracy: 0.015)
    }

    func testWeightedRandomSamplerWithoutReplacement() throws {
        let s = try WeightedRandomSampler(weights: [1, 1, 1, 0, 1000] as [Double], numSamples: 4, replacement: false, generator: Generator(seed: 7))
        var firsts = [Int](repeating: 0, count: 5)
        for _ in 0..<200 {
            let idx = Array(s)
            XCTAssertEqual(idx.count, 4)
            XCTAssertEqual(Set(idx), [0, 1, 2, 4], "each non-zero index once")
            firsts[idx[0]] += 1
        }
        XCTAssertGreaterThan(firsts[4], 190, "the heavy index almost always comes first")
        assertDataError(try WeightedRandomSampler(weights: [1, 0, 1] as [Double], numSamples: 3, replacement: false), "cannot sample")
        assertDataError(try WeightedRandomSampler(weights: [1, -1] as [Double], numSamples: 3), "non-negative")
        assertDataError(try WeightedRandomSampler(weights: [0, 0] as [Double], numSamples: 3), "sum of weights is zero")
        assertDataError(try WeightedRandomSampler(weights: [1] as [Double], numSamples: 0), "numSamples")
    }

    func testBatchSampler() throws {
        let keep = try BatchSampler(sampler: SequentialSampler(count: 10), batchSize: 3, dropLast: false)
        XCTAssertEqual(Array(keep), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
        XCTAssertEqual(keep.count, 4)
        let drop = try BatchSampler(sampler: SequentialSampler(count: 10), batchSize: 3, dropLast: true)
        XCTAssertEqual(Array(drop), [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        XCTAssertEqual(drop.count, 3)
        let random = try BatchSampler(sampler: RandomSampler(count: 10, generator: Generator(seed: 8)), batchSize: 4, dropLast: false)
        XCTAssertEqual(Array(random).flatMap { $0 }.sorted(), Array(0..<10))
        assertDataError(try BatchSampler(sampler: SequentialSampler(count: 3), batchSize: 0, dropLast: false), "batchSize")
    }

    func testDistributedSamplerPartitionsTheIndexSet() throws {
        for (n, replicas) in [(10, 3), (12, 4), (7, 2), (5, 5)] {
            for shuffle in [false, true] {
                let parts = try (0..<replicas).map { r in
                    Array(try DistributedSampler(count: n, numReplicas: replicas, rank: r, shuffle: shuffle, seed: 9))
                }
                let per = (n + replicas - 1) / replicas
                XCTAssertTrue(parts.allSatisfy { $0.count == per }, "equal counts for n=\(n), replicas=\(replicas)")
                let all = parts.flatMap { $0 }
                XCTAssertEqual(Set(all), Set(0..<n), "every index covered")
                XCTAssertEqual(all.count - n, per * replicas - n, "only the padding repeats")
                if n % replicas == 0 { XCTAssertEqual(all.sorted(), Array(0..<n), "a partition when it divides") }
            }
        }
        // Without shuffle: rank r takes every numReplicas-th index, padded from the start.
        XCTAssertEqual(Array(try DistributedSampler(count: 10, numReplicas: 3, rank: 1, shuffle: false)), [1, 4, 7, 0])
    }

    func testDistributedSamplerDropLastAndEpochs() throws {
        let parts = try (0..<3).map { r in Array(try DistributedSampler(count: 10, numReplicas: 3, rank: r, seed: 1, dropLast: true)) }
        XCTAssertTrue(parts.allSatisfy { $0.count == 3 })
        let all = parts.flatMap { $0 }
        XCTAssertEqual(Set(all).count, 9, "disjoint, the tail dropped")
        let s0 = try DistributedSampler(count: 20, numReplicas: 2, rank: 0, seed: 3)
        let s1 = try DistributedSampler(count: 20, numReplicas: 2, rank: 1, seed: 3)
        let e0 = Array(s0)
        XCTAssertEqual(Array(s0), e0, "same epoch, same order")
        s0.setEpoch(1)
        s1.setEpoch(1)
        let e1 = Array(s0)
        XCTAssertNotEqual(e1, e0, "a new order per epoch")
        XCTAssertEqual(Set(e1 + Array(s1)), Set(0..<20), "replicas still partition after setEpoch")
        assertDataError(try DistributedSampler(count: 10, numReplicas: 2, rank: 2), "invalid rank 2", "[0, 1]")
        assertDataError(try DistributedSampler(count: 10, numReplicas: 0, rank: 0), "numReplicas")
    }
}
