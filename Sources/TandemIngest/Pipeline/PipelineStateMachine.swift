import TandemCore
import TandemStore

/// The event pipeline's state and rules without its effects: the ``EventPipeline`` feeds it
/// what happened (a batch asks to enter, a batch is queued, a writer is free, a flush wrote,
/// a flush ended, the pipeline stops) and carries out what it answers (let a submitter in,
/// wake a writer, flush these batches, answer or refuse a batch). It never blocks, sleeps or
/// resumes anything itself, so its tests drive it step by step with a manual clock.
///
/// Generic, in the way of postgres-nio's `PoolStateMachine`, over what the runner waits with:
/// `Answer` (a submitter's reply), `Waiter` (a submitter held at the door, or an idle writer),
/// `Flight` (a flush others may wait for: compared by identity) and the `Clock` that dates
/// arrivals.
struct PipelineStateMachine<Answer, Waiter, Flight: AnyObject, Clock: _Concurrency.Clock> where Clock.Duration == Duration {
    /// One stream's batch, queued with where its answer goes.
    struct Submission {
        let records: [EventRecord]
        /// When it was queued: milliseconds since the machine began (wrapping).
        let arrivalMillis: UInt32
        let answer: Answer
    }

    /// The bounds and sizes the machine keeps to (the pipeline's configuration).
    struct Limits: Sendable {
        var maximumFlushEvents = 4_000
        var maximumPendingEvents = 100_000
        var maximumPendingEventsPerTenant = 25_000
        /// How long a writer that took fewer than ``maximumFlushEvents`` gathers more first.
        var flushDelay: Duration = .zero
    }

    /// What a queued batch leads to.
    enum SubmitAction {
        /// Queued; `wake` is an idle writer to resume; `pending` the events now waiting.
        case queued(wake: Waiter?, pending: Int)
        /// The pipeline has stopped: answer `answer` with a retryable error.
        case refuse(Answer)
    }

    /// What a free writer does.
    enum WriterAction {
        /// Flush `batch`; let the `admitted` submitters at the door check again. With
        /// `gatherUntil`, first wait until then and call ``gather(onto:)`` for more.
        case flush([Submission], admitted: [Waiter], pending: Int, gatherUntil: Clock.Instant?)
        /// Nothing waits: call ``park(_:)``.
        case park
        /// The pipeline stopped and nothing waits: the writer ends.
        case finish
    }

    private let limits: Limits
    private let start: Clock.Instant
    private var pending = FairQueue<TenantID, Submission>()
    private var idleWriters: [Waiter] = []
    /// Submitters waiting to be let in, in arrival order, each under a number of its own.
    private var held: [(number: UInt64, waiter: Waiter)] = []
    private var nextNumber: UInt64 = 0
    private var stopped = false
    /// The deduplication window and the pair statistics.
    var deduplicator: Deduplicator
    /// Identities being written by a flush now, with that flush.
    var writing: [EventIdentity: Flight] = [:]
    /// Copies whose flush waits for the flush writing their event.
    var copiesWaiting = 0

    init(limits: Limits, window: DedupWindow.Configuration, start: Clock.Instant) {
        self.limits = limits
        self.start = start
        self.deduplicator = Deduplicator(configuration: window)
    }

    // MARK: The door

    /// Whether a batch of `tenant` may join the queue now: within both bounds, or the tenant
    /// has nothing waiting (its first batch is never held by other tenants' backlog).
    func admits(_ tenant: TenantID) -> Bool {
        let waiting = pending.weight(of: tenant)
        return stopped || waiting == 0
            || (waiting < limits.maximumPendingEventsPerTenant && pending.totalWeight < limits.maximumPendingEvents)
    }

    /// A number for a submitter about to wait at the door (see ``hold(_:number:tenant:cancelled:)``).
    mutating func ticket() -> UInt64 {
        defer { nextNumber += 1 }
        return nextNumber
    }

    /// A submitter of `tenant` waits at the door with `waiter` under `number` until let in;
    /// `false` when it should look again at once instead (there is room now, or it is `cancelled`).
    mutating func hold(_ waiter: Waiter, number: UInt64, tenant: TenantID, cancelled: Bool) -> Bool {
        if admits(tenant) || cancelled { return false }
        held.append((number, waiter))
        return true
    }

    /// A held submitter was cancelled: its waiter, if it still waits, to resume.
    mutating func cancelHold(_ number: UInt64) -> Waiter? {
        held.firstIndex { $0.number == number }.map { held.remove(at: $0).waiter }
    }

    /// Submitters held at the door now.
    var heldCount: Int { held.count }

    // MARK: The queue

    /// Queues `records` (one stream's batch, of `tenant`) arriving `now`.
    mutating func submit(_ records: [EventRecord], tenant: TenantID, answer: Answer, now: Clock.Instant) -> SubmitAction {
        if stopped { return .refuse(answer) }
        let millis = UInt32(truncatingIfNeeded: start.duration(to: now).inMilliseconds)
        pending.enqueue(Submission(records: records, arrivalMillis: millis, answer: answer), key: tenant, weight: records.count)
        return .queued(wake: idleWriters.popLast(), pending: pending.totalWeight)
    }

    /// Events waiting to be flushed now.
    var pendingEvents: Int { pending.totalWeight }

    /// A writer is free at `now`: it takes whole batches up to the flush size, tenant by tenant.
    mutating func writerReady(now: Clock.Instant) -> WriterAction {
        let batch = pending.dequeue(upTo: limits.maximumFlushEvents)
        if batch.isEmpty { return stopped ? .finish : .park }
        let events = batch.reduce(0) { $0 + $1.records.count }
        let gather = events < limits.maximumFlushEvents && limits.flushDelay > .zero ? now.advanced(by: limits.flushDelay) : nil
        return .flush(batch, admitted: releaseHeld(), pending: pending.totalWeight, gatherUntil: gather)
    }

    /// After the flush delay: more batches for `batch`, up to the flush size.
    mutating func gather(onto batch: [Submission]) -> (batch: [Submission], admitted: [Waiter], pending: Int) {
        let events = batch.reduce(0) { $0 + $1.records.count }
        let more = pending.dequeue(upTo: limits.maximumFlushEvents - events)
        return (batch + more, more.isEmpty ? [] : releaseHeld(), pending.totalWeight)
    }

    /// A writer found nothing to do and waits with `waiter`; `false` when it should look again
    /// at once instead (a batch came, or the pipeline stopped, meanwhile).
    mutating func park(_ waiter: Waiter) -> Bool {
        if !pending.isEmpty || stopped { return false }
        idleWriters.append(waiter)
        return true
    }

    /// Every held submitter checks its own bounds again (they are per tenant) once room is made.
    private mutating func releaseHeld() -> [Waiter] {
        defer { held.removeAll() }
        return held.map(\.waiter)
    }

    /// Stops taking batches: the idle writers and the held submitters to resume (writers drain
    /// what waits, then finish; submitters find the pipeline stopped).
    mutating func stop() -> [Waiter] {
        stopped = true
        defer {
            idleWriters.removeAll()
            held.removeAll()
        }
        return idleWriters + held.map(\.waiter)
    }
}

extension PipelineStateMachine: Sendable where Answer: Sendable, Waiter: Sendable, Flight: Sendable {}
extension PipelineStateMachine.Submission: Sendable where Answer: Sendable {}
extension PipelineStateMachine.WriterAction: Sendable where Answer: Sendable, Waiter: Sendable {}
extension PipelineStateMachine.SubmitAction: Sendable where Answer: Sendable, Waiter: Sendable {}
