import Foundation
import Tensors

/// Request bodies of the inference endpoints, parsed into model inputs with
/// one-line errors for bad input (status 400).
public enum InferenceJSON {
    struct BadInput: Error, CustomStringConvertible {
        var description: String
        init(_ m: String) { description = m }
    }

    /// A KServe v2 infer request: `{"id"?, "inputs": [{"name", "shape", "datatype": "FP32", "data"}]}`.
    ///
    /// `data` is flat (row-major) or nested as `shape`. The body is read in one pass
    /// (`InferBodyReader`); the checks run in this order, the first failing one answered:
    /// JSON syntax, `inputs`, `datatype`, `shape` (integers that fit the model), `data`'s
    /// values (numbers within FP32's range, rectangular nesting), the element count.
    public static func parseInfer(_ body: Data, inputShape: [Int]) throws -> (id: String?, input: Tensor) {
        guard let doc = try? InferBodyReader.read(body), doc.isObject else {
            throw BadInput("the body is not a JSON object")
        }
        guard doc.inputCount == 1, doc.inputsAreObjects else {
            throw BadInput("expected \"inputs\": an array of one tensor {name, shape, datatype, data}")
        }
        let t = doc.tensor
        guard let datatype = t.datatype else { throw BadInput("input tensor needs a \"datatype\" (FP32)") }
        guard ["FP32", "FP64"].contains(datatype) else {
            throw BadInput("datatype \(datatype) is not supported: expected FP32")
        }
        guard let rawShape = t.shape, !rawShape.isEmpty else {
            throw BadInput("input tensor needs a \"shape\" (array of integers)")
        }
        let shape = try rawShape.enumerated().map { i, v in try JSONNumbers.integer(literal: v, at: "inputs[0].shape[\(i)]") }
        let expected = "[N, \(inputShape.map(String.init).joined(separator: ", "))]"
        guard shape.count == inputShape.count + 1, Array(shape.dropFirst()) == inputShape, shape[0] >= 1 else {
            throw BadInput("input shape \(shape) does not fit the model: expected \(expected)")
        }
        guard let data = t.data else { throw BadInput("input tensor needs \"data\" (a flat array of numbers)") }
        if let problem = data.problem { throw BadInput(problem) }
        // The batch size comes from the client: its product with the sample size is checked
        // for overflow (a shape like [2^62, 3, 32, 32] must be an error, not a trap).
        let (count, overflow) = shape.dropFirst().reduce(1, *).multipliedReportingOverflow(by: shape[0])
        guard !overflow else { throw BadInput("input shape \(shape) is too large") }
        if data.nesting.count > 1, data.nesting != shape {
            throw BadInput("\"data\" is nested as \(data.nesting); shape \(shape) needs it nested as \(shape) or flat")
        }
        let values = data.values
        guard values.count == count else { throw BadInput("\"data\" has \(values.count) values; shape \(shape) needs \(count)") }
        return (doc.id, Tensor(values, shape: shape))
    }

    /// A predict body: infer JSON, CIFAR-10 binary records, or an encoded image.
    static func parsePredictBody(_ body: Data, contentType: String?, predictor: Predictor) throws -> Tensor {
        guard !body.isEmpty else { throw BadInput("empty body: send an image file, CIFAR-10 records or infer JSON") }
        let bytes = [UInt8](body.prefix(8))
        if bytes.first == UInt8(ascii: "{") || (contentType ?? "").contains("json") {
            return try parseInfer(body, inputShape: predictor.inputShape).input
        }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) || bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            let ext = bytes.first == 0x89 ? "png" : "jpg"
            do {
                let image = try ImageDecoders.decode(body, extension: ext, name: "request body")
                return try predictor.tensor(for: image, name: "request body").unsqueeze(0)
            } catch { throw BadInput("\(error)") }
        }
        if body.count % 3073 == 0, predictor.inputShape == [3, 32, 32] {
            do {
                let samples = try PredictionInputs.cifarRecords(body, name: "request body", for: predictor)
                return Tensor.stack(samples.map(\.tensor))
            } catch { throw BadInput("\(error)") }
        }
        throw BadInput("the body is not a PNG or JPEG image, CIFAR-10 records (3,073 bytes each) or infer JSON")
    }
}
