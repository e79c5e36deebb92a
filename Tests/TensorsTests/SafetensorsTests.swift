import Foundation
import XCTest
@testable import Tensors

/// Finds a python3 that can import torch and safetensors, for the cross-checks
/// with the reference library (scripts/safetensors_crosscheck.py).
enum SafetensorsPython {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("scripts/safetensors_crosscheck.py")

    /// The interpreter, or nil when none has torch and safetensors. `WORKBENCH_PYTHON` picks one explicitly.
    static let interpreter: String? = {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["WORKBENCH_PYTHON"], !p.isEmpty { candidates.append(p) }
        candidates += ["/tmp/torchenv/bin/python3", "python3"]
        // find_spec locates the packages without importing torch (which takes seconds).
        let probe = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('torch') and u.find_spec('safetensors') else 1)"
        for c in candidates where run(c, ["-c", probe]).status == 0 {
            return c
        }
        return nil
    }()

    /// Runs `executable` (a path, or a name looked up on PATH) and returns its exit status and output.
    static func run(_ executable: String, _ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else { return (127, "\(executable) not found") }
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = args
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [executable] + args
        }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (127, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs the cross-check script in `mode` on `path`, or throws XCTSkip when Python can't.
    static func crossCheck(_ mode: String, _ path: URL) throws -> (status: Int32, output: String) {
        guard let py = interpreter else {
            throw XCTSkip("python3 with torch and safetensors is not importable (set WORKBENCH_PYTHON to one that is); skipping the cross-check with the reference library")
        }
        return run(py, [script.path, mode, path.path])
    }
}

