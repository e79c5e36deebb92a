import Foundation
import Tensors

/// The request bodies of `serve` (InferenceJSON.swift is WorkbenchServe's own
/// file, linked here so the harness needs no HTTP stack): the first byte picks
/// the endpoint — KServe infer JSON, or a predict body (infer JSON, PNG/JPEG,
/// CIFAR-10 records) with or without a JSON content type — the rest is the body.
let predictor: Predictor = {
    let metadata = ModelMetadata(architecture: .init(name: "fuzz", inputShape: [3, 32, 32], outputs: 10))
    let model = Sequential([Flatten(), Linear(3 * 32 * 32, 10, generator: Generator(seed: 0))])
    return Predictor(model: model, metadata: metadata, weights: URL(fileURLWithPath: "fuzz.safetensors"))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let mode = bytes.load(as: UInt8.self)
    let body = Data(bytes: bytes + 1, count: count - 1)
    switch mode % 3 {
    case 0: _ = try? InferenceJSON.parseInfer(body, inputShape: [3, 32, 32])
    case 1: _ = try? InferenceJSON.parsePredictBody(body, contentType: "application/json", predictor: predictor)
    default: _ = try? InferenceJSON.parsePredictBody(body, contentType: nil, predictor: predictor)
    }
    return 0
}
