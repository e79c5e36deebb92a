import ArgumentParser
import Foundation
import Tensors
import WorkbenchServe

/// `workbench bench infer-json`: decoding one `/infer` body (KServe v2 JSON, a
/// [1, 3, 32, 32] FP32 tensor, about 60 KB, as `bench serve` sends) with the server's
/// byte reader (`InferenceJSON.parseInfer`), beside JSONSerialization + `NSNumber.floatValue`,
/// the way the server decoded bodies before the reader, in the same process.
struct BenchInferJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer-json",
        abstract: "Decode a 60 KB /infer body: the server's byte reader against JSONSerialization (ms per body).")

    @Option(help: "Bodies decoded per round.") var count: Int = 200
    @Option(help: "Timed rounds (the median is reported).") var rounds: Int = 5

    func run() throws {
        #if DEBUG
        print("warning: debug build; run `swift build -c release` and .build/release/workbench bench infer-json for real figures")
        #endif
        guard count >= 1, rounds >= 1 else { throw UserError("--count and --rounds must be positive") }
        let body = try BenchServe.inferBody()
        let reader = try median { _ = try InferenceJSON.parseInfer(body, inputShape: [3, 32, 32]) }
        let foundation = try median {
            guard let doc = try JSONSerialization.jsonObject(with: body) as? [String: Any],
                  let input = (doc["inputs"] as? [[String: Any]])?.first, let data = input["data"] as? [Any] else {
                throw UserError("the benchmark body did not decode")
            }
            var values = [Float]()
            values.reserveCapacity(data.count)
            for v in data { values.append((v as? NSNumber)?.floatValue ?? .nan) }
        }
        print("/infer body of \(body.count) bytes (3,072 FP32 values), \(count) bodies × \(rounds) rounds, median:")
        print(String(format: "  byte reader (InferenceJSON.parseInfer)      %8.3f ms/body  %7.1f MB/s", reader * 1e3, Double(body.count) / reader / 1e6))
        print(String(format: "  JSONSerialization + NSNumber.floatValue    %8.3f ms/body  %7.1f MB/s", foundation * 1e3, Double(body.count) / foundation / 1e6))
        print(String(format: "  speed-up %.1f×", foundation / reader))
    }

    /// The median over `rounds` of the seconds per call of `body`, called `count` times a round.
    func median(_ body: () throws -> Void) throws -> Double {
        var times: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<count { try body() }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(count))
        }
        return times.sorted()[times.count / 2]
    }
}
