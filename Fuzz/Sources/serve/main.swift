import Foundation
import Tensors

/// The request bodies of `serve` (WorkbenchServe's InferenceJSON.swift,
/// InferBodyReader.swift, DecimalFloat.swift and JSONNumbers.swift, linked here so the
/// harness needs no HTTP stack): the first byte picks the endpoint — KServe infer JSON,
/// or a predict body (infer JSON, PNG/JPEG, CIFAR-10 records) with or without a JSON
/// content type — the rest is the body. Mode 3 compares the byte reader with the
/// JSONSerialization decoder it replaced (Tests/WorkbenchServeTests/FoundationInferDecoder.swift):
/// where both accept a body, the same id and shape, and values equal or one float apart
/// (the old decoder rounded through Double; the reader rounds once).
let predictor: Predictor = {
    let metadata = ModelMetadata(architecture: .init(name: "fuzz", inputShape: [3, 32, 32], outputs: 10))
    let model = Sequential([Flatten(), Linear(3 * 32 * 32, 10, generator: Generator(seed: 0))])
    return Predictor(model: model, metadata: metadata, weights: URL(fileURLWithPath: "fuzz.safetensors"))
}()

func compareWithFoundation(_ body: Data) {
    for inputShape in [[3, 32, 32], [2], [1]] {
        guard let new = try? InferenceJSON.parseInfer(body, inputShape: inputShape),
              case .success(let old) = FoundationInferDecoder.decode(body, inputShape: inputShape) else { continue }
        precondition(new.id == old.id && new.input.shape == old.shape, "id or shape differ from JSONSerialization's")
        for (a, b) in zip(new.input.toArray(), old.values) where a.bitPattern != b.bitPattern {
            precondition(a.nextUp == b || a.nextDown == b, "value \(a) differs from JSONSerialization's \(b)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let mode = bytes.load(as: UInt8.self)
    let body = Data(bytes: bytes + 1, count: count - 1)
    switch mode % 4 {
    case 0: _ = try? InferenceJSON.parseInfer(body, inputShape: [3, 32, 32])
    case 1: _ = try? InferenceJSON.parsePredictBody(body, contentType: "application/json", predictor: predictor)
    case 2: _ = try? InferenceJSON.parsePredictBody(body, contentType: nil, predictor: predictor)
    default: compareWithFoundation(body)
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_serve_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
