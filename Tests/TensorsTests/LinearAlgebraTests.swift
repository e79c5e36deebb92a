import XCTest
@testable import Tensors

final class LinearAlgebraTests: XCTestCase {
    /// Naive reference product of [n, k] and [k, m] row-major arrays.
    func reference(_ a: [Float], _ b: [Float], n: Int, k: Int, m: Int) -> [Float] {
        var c = [Float](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { for p in 0..<k { c[i * m + j] += a[i * k + p] * b[p * m + j] } } }
        return c
    }

    func testMatmul2D() {
        let a = sample([3, 4]), b = sample([4, 5], seed: 2)
        assertTensor(a.matmul(b), reference(a.toArray(), b.toArray(), n: 3, k: 4, m: 5), shape: [3, 5], accuracy: 1e-5)
        // Transposed (non-contiguous) operands go to BLAS without copies.
        let at = sample([4, 3]).t, bt = sample([5, 4], seed: 2).t
        assertTensor(at.matmul(bt), reference(at.toArray(), bt.toArray(), n: 3, k: 4, m: 5), shape: [3, 5])
        // A strided slice that BLAS cannot read directly is copied.
        let s = sample([3, 8]).slice(1, step: 2)
        assertTensor(s.matmul(b), reference(s.toArray(), b.toArray(), n: 3, k: 4, m: 5), shape: [3, 5])
    }

    func testMatmulVectorsAndBatches() {
        let v = Tensor([1, 2, 3]), w = Tensor([4, 5, 6])
        assertTensor(v.matmul(w), [32], shape: [])
        let m = Tensor([[1, 0, 1], [0, 1, 0]])
        assertTensor(m.matmul(v), [4, 2], shape: [2])
        assertTensor(Tensor([1, 2]).matmul(m), [1, 2, 1], shape: [3])
        let a = sample([2, 3, 4]), b = sample([4, 2], seed: 2)
        let out = a.matmul(b)   // batch broadcast: [2,3,4] @ [4,2]
        XCTAssertEqual(out.shape, [2, 3, 2])
        for i in 0..<2 {
            assertTensor(out[i], reference(a[i].toArray(), b.toArray(), n: 3, k: 4, m: 2))
        }
        let c = sample([5, 1, 3, 4]), d = sample([2, 4, 6], seed: 3)
        XCTAssertEqual(c.matmul(d).shape, [5, 2, 3, 6])
        assertTensor(c.matmul(d)[4, 1], reference(c[4, 0].toArray(), d[1].toArray(), n: 3, k: 4, m: 6))
        XCTAssertEqual(sample([2, 3, 4]).matmul(Tensor([1, 1, 1, 1])).shape, [2, 3])
        XCTAssertEqual(Tensor([1, 1, 1]).matmul(sample([2, 3, 4])).shape, [2, 4])
        assertTensor(sample([2, 3, 4]).bmm(sample([2, 4, 2], seed: 2)),
                     sample([2, 3, 4]).matmul(sample([2, 4, 2], seed: 2)).toArray())
    }

    func testLinear() {
        let x = Tensor([[1, 2]]), w = Tensor([[1, 0], [0, 1], [1, 1]]), b = Tensor([10, 20, 30])
        assertTensor(x.linear(weight: w, bias: b), [11, 22, 33], shape: [1, 3])
        assertTensor(x.linear(weight: w), [1, 2, 3], shape: [1, 3])
        XCTAssertEqual(sample([4, 5, 2]).linear(weight: w, bias: b).shape, [4, 5, 3])
    }

