public import Logging
public import ServiceLifecycle

/// Work a stream leaves behind when it ends, run in the node's own task group instead of a
/// detached task: the bookkeeping after a data stream, the cleanup after a control stream, the
/// loss recorded once a broken stream's reconnect grace has passed.
///
/// A stream's own task is cancelled when its connector hangs up, so what must still happen
/// after it is handed over here; the node's shutdown waits for it within its one bound (this
/// service starts before the gRPC listener, so it stops after the last stream has ended). A
/// job with a delay is a judgement a draining node must not make: graceful shutdown ends its
/// wait and the job is dropped.
public final class DeferredWork: Service, Sendable {
    private struct Job: Sendable {
        let delay: Duration
        let work: @Sendable () async -> Void
    }

    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation
    private let logger: Logger

    public init(logger: Logger) {
        (jobs, queue) = AsyncStream.makeStream()
        self.logger = logger
    }

    /// Runs the jobs handed over until graceful shutdown, then the ones still running.
    public func run() async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await job in jobs {
                    group.addTask {
                        if job.delay > .zero {
                            do {
                                try await cancelWhenGracefulShutdown { try await Task.sleep(for: job.delay) }
                            } catch {
                                return
                            }
                        }
                        await job.work()
                    }
                }
            } onGracefulShutdown: {
                self.queue.finish()
            }
        }
    }

    /// Runs `work` after `delay` in the node's task group; after shutdown began it is dropped
    /// (logged), since nothing would wait for it.
    public func enqueue(after delay: Duration = .zero, _ work: @escaping @Sendable () async -> Void) {
        if case .terminated = queue.yield(Job(delay: delay, work: work)) {
            logger.debug("deferred work dropped: the node is shutting down")
        }
    }

    /// Runs `work` in the node's task group and waits until it is done: it completes even if the
    /// caller is cancelled meanwhile. Once this service has stopped, it runs in the caller's task.
    public func perform(_ work: @escaping @Sendable () async -> Void) async {
        let accepted = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let job = Job(delay: .zero) {
                await work()
                done.resume(returning: true)
            }
            if case .terminated = queue.yield(job) { done.resume(returning: false) }
        }
        if !accepted { await work() }
    }
}
