import Foundation
import TandemCore
import TandemStore
import Testing

@testable import TandemIngest

/// The pipeline's rules step by step, without tasks, locks or sleeps: the door, the queue,
/// the writers, the stop, and a flush's copies against the window and the flushes in flight.
@Suite("Pipeline state machine (table tests, manual clock)")
struct PipelineStateMachineTests {
    /// A flush others may wait for, told apart by identity.
    final class Flight {}

    /// Answers and waiters are plain numbers here: the test reads which ones the machine returns.
    typealias Machine = PipelineStateMachine<Int, Int, Flight, ManualClock>

    static let tenants = EventPipelineTests.tenants
    static let connectors = EventPipelineTests.connectors

    static func machine(
        perTenant: Int = 10, total: Int = 25, flush: Int = 100, delay: Duration = .zero, clock: ManualClock = ManualClock()
    ) -> Machine {
        let limits = Machine.Limits(
            maximumFlushEvents: flush, maximumPendingEvents: total, maximumPendingEventsPerTenant: perTenant, flushDelay: delay)
        return Machine(limits: limits, window: DedupWindow.Configuration(), start: clock.now)
    }

    struct DoorCase: CustomTestStringConvertible, Sendable {
        let name: String
        /// Events queued per tenant (0 and 1) before the question.
        let queued: (Int, Int)
        let asking: Int
        let admits: Bool
        var testDescription: String { name }
    }

    @Test(
        "the door: within both bounds, or with nothing of its tenant waiting, a batch enters; otherwise it waits",
        arguments: [
            DoorCase(name: "empty pipeline", queued: (0, 0), asking: 0, admits: true),
            DoorCase(name: "below the tenant's bound", queued: (9, 0), asking: 0, admits: true),
            DoorCase(name: "at the tenant's bound", queued: (10, 0), asking: 0, admits: false),
            DoorCase(name: "another tenant at its bound", queued: (10, 0), asking: 1, admits: true),
            DoorCase(name: "pipeline full, tenant has some waiting", queued: (10, 15), asking: 1, admits: false),
            DoorCase(name: "pipeline full, tenant has nothing waiting", queued: (25, 0), asking: 1, admits: true),
        ])
    func door(_ row: DoorCase) {
        var machine = Self.machine(perTenant: 10, total: 25)
        let clock = ManualClock()
        for (tenant, count) in [(Self.tenants.0, row.queued.0), (Self.tenants.1, row.queued.1)] where count > 0 {
            _ = machine.submit(EventPipelineTests.batch(count, tenant: tenant), tenant: tenant, answer: 0, now: clock.now)
        }
        let tenant = row.asking == 0 ? Self.tenants.0 : Self.tenants.1
        #expect(machine.admits(tenant) == row.admits)
    }

    @Test("a held submitter is let in when a writer takes a batch, or leaves when cancelled; a cancelled one is never held")
    func heldSubmitters() {
        var machine = Self.machine(perTenant: 10)
        let clock = ManualClock()
        let tenant = Self.tenants.0
        _ = machine.submit(EventPipelineTests.batch(10), tenant: tenant, answer: 1, now: clock.now)
        let first = machine.ticket()
        let firstHeld = machine.hold(100, number: first, tenant: tenant, cancelled: false)
        #expect(firstHeld)
        let second = machine.ticket()
        let cancelledHeld = machine.hold(101, number: second, tenant: tenant, cancelled: true)
        #expect(!cancelledHeld, "cancelled: not held")
        let third = machine.ticket()
        let thirdHeld = machine.hold(102, number: third, tenant: tenant, cancelled: false)
        #expect(thirdHeld)
        #expect(machine.heldCount == 2)
        let cancelled = machine.cancelHold(third)
        #expect(cancelled == 102)
        let cancelledAgain = machine.cancelHold(third)
        #expect(cancelledAgain == nil, "already gone")
        guard case .flush(let batch, let admitted, let pending, let gather) = machine.writerReady(now: clock.now) else {
            Issue.record("a writer with a batch waiting flushes")
            return
        }
        #expect(batch.map(\.answer) == [1])
        #expect(admitted == [100])
        #expect(pending == 0)
        #expect(gather == nil, "no flush delay")
        #expect(machine.heldCount == 0)
    }

