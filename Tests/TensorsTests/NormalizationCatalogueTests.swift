import XCTest
@testable import Tensors

/// BatchNorm3d, SyncBatchNorm, GroupNorm, LayerNorm, InstanceNorm1d/2d/3d and
/// LocalResponseNorm against PyTorch (Tests/Fixtures/nn/normalization).
final class NormalizationCatalogueTests: XCTestCase {
    let file = "normalization/normalization"

    /// Loads parameters and initial buffers, runs the case and compares
    /// output, gradients and the updated running statistics.
    func check(_ name: String, _ m: any UnaryLayer, train: Bool = true, line: UInt = #line) {
        let c = nnCase(file, name)
        m.train(train)
        XCTAssertEqual(m.description, c["repr"] as? String, "\(name) repr", line: line)
        let params = m.namedParameters()
        for (n, p) in params { noGrad { p.copy(from: fixtureTensor(c, n)) } }
        for (n, b) in m.namedBuffers() where c["init_" + n] != nil { noGrad { b.copy(from: fixtureTensor(c, "init_" + n)) } }
        let x = fixtureTensor(c, "x").requiringGrad()
        let y = m(x)
        assertClose(y, fixtureTensor(c, "out"), atol: 1e-4, rtol: 1e-4, "\(name) out", line: line)
        (y * fixtureTensor(c, "gy")).sum().backward()
        assertClose(x.grad, fixtureTensor(c, "dx"), atol: 1e-4, rtol: 1e-3, "\(name) dx", line: line)
        for (n, p) in params { assertClose(p.grad, fixtureTensor(c, "d" + n), atol: 1e-4, rtol: 1e-3, "\(name) d\(n)", line: line) }
        for (n, b) in m.namedBuffers() where c["after_" + n] != nil {
            assertClose(b, fixtureTensor(c, "after_" + n), atol: 1e-5, "\(name) \(n)", line: line)
        }
    }

    func testBatchNorm3dAndSyncBatchNormMatchTorch() {
        check("batchnorm3d", BatchNorm3d(3))
        check("batchnorm3d_eval", BatchNorm3d(2, affine: false), train: false)
        check("syncbatchnorm", SyncBatchNorm(3, momentum: 0.2))
        assertRejects(BatchNorm3d(3), [2, 3, 4, 4], "expected 5D input (got 4D input)")
        assertRejects(SyncBatchNorm(3), [3], "expected at least 2D input (got 1D input)")
    }

    func testGroupAndLayerNormMatchTorch() {
        check("groupnorm", GroupNorm(numGroups: 2, numChannels: 4))
        check("groupnorm_4d", GroupNorm(numGroups: 3, numChannels: 6, eps: 1e-3))
        check("groupnorm_noaffine", GroupNorm(numGroups: 1, numChannels: 3, affine: false))
        check("layernorm", LayerNorm(5))
        check("layernorm_2d", LayerNorm([3, 4], eps: 1e-4))
        check("layernorm_nobias", LayerNorm(4, bias: false))
        check("layernorm_noaffine", LayerNorm(6, elementwiseAffine: false))
        assertRejects(LayerNorm(5), [2, 4], "Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[2, 4]")
        assertRejects(GroupNorm(numGroups: 2, numChannels: 4), [2, 3, 5],
                      "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 3, 5] and num_groups=2")
        XCTAssertEqual(metaShape(GroupNorm(numGroups: 2, numChannels: 4), [[2, 4, 3, 3]]), [2, 4, 3, 3])
    }

    func testInstanceNormMatchesTorch() {
        check("instancenorm1d", InstanceNorm1d(3))
        check("instancenorm1d_unbatched", InstanceNorm1d(3, affine: true))
        check("instancenorm2d_affine_track", InstanceNorm2d(2, affine: true, trackRunningStats: true))
        check("instancenorm2d_eval_track", InstanceNorm2d(2, trackRunningStats: true), train: false)
        check("instancenorm3d", InstanceNorm3d(2, affine: true))
        assertRejects(InstanceNorm2d(2), [2, 3], "expected 3D or 4D input (got 2D input)")
        assertRejects(InstanceNorm1d(4, affine: true), [2, 3, 5], "expected input's size at dim=1 to match num_features (4), but got: 3.")
        XCTAssertEqual(InstanceNorm2d(2, trackRunningStats: true).stateDict().map(\.0),
                       ["running_mean", "running_var", "num_batches_tracked"])
    }

    func testLocalResponseNormMatchesTorch() {
        check("lrn", LocalResponseNorm(size: 3, alpha: 0.1, beta: 0.6, k: 1.5))
        check("lrn_4d", LocalResponseNorm(size: 2))
        check("lrn_5d", LocalResponseNorm(size: 4, alpha: 0.5))
        assertRejects(LocalResponseNorm(size: 2), [3, 4], "Expected 3D or higher dimensionality input (got 2 dimensions)")
    }

    func testGradientsMatchFiniteDifferences() {
        // Six spread-out values per normalised row: a near-constant row has a
        // tiny variance and gradients too steep for finite differences.
        let x = distinctValues([2, 4, 6], seed: 3) * 0.5
        let w = sample([4], seed: 4, 0.5, 1.5), b = sample([4], seed: 5)
        gradCheck([x, w, b], eps: 3e-3) { groupNorm($0[0], numGroups: 2, weight: $0[1], bias: $0[2]) }
        gradCheck([x, sample([6], seed: 6, 0.5, 1.5), sample([6], seed: 7)], eps: 3e-3) {
            layerNorm($0[0], normalizedShape: [6], weight: $0[1], bias: $0[2])
        }
        gradCheck([x, w, b], eps: 3e-3) { instanceNorm($0[0], weight: $0[1], bias: $0[2]) }
        gradCheck(x) { localResponseNorm($0, size: 3, alpha: 0.5, beta: 0.75, k: 1) }
    }

    func testNumBatchesTrackedIsSavedAsInt64() throws {
        let bn = BatchNorm2d(3)
        _ = bn(sample([2, 3, 2, 2]))
        _ = bn(sample([2, 3, 2, 2], seed: 9))
        let data = try Safetensors.serialize(bn.stateDict())
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let header = String(decoding: data.dropFirst(8).prefix(Int(headerLength)), as: UTF8.self)
        XCTAssertTrue(header.contains("\"num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]"), header)
        XCTAssertTrue(header.contains("\"running_mean\":{\"dtype\":\"F32\""), header)
        // Reads back as the count 2, and loads into a fresh module.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nbt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.save(bn.stateDict(), to: url)
        let loaded = try Safetensors.load(from: url).tensors
        let nbt = loaded.first { $0.0 == "num_batches_tracked" }?.1
        XCTAssertEqual(nbt?.item(), 2)
        let fresh = BatchNorm2d(3)
        _ = try fresh.loadStateDict(loaded)
        XCTAssertEqual(fresh.numBatchesTracked?.item(), 2)
        XCTAssertTrue(fresh.numBatchesTracked?.storage.isIntegral ?? false)
    }
}
