import ArgumentParser
import Dispatch
import Foundation
import Tensors

/// `workbench bench …`: benchmark commands (run them on a release build).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release).",
        subcommands: [BenchCore.self, BenchConv.self, BenchData.self, BenchModels.self, BenchZoo.self, BenchUI.self, BenchSequence.self,
                      BenchRuns.self, BenchServe.self, BenchSoak.self, BenchSoakAbuse.self, BenchDistributed.self, BenchPredict.self, BenchInferJSON.self]
    )
}

/// Timing and process helpers shared by the benchmark commands.
enum Bench {
    /// Seconds elapsed since `t`.
    static func seconds(since t: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e9
    }

    /// The median of `xs` (the mean of the middle two for an even count; 0 when empty).
    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Process CPU seconds so far (user + system, all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak and current resident set size in MB, from /proc/self/status.
    static func rss() -> (peak: Double, current: Double) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                let digits = line.split(separator: " ").compactMap { Double($0) }
                if let kb = digits.first { return kb / 1024 }
            }
            return 0
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    /// Runs `path` with `args` and extra `environment` variables; returns stdout and stderr together.
    static func runProcess(_ path: String, _ args: [String], environment: [String: String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: out, as: UTF8.self)
    }
}