    @Test("writers: flush whole batches tenant by tenant up to the flush size, park when idle, are woken by a batch, finish after stop")
    func writers() {
        var machine = Self.machine(perTenant: 100, total: 1_000, flush: 10)
        let clock = ManualClock()
        let idle = machine.writerReady(now: clock.now)
        #expect(isPark(idle))
        let parked = machine.park(7)
        #expect(parked)
        guard
            case .queued(let wake, let pending) = machine.submit(
                EventPipelineTests.batch(6), tenant: Self.tenants.0, answer: 1, now: clock.now)
        else {
            Issue.record("queued")
            return
        }
        #expect(wake == 7)
        #expect(pending == 6)
        _ = machine.submit(EventPipelineTests.batch(6, from: 6), tenant: Self.tenants.0, answer: 2, now: clock.now)
        _ = machine.submit(EventPipelineTests.batch(3, tenant: Self.tenants.1), tenant: Self.tenants.1, answer: 3, now: clock.now)
        guard case .flush(let first, _, let left, _) = machine.writerReady(now: clock.now) else {
            Issue.record("flush")
            return
        }
        #expect(first.map(\.answer) == [1, 3], "tenant by tenant, whole batches, at most 10 events")
        #expect(left == 6)
        let parkedWithWork = machine.park(8)
        #expect(!parkedWithWork, "a batch waits: the writer looks again")
        let stopped = machine.stop()
        #expect(stopped == [])
        guard case .flush(let second, _, _, _) = machine.writerReady(now: clock.now) else {
            Issue.record("a stopped pipeline still drains")
            return
        }
        #expect(second.map(\.answer) == [2])
        let drained = machine.writerReady(now: clock.now)
        #expect(isFinish(drained))
        guard case .refuse(let refused) = machine.submit(EventPipelineTests.batch(1), tenant: Self.tenants.0, answer: 4, now: clock.now)
        else {
            Issue.record("after stop a batch is refused")
            return
        }
        #expect(refused == 4)
    }

    @Test("stop hands back the idle writers and the held submitters, once")
    func stop() {
        var machine = Self.machine(perTenant: 5)
        let clock = ManualClock()
        let parked = machine.park(1)
        #expect(parked)
        _ = machine.submit(EventPipelineTests.batch(5), tenant: Self.tenants.0, answer: 0, now: clock.now)
        let number = machine.ticket()
        let held = machine.hold(2, number: number, tenant: Self.tenants.0, cancelled: false)
        #expect(held)
        let resumed = machine.stop()
        #expect(Set(resumed) == [2], "the writer was woken by the batch already")
        let resumedAgain = machine.stop()
        #expect(resumedAgain == [])
        #expect(machine.admits(Self.tenants.0), "a stopped pipeline lets everyone in, to refuse them")
    }

    @Test("the flush delay: a small batch gathers more until the clock reaches its deadline; arrivals are dated by the clock")
    func flushDelay() {
        let clock = ManualClock()
        var machine = Self.machine(perTenant: 100, total: 100, flush: 10, delay: .milliseconds(5), clock: clock)
        clock.advance(by: .milliseconds(1_500))
        _ = machine.submit(EventPipelineTests.batch(4), tenant: Self.tenants.0, answer: 1, now: clock.now)
        guard case .flush(let batch, _, _, let gatherUntil) = machine.writerReady(now: clock.now) else {
            Issue.record("flush")
            return
        }
        #expect(batch.first?.arrivalMillis == 1_500)
        #expect(gatherUntil == clock.now.advanced(by: .milliseconds(5)))
        clock.advance(by: .milliseconds(5))
        _ = machine.submit(EventPipelineTests.batch(4, from: 4), tenant: Self.tenants.0, answer: 2, now: clock.now)
        _ = machine.submit(EventPipelineTests.batch(4, from: 8), tenant: Self.tenants.0, answer: 3, now: clock.now)
        let gathered = machine.gather(onto: batch)
        #expect(gathered.batch.map(\.answer) == [1, 2], "up to the flush size, whole batches")
        #expect(gathered.batch.last?.arrivalMillis == 1_505)
        #expect(gathered.pending == 4)
    }

    struct InFlightCase: CustomTestStringConvertible, Sendable {
        let name: String
        /// How the first flush ends for its copies.
        let firstFails: Bool
        let firstQuarantines: Bool
        let peerOutcome: EventOutcome?
        let retried: Bool
        var testDescription: String { name }
    }

