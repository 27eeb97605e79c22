import TandemCore
import TandemStore

extension PipelineStateMachine {
    /// A flush of `batch` begins at server time `serverTimeMicros`: the window answers copies of
    /// events known to be durable; a copy of an event another flush is writing waits for that
    /// flush; the rest are this `flight`'s to write (and other flushes' copies wait for it).
    mutating func beginFlush(_ batch: [Submission], as flight: Flight, serverTimeMicros: Int64) -> FlushPlan<Flight> {
        var plan = FlushPlan<Flight>(recordCounts: batch.map(\.records.count), arrivals: batch.map(\.arrivalMillis))
        deduplicator.advanceClock(serverTimeMicros: serverTimeMicros)
        for (s, submission) in batch.enumerated() {
            for (r, record) in submission.records.enumerated() {
                let arrival = deduplicator.arrive(
                    record.deliveryLine, identity: record.identity, deviceTimeMicros: record.event.deviceTimeMicros,
                    arrivalMillis: submission.arrivalMillis)
                if arrival.isKnownDuplicate {
                    plan.outcomes[s][r] = .duplicate
                    plan.windowHits[s] += 1
                    continue
                }
                let copy = FlushPlan<Flight>.Copy(record: record, submission: s, index: r, line: arrival.line)
                if let other = writing[record.identity] {
                    if other !== flight {
                        plan.waiting.append((copy, other))
                        deduplicator.awaits(record.identity, line: arrival.line, deviceTimeMicros: record.event.deviceTimeMicros)
                        continue
                    }
                } else {
                    writing[record.identity] = flight
                }
                plan.toWrite.append(copy)
            }
        }
        copiesWaiting += plan.waiting.count
        return plan
    }

    /// `copies` were written with `written` outcomes (in order): their outcomes go into `plan`,
    /// and the window learns of the durable ones (stored copies first, so a duplicate of the
    /// same write finds its entry).
    mutating func written(_ copies: [FlushPlan<Flight>.Copy], outcomes written: [EventOutcome], plan: inout FlushPlan<Flight>) {
        for settleStored in [true, false] {
            for (copy, outcome) in zip(copies, written) where outcome == (settleStored ? .stored : .duplicate) {
                plan.outcomes[copy.submission][copy.index] = outcome
                deduplicator.settle(
                    copy.record.identity, line: copy.line, deviceTimeMicros: copy.record.event.deviceTimeMicros,
                    arrivalMillis: plan.arrivals[copy.submission], stored: settleStored)
            }
        }
        for (copy, outcome) in zip(copies, written) where outcome == .quarantined {
            plan.outcomes[copy.submission][copy.index] = .quarantined
        }
    }

    /// The flush's identities are no longer in flight: how it ended, for the flushes waiting on it.
    mutating func endFlush(_ plan: FlushPlan<Flight>) -> FlushOutcome {
        for copy in plan.toWrite { writing.removeValue(forKey: copy.record.identity) }
        return plan.ended
    }

    /// The flushes the plan's waiting copies waited for have ended (`ended` tells how each did):
    /// a copy is a duplicate where its event became durable, quarantined where it was
    /// quarantined. Returns the copies whose flush failed, for this flush to write.
    mutating func settleWaiting(_ plan: inout FlushPlan<Flight>, ended: (Flight) -> FlushOutcome) -> [FlushPlan<Flight>.Copy] {
        copiesWaiting -= plan.waiting.count
        var retry: [FlushPlan<Flight>.Copy] = []
        for (copy, flight) in plan.waiting {
            let there = ended(flight)
            if there.failed.contains(copy.record.identity) {
                retry.append(copy)
            } else if there.quarantined.contains(copy.record.identity) {
                plan.outcomes[copy.submission][copy.index] = .quarantined
            } else {
                plan.outcomes[copy.submission][copy.index] = .duplicate
                deduplicator.settle(
                    copy.record.identity, line: copy.line, deviceTimeMicros: copy.record.event.deviceTimeMicros,
                    arrivalMillis: plan.arrivals[copy.submission], stored: false, awaited: true)
                plan.inFlightHits[copy.submission] += 1
            }
        }
        return retry
    }

    /// The pair statistics gathered since the last call.
    mutating func drainStatistics() -> [PairStatistics] {
        deduplicator.drainStatistics()
    }
}
