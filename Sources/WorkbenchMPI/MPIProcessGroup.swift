import CMPI
import Foundation
import Tensors

/// The processes of an `mpirun` job as a `ProcessGroup`, over Open MPI.
///
/// MPI is initialised with `MPI_Init_thread` asking for
/// `MPI_THREAD_MULTIPLE`; the group needs (and checks for) at least
/// `MPI_THREAD_FUNNELED`, because every MPI call is made by its one
/// communication thread. Collectives are MPI's non-blocking ones
/// (`MPI_Iallreduce`, `MPI_Ibcast`, `MPI_Iallgather`, `MPI_Ibarrier`),
/// completed by polling `MPI_Test` (spinning ~1 ms, then with 10–50 µs sleeps) (MPI's blocking calls
/// spin a core, which the training threads need). The poll loop enforces
/// the timeout: a collective still open after `timeout` seconds — a rank
/// died or stalled — ends the job with `MPI_Abort` and a message naming the
/// collective and this rank.
///
/// ```swift
/// let group = try MPIProcessGroup.start(timeout: 300)   // under mpirun
/// var x: [Float] = [Float(group.rank)]
/// group.allReduceSum(&x)                                 // 0 + 1 + … + (N−1)
/// group.finalize()
/// ```
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let worldSize: Int
    /// Seconds a collective may stay open before the job is aborted.
    public let timeout: Double
    /// The thread support MPI granted (`MPI_THREAD_FUNNELED` … `MPI_THREAD_MULTIPLE`).
    public let threadSupport: ThreadSupport
    /// The host this rank runs on (`MPI_Get_processor_name`).
    public let hostName: String

    private let comm: CommunicationThread
    private let abortLock = NSLock()
    private var abortMessage: String?
    private var finalized = false

    /// MPI's thread support levels, in increasing order.
    public enum ThreadSupport: Int, Comparable, CustomStringConvertible, Sendable {
        case single, funneled, serialized, multiple
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
        public var description: String {
            ["MPI_THREAD_SINGLE", "MPI_THREAD_FUNNELED", "MPI_THREAD_SERIALIZED", "MPI_THREAD_MULTIPLE"][rawValue]
        }
        init(mpi level: Int32) {
            switch level {
            case cmpi_thread_multiple(): self = .multiple
            case cmpi_thread_serialized(): self = .serialized
            case cmpi_thread_funneled(): self = .funneled
            default: self = .single
            }
        }
    }

    /// Whether this process was started by `mpirun`/`srun` (a PMI/PMIx rank
    /// variable is set), so `start` will join a job instead of a world of one.
    public static var isLaunchedByMPI: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { env[$0] != nil }
    }

    /// The world size `mpirun` announced in the environment, if any (no MPI call).
    public static var launchedWorldSize: Int? {
        let env = ProcessInfo.processInfo.environment
        return (env["OMPI_COMM_WORLD_SIZE"] ?? env["PMI_SIZE"]).flatMap { Int($0) }
    }

    /// Initialises MPI (once per process) and returns the world group.
    /// - Throws: `MPIError` if MPI cannot start or grants less than `MPI_THREAD_FUNNELED`.
    public static func start(timeout: Double = 300) throws -> MPIProcessGroup {
        let comm = CommunicationThread()
        let (code, level, rank, size, host): (Int32, Int32, Int32, Int32, String) = comm.sync {
            var provided: Int32 = 0, initialized: Int32 = 0
            _ = cmpi_initialized(&initialized)
            if initialized == 0 {
                let rc = cmpi_init_thread(cmpi_thread_multiple(), &provided)
                if rc != cmpi_success() { return (rc, 0, 0, 0, "") }
            }
            _ = cmpi_errors_return()
            var r: Int32 = 0, s: Int32 = 0
            _ = cmpi_rank(&r)
            _ = cmpi_size(&s)
            var name = [CChar](repeating: 0, count: 256)
            cmpi_processor_name(&name, Int32(name.count))
            return (cmpi_success(), provided, r, s, String(cString: name))
        }
        guard code == cmpi_success() else { throw MPIError("MPI_Init_thread failed: \(errorString(code))") }
        let support = ThreadSupport(mpi: level)
        guard support >= .funneled else {
            throw MPIError("MPI granted \(support) but workbench needs at least MPI_THREAD_FUNNELED "
                           + "(its communication thread calls MPI while training threads compute)")
        }
        return MPIProcessGroup(rank: Int(rank), worldSize: Int(size), timeout: timeout, threadSupport: support,
                               hostName: host, comm: comm)
    }

    private init(rank: Int, worldSize: Int, timeout: Double, threadSupport: ThreadSupport, hostName: String,
                 comm: CommunicationThread) {
        self.rank = rank
        self.worldSize = worldSize
        self.timeout = timeout
        self.threadSupport = threadSupport
        self.hostName = hostName
        self.comm = comm
    }

    static func errorString(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 512)
        cmpi_error_string(code, &text, Int32(text.count))
        return String(cString: text) + " (MPI error \(code))"
    }

    // MARK: - Collectives

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        startAllReduceSum(buffer).wait()
    }

    public func allReduceSum(_ values: inout [Double]) {
        let count = values.count
        values.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            let p = UnsafeMutablePointer(base)
            run("allreduce of \(count) doubles") { cmpi_iallreduce_sum_double(p, Int32(count), &$0) }.wait()
        }
    }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> any CollectiveWork {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return CompletedWork() }
        let count = buffer.count
        precondition(count <= Int(Int32.max), "allreduce: \(count) floats is more than one MPI call carries")
        return run("allreduce of \(count) floats (\(count * 4) bytes)") { cmpi_iallreduce_sum_float(base, Int32(count), &$0) }
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let count = buffer.count
        run("broadcast of \(count) bytes from rank \(root)") { cmpi_ibcast_bytes(base, Int32(count), Int32(root), &$0) }.wait()
    }

    public func allGather(_ values: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count * worldSize)
        let count = values.count
        values.withUnsafeBufferPointer { send in
            out.withUnsafeMutableBufferPointer { receive in
                guard let s = send.baseAddress, let r = receive.baseAddress else { return }
                run("allgather of \(count) floats") { cmpi_iallgather_float(s, Int32(count), r, &$0) }.wait()
            }
        }
        return out
    }

    public func barrier() {
        run("barrier") { cmpi_ibarrier(&$0) }.wait()
    }

    public func abort(_ message: String) -> Never {
        abortLock.lock(); abortMessage = message; abortLock.unlock()
        // The communication thread aborts at its next poll, or at once when idle.
        comm.submit { [self] in self.abortNow(message) }
        Thread.sleep(forTimeInterval: 10)
        FileHandle.standardError.write(Data("error: \(rankDescription): \(message) (MPI_Abort did not end the job; exiting)\n".utf8))
        exit(1)
    }

    /// Shuts MPI down after a barrier (every rank must call it before exiting normally).
    public func finalize() {
        guard !finalized else { return }
        barrier()
        finalized = true
        _ = comm.sync { cmpi_finalize() }
    }

    /// Starts a non-blocking collective on the communication thread and polls it to completion.
    private func run(_ name: String, _ start: @escaping (inout MPI_Request?) -> Int32) -> MPIWork {
        let work = MPIWork()
        comm.submit { [self] in
            let t0 = DispatchTime.now().uptimeNanoseconds
            var request: MPI_Request? = cmpi_request_null()
            let rc = start(&request)
            if rc != cmpi_success() { abortNow("\(name) failed: \(Self.errorString(rc))") }
            var done: Int32 = 0
            var polls = 0
            while true {
                let trc = cmpi_test(&request, &done)
                if trc != cmpi_success() { abortNow("\(name) failed: \(Self.errorString(trc))") }
                if done != 0 { break }
                polls += 1
                if polls > 2000 {
                    // After ~a millisecond of polling (large messages progress only inside
                    // MPI_Test), sleep 10–50 µs between polls instead of spinning a core.
                    usleep(useconds_t(Swift.min(50, 10 + (polls - 2000) / 100)))
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    if elapsed > timeout {
                        abortNow("\(name) did not complete within \(Int(timeout)) s — another rank has failed or stalled "
                                 + "(its own error, if any, is printed above); aborting the job")
                    }
                    abortLock.lock(); let pending = abortMessage; abortLock.unlock()
                    if let pending { abortNow(pending) }
                }
            }
            work.complete(seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return work
    }

    /// Prints `message` for this rank and ends the job (called on the communication thread).
    private func abortNow(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(rankDescription) (\(hostName)): \(message)\n".utf8))
        _ = cmpi_abort(1)
        exit(1)
    }
}

/// A collective started on the communication thread.
final class MPIWork: CollectiveWork, @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var finished = false
    private var _seconds = 0.0

    func complete(seconds: Double) {
        lock.lock(); _seconds = seconds; finished = true; lock.unlock()
        done.signal()
    }

    func wait() {
        lock.lock(); let f = finished; lock.unlock()
        if f { return }
        done.wait()
        done.signal()  // later waits return at once
    }

    var seconds: Double { lock.lock(); defer { lock.unlock() }; return _seconds }
}

/// MPI could not start as workbench needs it.
public struct MPIError: TensorsError, Sendable {
    /// The whole message.
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
