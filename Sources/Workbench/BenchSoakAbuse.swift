import ArgumentParser
import Foundation

/// `workbench bench soak-abuse` (not listed): the hostile side of `bench
/// soak`, in a process of its own, so its CPU can be pinned (`--cpu`) or
/// lowered (`--nice`) apart from the server and the well-behaved clients, and
/// so the report can tell what the server spends on the abuse from what the
/// load generator does.
///
/// Runs every `AbuseClient` kind and `--idle` idle connections against the
/// server on `--port` for `--seconds`, then prints one JSON object on stdout:
/// the answers per kind, the idle holder's counts and this process's CPU
/// seconds. The bearer token comes in `WORKBENCH_SERVE_TOKEN` (not on the
/// command line, where `ps` shows it).
struct BenchSoakAbuse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak-abuse",
        abstract: "The hostile clients of `bench soak`, as a process of their own (started by it).",
        shouldDisplay: false)

    @Option(help: "The server's port on 127.0.0.1.") var port: Int
    @Option(help: "Seconds of abuse.") var seconds: Double
    @Option(help: "Idle connections to hold open.") var idle: Int = 0
    @Option(name: .customLong("request-timeout"), help: "The server's --request-timeout.") var requestTimeout: Double
    @Option(name: .customLong("idle-timeout"), help: "The server's --idle-timeout.") var idleTimeout: Double
    @Option(name: .customLong("max-body-bytes"), help: "The server's --max-body-bytes.") var maxBodyBytes: Int
    @Option(name: .customLong("max-header-bytes"), help: "The server's --max-header-bytes.") var maxHeaderBytes: Int
    @Option(help: "Run on this CPU only (0-based).") var cpu: Int?
    @Option(help: "Nice value of this process (0…19).") var nice: Int = 0

    func validate() throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard idle >= 0 else { throw ValidationError("--idle must not be negative") }
        guard (0...19).contains(nice) else { throw ValidationError("--nice must be in 0…19, got \(nice)") }
        if let cpu {
            let n = ProcessInfo.processInfo.activeProcessorCount
            guard (0..<Swift.min(n, 64)).contains(cpu) else { throw ValidationError("--cpu must be in 0…\(n - 1), got \(cpu)") }
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        _ = BenchSoak.raiseDescriptorLimit()
        if let cpu { try Self.pin(to: cpu) }
        if nice > 0 { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(nice)) }
        let ns = { DispatchTime.now().uptimeNanoseconds }
        let end = ns() + UInt64(seconds * 1e9)
        let token = ProcessInfo.processInfo.environment["WORKBENCH_SERVE_TOKEN"]
        let target = AbuseClient.Target(port: port, token: token, requestTimeout: requestTimeout, idleTimeout: idleTimeout,
                                        maxBodyBytes: maxBodyBytes, maxHeaderBytes: maxHeaderBytes)
        let kinds = AbuseClient.all(target, validBody: try BenchServe.inferBody(),
                                    wrongShape: try BenchServe.inferBody(shape: [1, 3, 28, 28]),
                                    wrongDtype: try BenchServe.inferBody(datatype: "INT8"))
        final class Box: @unchecked Sendable { var outcomes: [String: [String: Int]] = [:] }
        let box = Box(), lock = NSLock(), group = DispatchGroup()
        let port = self.port
        for kind in kinds {
            for _ in 0..<kind.concurrency {
                group.enter()
                Thread {
                    defer { group.leave() }
                    var counts: [String: Int] = [:]
                    while ns() < end {
                        counts[kind.attempt(port).label, default: 0] += 1
                        if kind.pause > 0 { Thread.sleep(forTimeInterval: kind.pause) }
                    }
                    lock.lock()
                    box.outcomes[kind.name, default: [:]].merge(counts, uniquingKeysWith: +)
                    lock.unlock()
                }.start()
            }
        }
        let holder = IdleConnections(port: port, target: idle)
        if idle > 0 {
            group.enter()
            Thread { defer { group.leave() }; holder.hold(until: end) }.start()
        }
        // An attempt started just before the end may wait for the server's timeouts.
        _ = group.wait(timeout: .now() + seconds + Swift.max(requestTimeout, idleTimeout) * 3 + 10)
        let c = holder.counts
        lock.lock()
        let outcomes = box.outcomes
        lock.unlock()
        let doc: [String: Any] = [
            "kinds": kinds.map { ["name": $0.name, "expected": $0.expected, "answers": outcomes[$0.name] ?? [:]] },
            "idle": ["target": idle, "max_open": c.maxOpen, "opened": c.opened, "closed_by_server": c.closedByServer,
                     "connect_failures": c.connectFailures],
            "cpu_seconds": Bench.cpuSeconds(),
        ]
        let data = try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Restricts this process to `cpu` (below 64) with glibc's `sched_setaffinity`, looked up at
    /// run time (Swift's Glibc module does not import it: it needs `_GNU_SOURCE`).
    static func pin(to cpu: Int) throws {
        typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else {
            throw UserError("cannot pin the abuse process to CPU \(cpu): this C library has no sched_setaffinity")
        }
        let setAffinity = unsafeBitCast(symbol, to: SetAffinity.self)
        var set = cpu_set_t()
        withUnsafeMutableBytes(of: &set) { $0.storeBytes(of: UInt64(1) << UInt64(cpu), toByteOffset: 0, as: UInt64.self) }
        guard withUnsafeBytes(of: &set, { setAffinity(0, MemoryLayout<cpu_set_t>.size, $0.baseAddress!) }) == 0 else {
            throw UserError("cannot pin the abuse process to CPU \(cpu): \(String(cString: strerror(errno)))")
        }
    }
}
