public import Logging
public import ServiceLifecycle
import Synchronization

/// Work a stream leaves behind when it ends, run in the node's own task group instead of a
/// detached task: the bookkeeping after a data stream, the cleanup after a control stream, the
/// loss recorded once a broken stream's reconnect grace has passed.
///
/// A stream's own task is cancelled when its connector hangs up, so what must still happen
/// after it is handed over here; the node's shutdown waits for it within its one bound (this
/// service starts before the gRPC listener, so it stops after the last stream has ended). A
/// job with a delay is a judgement a draining node must not make: graceful shutdown ends its
/// wait and the job is dropped. Every job handed over runs, even when the node is cancelled
/// (then in a cancelled task), so nothing waiting for one hangs.
public final class DeferredWork: Service, Sendable {
    private struct Job: Sendable {
        let delay: Duration
        let work: @Sendable () async -> Void
    }

    private struct State {
        var jobs: [UInt64: Job] = [:]
        var next: UInt64 = 0
        /// Set once ``run()`` takes no more jobs: later ones are refused.
        var closed = false
    }

    private let state = Mutex(State())
    /// Wake-ups for ``run()``: the number of a job handed over.
    private let handedOver: AsyncStream<UInt64>
    private let wake: AsyncStream<UInt64>.Continuation
    private let logger: Logger

    public init(logger: Logger) {
        (handedOver, wake) = AsyncStream.makeStream()
        self.logger = logger
    }

    /// Runs the jobs handed over until graceful shutdown (or cancellation), then the ones still
    /// waiting, and waits for all of them.
    public func run() async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await number in handedOver {
                    if let job = state.withLock({ $0.jobs.removeValue(forKey: number) }) { group.addTask { await Self.run(job) } }
                }
            } onGracefulShutdown: {
                self.wake.finish()
            }
            let leftovers = state.withLock { state in
                state.closed = true
                defer { state.jobs = [:] }
                return state.jobs.sorted { $0.key < $1.key }.map(\.value)
            }
            for job in leftovers { group.addTask { await Self.run(job) } }
        }
    }

    private static func run(_ job: Job) async {
        if job.delay > .zero {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: job.delay) }
            } catch {
                return
            }
        }
        await job.work()
    }

    /// Hands `job` over; `false` once ``run()`` has ended.
    private func handOver(_ job: Job) -> Bool {
        let number = state.withLock { state -> UInt64? in
            guard !state.closed else { return nil }
            defer { state.next += 1 }
            state.jobs[state.next] = job
            return state.next
        }
        guard let number else { return false }
        wake.yield(number)
        return true
    }

    /// Runs `work` after `delay` in the node's task group; once this service has ended it is
    /// dropped (logged), since nothing would wait for it.
    public func enqueue(after delay: Duration = .zero, _ work: @escaping @Sendable () async -> Void) {
        if !handOver(Job(delay: delay, work: work)) {
            logger.debug("deferred work dropped: the node has shut down")
        }
    }

    /// Runs `work` in the node's task group and waits until it is done: it completes even if the
    /// caller is cancelled meanwhile. Once this service has ended, it runs in the caller's task.
    public func perform(_ work: @escaping @Sendable () async -> Void) async {
        let accepted = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let job = Job(delay: .zero) {
                await work()
                done.resume(returning: true)
            }
            if !handOver(job) { done.resume(returning: false) }
        }
        if !accepted { await work() }
    }
}
