import Foundation
@testable import Tensors

/// Checkpoint metadata: the `checkpoint` JSON document of a checkpoint file
/// decodes or throws; a decoded one restores into a generator, a meter and
/// a step-loss recorder, as a resume does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let json = String(decoding: Data(bytes: bytes, count: count), as: UTF8.self)
    let metadata = ["format": Checkpoint.format, "version": String(Checkpoint.version), "checkpoint": json]
    guard let ck = try? Checkpoint.decode(tensors: [], metadata: metadata, file: "fuzz.ckpt") else { return 0 }
    if ck.rngState.count == 14 {
        Generator(seed: 0).state = Array(ck.rngState[0..<7])
    }
    if let m = ck.meterState {
        var meter: any MetricMeter = ClassificationMeter(numClasses: 10)
        try? meter.restore(checkpointState: m)
        _ = meter.values()
    }
    let steps = StepLossRecorder()
    steps.reset(from: ck.history.stepLosses, upTo: ck.globalStep, stepsPerEpoch: ck.history.stepLosses?.stepsPerEpoch ?? 0)
    _ = steps.series
    _ = StepLossRecorder.steps(ck.history.stepLosses)
    _ = ck.history.csv()
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_checkpoint_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
