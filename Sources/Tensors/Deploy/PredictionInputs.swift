import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the inputs of `predict`: each file gives one or more named samples
/// shaped as the model's input, or one error naming the file.
///
/// - `.csv`: one sample per row; the columns the model was trained on
///   (`ModelMetadata.features`) are picked by name, other columns (the label)
///   are ignored. Without recorded names, every column but `label` and the
///   target columns, which must match the model's input size.
/// - `.safetensors`: every tensor is model input as it is (already
///   transformed): `[…inputShape]` is one sample, `[N, …inputShape]` N samples.
/// - `.bin`: a CIFAR-10 binary batch (records of 1 label byte + 3072 pixel
///   bytes); each image goes through the model's test transform.
/// - `.png`, `.jpg`, `.jpeg`: decoded by the registered `ImageDecoding`, then
///   the test transform.
public enum PredictionInputs {
    /// One input: where it came from (`a.csv:row 3`, `b.png`) and the model input tensor.
    public struct Sample {
        /// Where the sample came from.
        public var name: String
        /// The model input (no batch dim).
        public var tensor: Tensor
    }

    /// The samples of every file (in order), plus one error per unusable file.
    public static func read(_ urls: [URL], for predictor: Predictor) -> (samples: [Sample], errors: [PredictionError]) {
        var samples: [Sample] = []
        var errors: [PredictionError] = []
        for url in urls {
            do { samples += try read(url, for: predictor) } catch let e as PredictionError {
                errors.append(e)
            } catch {
                // Decoder errors already name the file.
                let text = "\(error)"
                errors.append(PredictionError(text.hasPrefix(url.path) ? text : "\(url.path): \(text)"))
            }
        }
        return (samples, errors)
    }

    /// Expands folders (their files, sorted, not recursing into hidden ones) and glob patterns
    /// the shell left alone (`'photos/*.png'`; no match keeps the pattern, to be reported) into files.
    public static func expand(_ paths: [String]) -> [URL] {
        var out: [URL] = []
        for p in paths {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: p)) ?? []
                out += names.filter { !$0.hasPrefix(".") }.sorted().map { URL(fileURLWithPath: p).appendingPathComponent($0) }
            } else if !FileManager.default.fileExists(atPath: p), p.contains(where: { "*?[".contains($0) }) {
                // A quoted glob (`'photos/*.png'`) the shell did not expand; no match keeps the pattern, to be named.
                let matches = glob(p)
                out += matches.isEmpty ? [URL(fileURLWithPath: p)] : matches.map { URL(fileURLWithPath: $0) }
            } else {
                out.append(URL(fileURLWithPath: p))
            }
        }
        return out
    }

    /// The paths matching the shell pattern `pattern`, sorted (glob(3)).
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
            .filter { !(URL(fileURLWithPath: $0).lastPathComponent.hasPrefix(".")) }.sorted()
    }

    /// The samples of one file; throws a `PredictionError` naming it.
    public static func read(_ url: URL, for predictor: Predictor) throws -> [Sample] {
        let name = url.path
        let ext = url.pathExtension.lowercased()
        guard FileManager.default.isReadableFile(atPath: name) else { throw PredictionError("\(name): no such readable file") }
        switch ext {
        case "csv":
            return try csv(url, predictor)
        case "safetensors":
            return try safetensors(url, predictor)
        case "bin":
            return try cifarBatch(url, predictor)
        default:
            if ImageDecoders.isImageExtension(ext) {
                let data: Data
                do { data = try Data(contentsOf: url) } catch { throw PredictionError("\(name): cannot be read") }
                let image = try ImageDecoders.decode(data, extension: ext, name: name)
                return [Sample(name: name, tensor: try predictor.tensor(for: image, name: name))]
            }
            throw PredictionError("\(name): unsupported file type '.\(ext)' (expected .csv, .safetensors, .bin (CIFAR-10 batch), .png or .jpg)")
        }
    }

    static func csv(_ url: URL, _ predictor: Predictor) throws -> [Sample] {
        let name = url.path
        let meta = predictor.metadata
        guard meta.readsFeatures else {
            throw PredictionError("\(name): \(meta.architecture.name) reads images of shape \(meta.architecture.inputShape), not CSV rows")
        }
        let table: CSVTable
        do { table = try CSVTable(path: name) } catch { throw PredictionError("\(error)") }
        let wanted: [String]
        if let features = meta.features {
            wanted = features
        } else {
            let skip = Set(["label"] + (meta.targets ?? []))
            wanted = table.names.filter { !skip.contains($0) }
        }
        let width = meta.architecture.inputShape[0]
        guard wanted.count == width else {
            throw PredictionError("\(name): \(wanted.count) feature columns (\(wanted.joined(separator: ", "))); the model reads \(width)")
        }
        let indices: [Int]
        do { indices = try wanted.map { try table.index(of: $0, role: "feature") } } catch { throw PredictionError("\(error)") }
        let values: [Float]
        do { values = try table.numbers(indices) } catch { throw PredictionError("\(error)") }
        let rows = values.count / Swift.max(1, width)
        return (0..<rows).map { r in
            Sample(name: "\(name):row \(r + 1)", tensor: Tensor(Array(values[(r * width)..<((r + 1) * width)]), shape: [width]))
        }
    }

    static func safetensors(_ url: URL, _ predictor: Predictor) throws -> [Sample] {
        let name = url.path
        let shape = predictor.inputShape
        let file: (tensors: [(String, Tensor)], metadata: [String: String])
        do { file = try Safetensors.load(from: url) } catch { throw PredictionError("\(error)") }
        guard !file.tensors.isEmpty else { throw PredictionError("\(name): holds no tensors") }
        var out: [Sample] = []
        for (key, t) in file.tensors {
            if t.shape == shape {
                out.append(Sample(name: "\(name):\(key)", tensor: t))
            } else if t.rank == shape.count + 1, Array(t.shape.dropFirst()) == shape {
                for i in 0..<t.shape[0] { out.append(Sample(name: "\(name):\(key)[\(i)]", tensor: t[i])) }
            } else {
                throw PredictionError("\(name): tensor '\(key)' has shape \(t.shape); expected \(shape) or [N, \(shape.map(String.init).joined(separator: ", "))]")
            }
        }
        return out
    }

    static func cifarBatch(_ url: URL, _ predictor: Predictor) throws -> [Sample] {
        let name = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw PredictionError("\(name): cannot be read") }
        return try cifarRecords(data, name: name, for: predictor)
    }

    /// The images of CIFAR-10 binary records (1 label byte + 3072 pixel bytes each), test-transformed.
    public static func cifarRecords(_ data: Data, name: String, for predictor: Predictor) throws -> [Sample] {
        let record = 1 + 3072
        guard !data.isEmpty, data.count % record == 0 else {
            throw PredictionError("\(name): \(data.count) bytes is not a CIFAR-10 binary batch (a multiple of \(record)-byte records)")
        }
        let bytes = [UInt8](data)
        return try (0..<(bytes.count / record)).map { r in
            let base = r * record + 1
            var pixels = [UInt8](repeating: 0, count: 3072)
            for c in 0..<3 {
                for p in 0..<1024 { pixels[p * 3 + c] = bytes[base + c * 1024 + p] }
            }
            let image = Image(width: 32, height: 32, channels: 3, pixels: pixels)
            let sampleName = "\(name):image \(r + 1)"
            return Sample(name: sampleName, tensor: try predictor.tensor(for: image, name: sampleName))
        }
    }
}
