import Foundation

/// A server run as a child process for the bench commands: started with its
/// arguments, its port read from the first line it prints, its RSS read from
/// /proc.
struct ServerProcess {
    /// The child.
    let process: Process
    /// The port it listens on.
    let port: Int

    /// Starts `path args…` and waits for the first line, which must name a port above 1023.
    static func start(_ path: String, _ args: [String], environment: [String: String]? = nil) throws -> ServerProcess {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first += chunk
        }
        let line = String(decoding: first, as: UTF8.self)
        let digits = line.split { !$0.isNumber }.compactMap { Int($0) }.filter { $0 > 1023 }
        guard let port = digits.last else { p.terminate(); throw UserError("server did not report a port: \(line)") }
        return ServerProcess(process: p, port: port)
    }

    /// The child's resident set size in MB (0 when it cannot be read).
    var rssMB: Double { Self.rss(process.processIdentifier) }

    /// The resident set size of process `pid` in MB (0 when it cannot be read).
    static func rss(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }

    /// The child's CPU seconds so far (user + system, all threads; 0 when they cannot be read).
    var cpuSeconds: Double { Self.cpuSeconds(process.processIdentifier) }

    /// The CPU seconds of process `pid` (fields 14 and 15 of /proc/PID/stat, in clock ticks).
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM, then waits for the exit.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