    @Test(
        "a copy another flush is writing waits for it: a duplicate when that flush made it durable, quarantined with it, written again when it failed",
        arguments: [
            InFlightCase(name: "durable there", firstFails: false, firstQuarantines: false, peerOutcome: .duplicate, retried: false),
            InFlightCase(name: "quarantined there", firstFails: false, firstQuarantines: true, peerOutcome: .quarantined, retried: false),
            InFlightCase(name: "failed there", firstFails: true, firstQuarantines: false, peerOutcome: nil, retried: true),
        ])
    func copiesInFlight(_ row: InFlightCase) {
        let clock = ManualClock()
        var machine = Self.machine(perTenant: 100, total: 100)
        _ = machine.submit(EventPipelineTests.batch(2), tenant: Self.tenants.0, answer: 1, now: clock.now)
        guard case .flush(let first, _, _, _) = machine.writerReady(now: clock.now) else { return }
        let firstFlight = Flight()
        var firstPlan = machine.beginFlush(first, as: firstFlight, serverTimeMicros: 1_795_651_200_000_000)
        #expect(firstPlan.toWrite.count == 2)

        _ = machine.submit(EventPipelineTests.batch(2, connector: Self.connectors.1), tenant: Self.tenants.0, answer: 2, now: clock.now)
        guard case .flush(let peer, _, _, _) = machine.writerReady(now: clock.now) else { return }
        var peerPlan = machine.beginFlush(peer, as: Flight(), serverTimeMicros: 1_795_651_200_000_000)
        #expect(peerPlan.toWrite.isEmpty, "the peer's copies are being written by the first flush")
        #expect(peerPlan.waiting.count == 2)
        #expect(peerPlan.held == [0])
        #expect(machine.copiesWaiting == 2)

        if row.firstFails {
            firstPlan.fail(firstPlan.toWrite, with: StoreError(.unavailable, "test"))
        } else {
            machine.written(firstPlan.toWrite, outcomes: [row.firstQuarantines ? .quarantined : .stored, .stored], plan: &firstPlan)
        }
        let ended = machine.endFlush(firstPlan)
        #expect(machine.writing.isEmpty)
        let retry = machine.settleWaiting(&peerPlan) { $0 === firstFlight ? ended : FlushOutcome() }
        #expect(machine.copiesWaiting == 0)
        #expect(peerPlan.outcomes[0][0] == row.peerOutcome)
        #expect((retry.count == 2) == row.retried)
        #expect(peerPlan.inFlightHits[0] == (row.retried ? 0 : row.firstQuarantines ? 1 : 2))
    }

    @Test("once durable, a peer's copy is answered by the window without a write")
    func windowAnswers() {
        let clock = ManualClock()
        var machine = Self.machine(perTenant: 100, total: 100)
        _ = machine.submit(EventPipelineTests.batch(3), tenant: Self.tenants.0, answer: 1, now: clock.now)
        guard case .flush(let first, _, _, _) = machine.writerReady(now: clock.now) else { return }
        var plan = machine.beginFlush(first, as: Flight(), serverTimeMicros: 1_795_651_200_000_000)
        machine.written(plan.toWrite, outcomes: [.stored, .stored, .stored], plan: &plan)
        _ = machine.endFlush(plan)
        _ = machine.submit(EventPipelineTests.batch(3, connector: Self.connectors.1), tenant: Self.tenants.0, answer: 2, now: clock.now)
        guard case .flush(let peer, _, _, _) = machine.writerReady(now: clock.now) else { return }
        let peerPlan = machine.beginFlush(peer, as: Flight(), serverTimeMicros: 1_795_651_200_000_000)
        #expect(peerPlan.toWrite.isEmpty)
        #expect(peerPlan.windowHits == [3])
        #expect(peerPlan.outcomes == [[.duplicate, .duplicate, .duplicate]])
        let statistics = machine.drainStatistics()
        #expect(statistics.reduce(0) { $0 + $1.delivered } == 6, "both members delivered three")
        #expect(statistics.reduce(0) { $0 + $1.missed } == 0)
    }

    private func isPark(_ action: Machine.WriterAction) -> Bool {
        if case .park = action { return true }
        return false
    }

    private func isFinish(_ action: Machine.WriterAction) -> Bool {
        if case .finish = action { return true }
        return false
    }
}
