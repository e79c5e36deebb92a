import Foundation

/// Minimal safetensors read/write for the demo trainer's few F32 tensors.
///
/// Stand-in until `Tensors/IO` (safetensors, checkpoints) is wired in. Writes are atomic:
/// temp file in the same folder, fsync, rename.
enum DemoWeightsFile {
    struct Entry {
        var name: String
        var shape: [Int]
        var values: [Float]
    }

    static func write(_ entries: [Entry], metadata: [String: String], to path: String) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for e in entries {
            let bytes = e.values.count * 4
            header[e.name] = ["dtype": "F32", "shape": e.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(json)
        for e in entries { e.values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) } }
        try AtomicFile.write(data, to: path)
    }

    static func read(_ path: String) throws -> (entries: [String: Entry], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw DemoError("\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw DemoError("\(path): cannot be read") }
        guard data.count >= 8 else { throw DemoError("\(path) is not a safetensors file (too short)") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard n > 1, n <= UInt64(data.count - 8) else { throw DemoError("\(path) is not a safetensors file (bad header length)") }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw DemoError("\(path) is not a safetensors file (header is not JSON)")
        }
        let base = 8 + Int(n)
        var out: [String: Entry] = [:]
        var meta: [String: String] = [:]
        for (k, v) in header {
            if k == "__metadata__" {
                meta = (v as? [String: String]) ?? [:]
                continue
            }
            guard let d = v as? [String: Any], let dtype = d["dtype"] as? String, let shape = d["shape"] as? [Int],
                  let offs = d["data_offsets"] as? [Int], offs.count == 2 else {
                throw DemoError("\(path): tensor \"\(k)\" has a malformed header entry")
            }
            guard dtype == "F32" else { throw DemoError("\(path): tensor \"\(k)\" is \(dtype), expected F32") }
            let count = shape.reduce(1, *)
            guard offs[1] - offs[0] == count * 4, base + offs[1] <= data.count else {
                throw DemoError("\(path): tensor \"\(k)\" data does not match its shape \(Format.shape(shape))")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: (base + offs[0])..<(base + offs[1]))
            }
            out[k] = Entry(name: k, shape: shape, values: values)
        }
        return (out, meta)
    }
}