final class SafetensorsTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/safetensors/torch_mixed.safetensors")

    // MARK: Files made by PyTorch

    func testLoadsTorchFileWithEveryDtype() throws {
        let (tensors, metadata) = try Safetensors.load(from: Self.fixture)
        XCTAssertEqual(metadata, ["format": "pt", "note": "fixture ünïcode \"quoted\""])
        // Data order (safetensors' Python writer sorts by alignment, then name).
        XCTAssertEqual(tensors.map { $0.0 }, ["bn.num_batches_tracked", "double", "empty", "weight", "int32", "bf", "half",
                                               "int16", "f8e4m3", "f8e5m2", "i8", "u8", "mask"])
        let byName = Dictionary(uniqueKeysWithValues: tensors)
        func check(_ name: String, _ shape: [Int], _ values: [Float], line: UInt = #line) {
            guard let t = byName[name] else { return XCTFail("missing \(name)", line: line) }
            XCTAssertEqual(t.shape, shape, name, line: line)
            XCTAssertEqual(t.toArray(), values, name, line: line)
        }
        check("weight", [2, 3], [-1.5, -1.25, -1, -0.75, -0.5, -0.25])
        check("half", [5], [0.5, -2, 65504, 0x1p-14, 0x1p-24])
        check("bf", [2, 2], [1, -3.5, 0.0078125, 256])
        check("double", [3], [Float(0.1), -1e10, 3])
        check("bn.num_batches_tracked", [], [12345])
        check("int32", [3], [-7, 0, 2147483648])
        check("int16", [2], [-32768, 5])
        check("i8", [2], [-128, 127])
        check("u8", [4], [0, 1, 128, 255])
        check("mask", [3], [1, 0, 1])
        check("empty", [0, 3], [])
        check("f8e4m3", [4], [0.5, -448, 0x1p-9, 1.75])
        check("f8e5m2", [4], [0.5, -57344, 0x1p-16, 1.5])
    }

    func testReadHeaderOnly() throws {
        let h = try Safetensors.readHeader(from: Self.fixture)
        XCTAssertEqual(h.tensors.count, 13)
        XCTAssertEqual(h.metadata["format"], "pt")
        XCTAssertEqual(h.dataStart % 8, 0)
        let w = try XCTUnwrap(h.tensors.first { $0.name == "weight" })
        XCTAssertEqual(w.dtype, .f32)
        XCTAssertEqual(w.shape, [2, 3])
        XCTAssertEqual(w.dataOffsets.count, 24)
        XCTAssertEqual(h.tensors.first { $0.name == "bn.num_batches_tracked" }?.dtype, .i64)
    }

    // MARK: Writing

    func testExactBytesOfASmallFile() throws {
        let data = try Safetensors.serialize([("a", Tensor([1, 2]))])
        let json = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#   // 54 bytes, padded to 56
        XCTAssertEqual(json.utf8.count, 54)
        var expected: [UInt8] = [56, 0, 0, 0, 0, 0, 0, 0]
        expected += Array(json.utf8) + [0x20, 0x20]
        expected += [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]  // 1.0f, 2.0f little-endian
        XCTAssertEqual(Array(data), expected)

        let withMeta = try Safetensors.serialize([("x", Tensor(Float(0.5)))], metadata: ["b": "2", "a": "1"])
        let header = String(decoding: withMeta[8..<(withMeta.count - 4)], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       #"{"__metadata__":{"a":"1","b":"2"},"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#)
        XCTAssertEqual((withMeta.count - 4) % 8, 0, "data starts 8-byte aligned")
    }

    func testRoundTripKeepsOrderShapesValuesAndMetadata() throws {
        let g = Generator(seed: 7)
        let tensors: [(String, Tensor)] = [
            ("z.last.first", Tensor.randn([3, 4, 5], generator: g)),
            ("scalar", Tensor(Float(-0.0))),
            ("empty", Tensor.zeros([2, 0])),
            ("special", Tensor([.infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude])),
            ("a.transposed", Tensor([[1, 2, 3], [4, 5, 6]]).t),  // non-contiguous: saved row-major
            ("名前 \"quoted\"\n", Tensor([7])),
        ]
        let url = dir.appendingPathComponent("round.safetensors")
        let meta = ["epoch": "3", "json": #"{"k": [1, 2]}"#, "ü": "tab\there"]
        try Safetensors.save(tensors, metadata: meta, to: url)
        let (back, m) = try Safetensors.load(from: url)
        XCTAssertEqual(m, meta)
        XCTAssertEqual(back.map { $0.0 }, tensors.map { $0.0 })
        for ((_, a), (name, b)) in zip(tensors, back) {
            XCTAssertEqual(a.shape, b.shape, name)
            XCTAssertEqual(a.toArray().map { $0.bitPattern }, b.toArray().map { $0.bitPattern }, name)
        }
        XCTAssertEqual(back[4].1.toArray(), [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try Safetensors.load(data: try Safetensors.serialize(tensors, metadata: meta)).metadata, meta)
        // No metadata: none written, empty on load.
        try Safetensors.save([("w", Tensor([1]))], to: url)
        XCTAssertEqual(try Safetensors.load(from: url).metadata, [:])
        XCTAssertFalse(String(decoding: try Data(contentsOf: url), as: UTF8.self).contains("__metadata__"))
    }

    func testSaveRejectsBadInput() throws {
        let url = dir.appendingPathComponent("bad.safetensors")
        func message(_ tensors: [(String, Tensor)]) -> String? {
            do { try Safetensors.save(tensors, to: url); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message([("a", Tensor([1])), ("a", Tensor([2]))]), "\(url.path): duplicate tensor name 'a'")
        XCTAssertEqual(message([("__metadata__", Tensor([1]))]),
                       "\(url.path): '__metadata__' is reserved and cannot name a tensor")
        XCTAssertEqual(message([("m", Tensor.meta([2]))]),
                       "\(url.path): tensor 'm' is a meta tensor and has no data to save")
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    // MARK: Validation on hand-built bytes

    /// A file from a header string (padded to 8 unless `pad` is false) and raw data bytes.
    private func file(_ header: String, data: [UInt8] = [], pad: Bool = true, size: UInt64? = nil) -> Data {
        var h = Array(header.utf8)
        if pad { while h.count % 8 != 0 { h.append(0x20) } }
        var out = Data()
        withUnsafeBytes(of: (size ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    private func assertLoadFails(_ data: Data, _ fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors.load(data: data, file: "x.safetensors"), line: line) { error in
            guard let e = error as? SafetensorsError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(e.file, "x.safetensors", line: line)
            XCTAssertTrue(e.message.contains(fragment), "'\(e.message)' does not mention '\(fragment)'", line: line)
        }
    }

    func testHandBuiltValidFileLoads() throws {
        let h = #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x00, 0x20, 0x41]  // f16 1, -2; f32 10
        let (t, m) = try Safetensors.load(data: file(h, data: data))
        XCTAssertTrue(m.isEmpty)
        XCTAssertEqual(t.map { $0.0 }, ["a", "b"], "data order")
        XCTAssertEqual(t[0].1.toArray(), [1, -2])
        XCTAssertEqual(t[1].1.toArray(), [10])
        // Unpadded headers and whitespace inside the JSON are accepted.
        XCTAssertNoThrow(try Safetensors.load(data: file(#" {"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#.trimmingCharacters(in: .whitespaces), data: [9], pad: false)))
    }

    func testRejectsMalformedFiles() {
        let f32x2 = #""dtype":"F32","shape":[2]"#
        assertLoadFails(Data([1, 2, 3]), "file too short (3 bytes)")
        assertLoadFails(file("{}", size: 1000), "header size 1000 runs past the end of the file")
        assertLoadFails(file("{}", size: 1 << 40), "larger than the limit")
        assertLoadFails(file(#"[1, 2]"#), "does not start with '{'")
        assertLoadFails(file(#"{"a": {"dtype": "F32",}"#), "invalid JSON header")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#, data: [0, 0, 0, 0]), "invalid JSON header")
        assertLoadFails(file(#"{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                        "tensor 'a' has unknown dtype 'F17'")
        assertLoadFails(file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
                        "dtype C64, which cannot be converted to Float")
        assertLoadFails(file(#"{"a":{\#(f32x2),"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
                        "data_offsets [0, 8] beyond the end of the data (4 bytes)")
        assertLoadFails(file(#"{"a":{\#(f32x2),"data_offsets":[0,8]},"b":{\#(f32x2),"data_offsets":[4,12]}}"#,
                             data: Array(repeating: 0, count: 12)), "overlap")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
                        "tensor 'a' with shape [3] and dtype F32 needs 12 bytes, but data_offsets [0, 8] span 8")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                             data: Array(repeating: 0, count: 12)), "gap in the data before tensor 'b'")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: Array(repeating: 0, count: 8)),
                        "the data section has 8 bytes but the tensors cover 4")
        assertLoadFails(file(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#,
                             data: [1, 2]), "duplicate key 'a'")
        assertLoadFails(file(#"{"__metadata__":{"k":1}}"#), "__metadata__ value for 'k' must be a string")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#), "invalid shape")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#), "invalid data_offsets")
        assertLoadFails(file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "has no dtype")
        assertLoadFails(file(#"{"a":{"dtype":"F32","shape":[4611686018427387904, 4],"data_offsets":[0,4]}}"#), "overflows")
        assertLoadFails(file("{\"a\u{1}\":1}"), "control character")
    }

    func testErrorsNameTheFile() throws {
        let url = dir.appendingPathComponent("short.safetensors")
        try Data([1, 2]).write(to: url)
        XCTAssertThrowsError(try Safetensors.load(from: url)) { e in
            XCTAssertTrue("\(e)".hasPrefix(url.path + ": file too short"), "\(e)")
        }
        XCTAssertThrowsError(try Safetensors.readHeader(from: url))
        let missing = dir.appendingPathComponent("missing.safetensors")
        XCTAssertThrowsError(try Safetensors.load(from: missing)) { e in
            XCTAssertEqual((e as? SafetensorsError)?.file, missing.path)
        }
    }

    func testHalfAndFloat8Conversions() {
        XCTAssertEqual(Safetensors.halfToFloat(0x7C00), .infinity)
        XCTAssertEqual(Safetensors.halfToFloat(0xFC00), -.infinity)
        XCTAssertTrue(Safetensors.halfToFloat(0x7E00).isNaN)
        XCTAssertEqual(Safetensors.halfToFloat(0x8000).sign, .minus)
        XCTAssertEqual(Safetensors.halfToFloat(0x3555), 0.333251953125)
        XCTAssertEqual(Safetensors.halfToFloat(0x03FF), 0x1.ff8p-15)  // largest subnormal
        XCTAssertTrue(Safetensors.e4m3ToFloat(0x7F).isNaN)
        XCTAssertEqual(Safetensors.e4m3ToFloat(0x7E), 448)
        XCTAssertEqual(Safetensors.e4m3ToFloat(0x01), 0x1p-9)
        XCTAssertEqual(Safetensors.e4m3ToFloat(0x38), 1)
    }

    // MARK: Cross-check with the Python reference library

    func testPythonReadsOurFileAndWeReadTorchs() throws {
        let ours = dir.appendingPathComponent("ours.safetensors")
        // Same content and formulas as workbench_expected() in scripts/safetensors_crosscheck.py.
        let tensors: [(String, Tensor)] = [
            ("features.0.weight", Tensor((0..<12).map { (Float($0) - 5) * 0.125 }, shape: [4, 3])),
            ("features.0.bias", Tensor((0..<4).map { Float($0) * 1.5 - 2 })),
            ("scalar", Tensor(Float(3.25))),
            ("empty", Tensor.zeros([0])),
            ("bn.running_var", Tensor([1, 0.5, 0.25])),
        ]
        try Safetensors.save(tensors, metadata: ["source": "workbench", "epoch": "7", "note": "ünï \"q\"\n"], to: ours)
        let check = try SafetensorsPython.crossCheck("check", ours)
        XCTAssertEqual(check.status, 0, check.output)

        let theirs = dir.appendingPathComponent("theirs.safetensors")
        let write = try SafetensorsPython.crossCheck("write", theirs)
        XCTAssertEqual(write.status, 0, write.output)
        let (t, m) = try Safetensors.load(from: theirs)
        XCTAssertEqual(m, ["writer": "torch"])
        let byName = Dictionary(uniqueKeysWithValues: t)
        XCTAssertEqual(byName["a"]?.shape, [2, 3])
        XCTAssertEqual(byName["a"]?.toArray(), [-1, -0.5, 0, 0.5, 1, 1.5])
        XCTAssertEqual(byName["b"]?.toArray(), [-0.5, -0.25, 0, 0.25])
        XCTAssertEqual(byName["c"]?.toArray(), [-2, 0.5, 8])
        XCTAssertEqual(byName["d"]?.toArray(), [Float(1.0 / 3.0), -2.5])
        XCTAssertEqual(byName["n"]?.shape, [])
        XCTAssertEqual(byName["n"]?.item(), 42)
        XCTAssertEqual(byName["m"]?.toArray(), [1, 0])
    }
}
