import TandemCore
import TandemStore

/// One flush of the ``EventPipeline``: which copies it writes, which wait for another flush
/// writing the same event, and what became of each. The ``PipelineStateMachine`` fills it in;
/// the pipeline writes what it says and answers the batches from it.
struct FlushPlan<Flight: AnyObject> {
    /// A copy of an event in a flush: its record, its batch and place there, its delivery line.
    struct Copy {
        let record: EventRecord
        let submission: Int
        let index: Int
        let line: UInt32
    }

    /// Per batch, per record: the outcome once known (`nil`: not yet).
    var outcomes: [[EventOutcome?]]
    /// The copies this flush writes.
    var toWrite: [Copy] = []
    /// The copies waiting for another flush that is writing their event.
    var waiting: [(copy: Copy, flight: Flight)] = []
    /// Per batch: the copies the window answered as duplicates.
    var windowHits: [Int]
    /// Per batch: the copies a flush in flight answered as duplicates.
    var inFlightHits: [Int]
    /// Per batch: the error that failed it (it is not acked).
    var failures: [Int: any Error] = [:]
    /// Per batch: when it arrived (the machine's milliseconds).
    let arrivals: [UInt32]

    init(recordCounts: [Int], arrivals: [UInt32]) {
        outcomes = recordCounts.map { [EventOutcome?](repeating: nil, count: $0) }
        windowHits = [Int](repeating: 0, count: recordCounts.count)
        inFlightHits = windowHits
        self.arrivals = arrivals
    }

    /// The batches with a copy waiting for another flush: answered once those are settled.
    var held: Set<Int> { Set(waiting.map(\.copy.submission)) }

    /// The batches at `indices` that did not fail.
    func answered(_ indices: [Int]) -> [Int] { indices.filter { failures[$0] == nil } }

    /// Fails every batch with a copy among `copies` that has not failed yet.
    mutating func fail(_ copies: [Copy], with error: any Error) {
        for copy in copies where failures[copy.submission] == nil { failures[copy.submission] = error }
    }

    /// How the flush ended for the identities it was writing, for the flushes waiting on it.
    var ended: FlushOutcome {
        var ended = FlushOutcome()
        for copy in toWrite {
            if failures[copy.submission] != nil {
                ended.failed.insert(copy.record.identity)
            } else if outcomes[copy.submission][copy.index] == .quarantined {
                ended.quarantined.insert(copy.record.identity)
            }
        }
        return ended
    }
}

/// How a flush ended for the identities it was writing: every one is durable except those in
/// `failed`; those in `quarantined` went to quarantine. Both are empty for a usual flush.
struct FlushOutcome: Sendable {
    var failed: Set<EventIdentity> = []
    var quarantined: Set<EventIdentity> = []
}

extension FlushPlan: Sendable where Flight: Sendable {}
extension FlushPlan.Copy: Sendable {}
