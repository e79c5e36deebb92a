import Foundation

/// The one thread that calls MPI. Jobs run on it in submission order, so
/// collectives start in the same order on every rank (MPI matches them by
/// order), and MPI needs only `MPI_THREAD_FUNNELED` support: it is
/// initialised on this thread too.
final class CommunicationThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var thread: Thread?

    /// Starts the thread.
    init() {
        let t = Thread { [unowned self] in self.loop() }
        t.name = "workbench.mpi"
        t.qualityOfService = .userInitiated
        thread = t
        t.start()
    }

    /// Runs `job` on the thread after the jobs submitted before it; returns at once.
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the thread and returns its result.
    func sync<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        var result: T?
        submit {
            result = body()
            done.signal()
        }
        done.wait()
        guard let result else { fatalError("CommunicationThread: job finished without a result") }
        return result
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