    func testShapeErrorMessage() {
        let e = shapeError { _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5])) }
        XCTAssertEqual(e?.description, "matmul: shapes [2, 3] and [4, 5] cannot be multiplied")
        XCTAssertEqual(shapeError { _ = Tensor.zeros([2, 3]).linear(weight: Tensor.zeros([4, 2])) }?.op, "linear")
        XCTAssertEqual(shapeError { _ = Tensor.zeros([2, 3, 4]).bmm(Tensor.zeros([3, 4, 5])) }?.op, "bmm")
        // The forward continues on meta tensors after the error: shapes only.
        XCTAssertNoThrow(try ShapeCheck.run { _ = Tensor.meta([8, 3]).matmul(Tensor.meta([3, 2])).relu().sum() })
    }

    func testGradients() {
        gradCheck([sample([3, 4]), sample([4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        gradCheck([sample([4, 3]), sample([2, 4], seed: 2)]) { $0[0].t.matmul($0[1].t) }
        gradCheck([sample([2, 3, 4]), sample([4, 2], seed: 2)]) { $0[0].matmul($0[1]) }       // broadcast B
        gradCheck([sample([3, 4]), sample([2, 4, 2], seed: 2)]) { $0[0].matmul($0[1]) }       // broadcast A
        gradCheck([sample([2, 1, 2, 3]), sample([3, 3, 2], seed: 2)]) { $0[0].matmul($0[1]) } // both broadcast
        gradCheck([sample([4]), sample([4], seed: 2)]) { $0[0].matmul($0[1]) }                // dot
        gradCheck([sample([3, 4]), sample([4], seed: 2)]) { $0[0].matmul($0[1]) }             // matrix · vector
        gradCheck([sample([3]), sample([3, 2], seed: 2)]) { $0[0].matmul($0[1]) }             // vector · matrix
        gradCheck([sample([2, 3, 4]), sample([4], seed: 2)]) { $0[0].matmul($0[1]) }          // batched · vector
        gradCheck([sample([2, 3, 4]), sample([2, 4, 2], seed: 2)]) { $0[0].bmm($0[1]) }
        gradCheck([sample([5, 3]), sample([2, 3], seed: 2), sample([2], seed: 3)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        gradCheck([sample([2, 5, 3]), sample([2, 3], seed: 2)]) { $0[0].linear(weight: $0[1]) }
    }

    /// Layers big enough for the whole-GEMM backward (rows·in·out past OpenBLAS's small size; odd sizes,
    /// rows = 3 · 347) against the row-blocked path and against matmul + add, whose backward is separate.
    func testLinearBackwardWholeGemmMatchesBlockedAndMatmul() {
        let x = sample([3, 347, 37]), w = sample([67, 37], seed: 2), b = sample([67], seed: 3)
        let r = sample([3, 347, 67], seed: 4)
        XCTAssertTrue(LinearBackwardRouting.packed(rows: 3 * 347, inF: 37, outF: 67))
        func grads(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [Tensor] {
            let leaves = [x, w, b].map { Tensor($0.toArray(), shape: $0.shape).requiringGrad() }
            (f(leaves[0], leaves[1], leaves[2]) * r).sum().backward()
            return leaves.map { $0.grad ?? Tensor.zeros($0.shape) }
        }
        let whole = grads { linear($0, weight: $1, bias: $2) }
        let saved = LinearBackwardRouting.packedEnabled
        LinearBackwardRouting.packedEnabled = false
        XCTAssertFalse(LinearBackwardRouting.packed(rows: 3 * 347, inF: 37, outF: 67))
        let blocked = grads { linear($0, weight: $1, bias: $2) }
        LinearBackwardRouting.packedEnabled = saved
        let reference = grads { $0.matmul($1.t) + $2 }
        for (i, name) in ["dx", "dW", "db"].enumerated() {
            assertClose(whole[i], blocked[i], atol: 1e-4, rtol: 1e-4, "\(name) whole vs blocked")
            assertClose(whole[i], reference[i], atol: 1e-4, rtol: 1e-4, "\(name) whole vs matmul")
        }
        XCTAssertGreaterThan(whole[1].abs().max().item(), 1)   // dW sums 1041 rows: not a zero gradient
    }

    /// Bias gradients: column blocks on the workers (203 columns, past the split size) give the plain sums.
    func testColumnSumsOfAWideBufferMatchPlainSums() {
        let rows = 301, cols = 203
        let a = sample([rows, cols], seed: 5)
        var expected = [Float](repeating: 0, count: cols)
        let av = a.toArray()
        for r in 0..<rows { for j in 0..<cols { expected[j] += av[r * cols + j] } }
        let got = columnSums(a.dataPointer, rows: rows, cols: cols)
        XCTAssertEqual(got.shape, [cols])
        XCTAssertEqual(got.toArray(), expected)   // same order of additions per column: bit-identical
        XCTAssertEqual(columnSums(a.dataPointer, rows: 3, cols: 5).toArray(),
                       (0..<5).map { j in av[j] + av[5 + j] + av[10 + j] })   // small: one block
    }

    func testGradFnNames() {
        let a = sample([2, 3]).requiringGrad(), v = sample([3]).requiringGrad()
        XCTAssertEqual(a.matmul(sample([3, 2])).gradFnName, "MmBackward0")
        XCTAssertEqual(a.matmul(v).gradFnName, "MvBackward0")
        XCTAssertEqual(v.matmul(v).gradFnName, "DotBackward0")
        XCTAssertEqual(a.linear(weight: sample([4, 3]), bias: sample([4])).gradFnName, "AddmmBackward0")
    }
}
