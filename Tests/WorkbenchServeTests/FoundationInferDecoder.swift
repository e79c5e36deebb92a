import Foundation
#if canImport(WorkbenchServe)  // the fuzz harness compiles this file beside WorkbenchServe's own
@testable import WorkbenchServe
#endif

/// The infer-body decoder the server used before `InferBodyReader`: JSONSerialization,
/// then each number through `NSNumber.floatValue`. Kept as the reference the byte
/// reader is compared with (`InferBodyReaderTests`; `Fuzz/Sources/serve` links it too).
enum FoundationInferDecoder {
    /// The old `InferenceJSON.parseInfer`: the tensor's shape and values, or the error message.
    static func decode(_ body: Data, inputShape: [Int]) -> Result<(id: String?, shape: [Int], values: [Float]), InferenceJSON.BadInput> {
        Result { try parse(body, inputShape: inputShape) }.mapError { ($0 as? InferenceJSON.BadInput) ?? InferenceJSON.BadInput("\($0)") }
    }

    private static func parse(_ body: Data, inputShape: [Int]) throws -> (id: String?, shape: [Int], values: [Float]) {
        typealias BadInput = InferenceJSON.BadInput
        guard let object = try? JSONSerialization.jsonObject(with: body), let doc = object as? [String: Any] else {
            throw BadInput("the body is not a JSON object")
        }
        guard let inputs = doc["inputs"] as? [[String: Any]], inputs.count == 1 else {
            throw BadInput("expected \"inputs\": an array of one tensor {name, shape, datatype, data}")
        }
        let t = inputs[0]
        guard let datatype = t["datatype"] as? String else { throw BadInput("input tensor needs a \"datatype\" (FP32)") }
        guard ["FP32", "FP64"].contains(datatype) else {
            throw BadInput("datatype \(datatype) is not supported: expected FP32")
        }
        guard let rawShape = t["shape"] as? [Any], !rawShape.isEmpty else {
            throw BadInput("input tensor needs a \"shape\" (array of integers)")
        }
        let shape = try rawShape.enumerated().map { i, v in try JSONNumbers.integer(v, at: "inputs[0].shape[\(i)]") }
        let expected = "[N, \(inputShape.map(String.init).joined(separator: ", "))]"
        guard shape.count == inputShape.count + 1, Array(shape.dropFirst()) == inputShape, shape[0] >= 1 else {
            throw BadInput("input shape \(shape) does not fit the model: expected \(expected)")
        }
        guard let raw = t["data"] as? [Any] else { throw BadInput("input tensor needs \"data\" (a flat array of numbers)") }
        var values = [Float]()
        for (i, v) in raw.enumerated() {
            guard !JSONNumbers.isBoolean(v), let n = v as? NSNumber else {
                throw BadInput("inputs[0].data[\(i)]: expected a number, got \(JSONNumbers.describe(v))")
            }
            values.append(n.floatValue)
        }
        let (count, overflow) = shape.dropFirst().reduce(1, *).multipliedReportingOverflow(by: shape[0])
        guard !overflow else { throw BadInput("input shape \(shape) is too large") }
        guard values.count == count else { throw BadInput("\"data\" has \(values.count) values; shape \(shape) needs \(count)") }
        return (doc["id"] as? String, shape, values)
    }
}
