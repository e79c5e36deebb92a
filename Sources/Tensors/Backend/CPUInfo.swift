import Foundation

/// What the processor offers, read once at start from `/proc/cpuinfo`.
///
/// The kernels choose their vector width and the thread policy from this
/// (see `ThreadPolicy`); `workbench bench` prints it so every figure says
/// which machine and which code path produced it. Machines "of the same
/// kind" differ here: an AMD EPYC VM may offer AVX2 + FMA only, an Intel
/// Xeon VM AVX-512 as well.
///
/// ```swift
/// print(CPUInfo.current)   // Intel(R) Xeon(R) Processor, 2 cores, AVX-512 + AVX2 + FMA
/// ```
public struct CPUInfo: Sendable, CustomStringConvertible {
    /// `model name` from /proc/cpuinfo ("unknown" elsewhere).
    public var modelName: String
    /// Cores the process may run on.
    public var cores: Int
    /// 256-bit integer and float vectors.
    public var avx2: Bool
    /// Fused multiply-add (FMA3).
    public var fma: Bool
    /// 512-bit vectors (the foundation subset).
    public var avx512f: Bool

    /// Floats per vector register of the widest unit available (16, 8 or 4).
    public var vectorWidth: Int { avx512f ? 16 : (avx2 ? 8 : 4) }

    /// The vector instruction sets in one phrase, widest first.
    public var vectorSummary: String {
        var parts: [String] = []
        if avx512f { parts.append("AVX-512") }
        if avx2 { parts.append("AVX2") }
        if fma { parts.append("FMA") }
        return parts.isEmpty ? "SSE only" : parts.joined(separator: " + ")
    }

    public var description: String { "\(modelName), \(cores) cores, \(vectorSummary)" }

    /// This machine, read once.
    public static let current: CPUInfo = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return CPUInfo(cpuinfo: text, cores: ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Parses the text of /proc/cpuinfo (the first processor's `model name` and `flags`).
    public init(cpuinfo text: String, cores: Int) {
        var model = "unknown"
        var flags: Set<Substring> = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...]
            if key == "model name", model == "unknown" {
                model = value.trimmingCharacters(in: .whitespaces)
            } else if key == "flags", flags.isEmpty {
                flags = Set(value.split(separator: " "))
            }
        }
        modelName = model
        self.cores = Swift.max(1, cores)
        avx2 = flags.contains("avx2")
        fma = flags.contains("fma")
        avx512f = flags.contains("avx512f")
    }
}
