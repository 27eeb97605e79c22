/// The deduplication window plus the pair statistics computed from it.
///
/// Its owner calls ``arrive(_:identity:deviceTimeMicros:arrivalMillis:)`` for every copy as
/// it comes in, writes the copies the window doesn't know to the database, then reports each
/// durable one with ``settle(_:line:deviceTimeMicros:arrivalMillis:stored:)``.
/// ``drainStatistics()`` hands over the counts gathered since the last drain.
///
/// Statistics come from the window, never from the events table: delivered, first and
/// duplicate copies are counted as they arrive; copy lag when a second line's copy meets the
/// entry of the first; missed events when a segment leaves the window with entries that only
/// one line delivered although a peer line was carrying that source around that time. A pure
/// value: no I/O, no clock, no locking.
public struct Deduplicator: Sendable {
    /// What the window knows of an arriving copy.
    public struct Arrival: Sendable {
        /// The number of the copy's delivery line, to pass to ``Deduplicator/settle(_:line:deviceTimeMicros:arrivalMillis:stored:)``.
        public let line: UInt32
        /// `true` when the event is known to be durable already: this copy needs no write.
        public let isKnownDuplicate: Bool
    }

    private struct TallyKey: Hashable {
        let line: UInt32
        let minuteMicros: Int64
    }

    /// The window (for its size and counters).
    public private(set) var window: DedupWindow
    private var lines: [DeliveryLine?] = []
    private var lineNumbers: [DeliveryLine: UInt32] = [:]
    private var freeLines: [UInt32] = []
    /// Per line number: whether a copy arrived or settled on it since the last drain.
    private var touched: [Bool] = []
    private var peers: [DeliveryLine.Source: [UInt32]] = [:]
    /// Per line and window segment: the first and last position it delivered.
    private var coverage: [UInt32: [Int64: ClosedRange<UInt16>]] = [:]
    private var tallies: [TallyKey: PairStatistics] = [:]
    /// Copies waiting for another flush that writes the same event (``awaits(_:line:deviceTimeMicros:)``),
    /// not settled yet, by identity: the lines they came on and their segment. A segment that
    /// leaves the window while a line's copy of one of its events is still on its way has not
    /// been missed by that line: under concurrent flushes (another group's newer events move the
    /// window on), the first copy can be settled and its segment gone before the peer's copy,
    /// waiting on that write, is settled.
    private var unsettled: [EventIdentity: Unsettled] = [:]

    /// The lines of an event's copies on their way, as a multiset: two inline (a pair's), more
    /// (a resend, a larger group) in an array made only then, so the common case allocates nothing.
    private struct Unsettled {
        static let none = UInt32.max
        let segment: Int64
        var first: UInt32
        var second = Unsettled.none
        var more: [UInt32]?

        init(segment: Int64, line: UInt32) {
            self.segment = segment
            self.first = line
        }

        var isEmpty: Bool { first == Self.none }

        func contains(_ line: UInt32) -> Bool { first == line || second == line || more?.contains(line) == true }

        mutating func add(_ line: UInt32) {
            if first == Self.none {
                first = line
            } else if second == Self.none {
                second = line
            } else {
                more = (more ?? []) + [line]
            }
        }

        /// Removes one copy of `line`, if any.
        mutating func remove(_ line: UInt32) {
            if first == line {
                first = second
                second = more?.popLast() ?? Self.none
            } else if second == line {
                second = more?.popLast() ?? Self.none
            } else if let index = more?.firstIndex(of: line) {
                more?.remove(at: index)
            }
        }
    }

    public init(configuration: DedupWindow.Configuration = .init()) {
        window = DedupWindow(configuration: configuration)
    }

    /// Bounds the window by the server's clock (see ``DedupWindow/advanceClock(serverTimeMicros:)``).
    public mutating func advanceClock(serverTimeMicros: Int64) {
        window.advanceClock(serverTimeMicros: serverTimeMicros)
    }

    /// Counts a copy arriving on `line` and asks the window whether it is known to be durable.
    public mutating func arrive(
        _ line: DeliveryLine, identity: EventIdentity, deviceTimeMicros: Int64, arrivalMillis: UInt32
    ) -> Arrival {
        let number = self.number(of: line)
        touched[Int(number)] = true
        let (segment, position) = window.locate(deviceTimeMicros)
        // Coverage only of segments the window can hold: far-future or ancient device times
        // would otherwise leave entries that no departing segment ever clears.
        if window.spans(segment) {
            // In place, through indices: `coverage[number, default: [:]][segment] = …` looked the
            // keys up twice and allocated for the defaults, on every event.
            if let line = coverage.index(forKey: number) {
                if let known = coverage.values[line].index(forKey: segment) {
                    let range = coverage.values[line].values[known]
                    coverage.values[line].values[known] = min(range.lowerBound, position)...max(range.upperBound, position)
                } else {
                    coverage.values[line][segment] = position...position
                }
            } else {
                coverage[number] = [segment: position...position]
            }
        }
        tally(number, PairStatistics.minute(of: deviceTimeMicros)) { $0.delivered += 1 }
        let known = observeDuplicate(identity, line: number, deviceTimeMicros: deviceTimeMicros, arrivalMillis: arrivalMillis)
        return Arrival(line: number, isKnownDuplicate: known)
    }

    /// Notes that the copy of `identity` that arrived on `line` waits for another flush that
    /// writes the same event: it is on its way, and its line is not charged a miss if the
    /// event's segment leaves the window before it settles (``settle(_:line:deviceTimeMicros:arrivalMillis:stored:awaited:)``
    /// with `awaited`).
    public mutating func awaits(_ identity: EventIdentity, line: UInt32, deviceTimeMicros: Int64) {
        let segment = window.locate(deviceTimeMicros).segment
        guard window.spans(segment) else { return }
        if let index = unsettled.index(forKey: identity) {
            unsettled.values[index].add(line)
        } else {
            unsettled[identity] = Unsettled(segment: segment, line: line)
        }
    }

    /// Reports a copy made durable by a write: `stored` when its row is new, `false` when the
    /// database already had the event; `awaited` when it waited for another flush's write
    /// (``awaits(_:line:deviceTimeMicros:)``). Report the stored copies of a write before its
    /// duplicates.
    public mutating func settle(
        _ identity: EventIdentity, line: UInt32, deviceTimeMicros: Int64, arrivalMillis: UInt32, stored: Bool, awaited: Bool = false
    ) {
        touched[Int(line)] = true
        if awaited, let index = unsettled.index(forKey: identity) {
            unsettled.values[index].remove(line)
            if unsettled.values[index].isEmpty { unsettled.remove(at: index) }
        }
        // A duplicate whose entry the window has: another copy of the same write made the row.
        if !stored, observeDuplicate(identity, line: line, deviceTimeMicros: deviceTimeMicros, arrivalMillis: arrivalMillis) {
            return
        }
        tally(line, PairStatistics.minute(of: deviceTimeMicros)) { row in
            if stored { row.firstDeliveries += 1 } else { row.duplicates += 1 }
        }
        let departures = window.insert(
            identity, deviceTimeMicros: deviceTimeMicros, line: line, arrivalMillis: arrivalMillis)
        for departure in departures { account(departure) }
    }

    /// If the window holds `identity`, counts this copy as a duplicate of `line` (with its lag
    /// when it is the first copy from another line) and returns `true`.
    private mutating func observeDuplicate(
        _ identity: EventIdentity, line: UInt32, deviceTimeMicros: Int64, arrivalMillis: UInt32
    ) -> Bool {
        guard
            let before = window.observeCopy(
                identity, deviceTimeMicros: deviceTimeMicros, line: line, arrivalMillis: arrivalMillis)
        else { return false }
        tally(line, PairStatistics.minute(of: deviceTimeMicros)) { row in
            row.duplicates += 1
            if before.firstLine != line && !before.hasPeerCopy { row.recordLag(millis: before.lag(at: arrivalMillis)) }
        }
        return true
    }

    /// The statistics gathered since the last drain; lines no longer in the window are forgotten.
    public mutating func drainStatistics() -> [PairStatistics] {
        let drained = Array(tallies.values)
        tallies.removeAll(keepingCapacity: true)
        // A line is forgotten once it covers no segment of the window and had no copy since
        // the last drain (its copies may all have been outside the window's span, so it may
        // never have had coverage at all; a write in flight still holds its number).
        for index in lines.indices where !touched[index] {
            let number = UInt32(index)
            guard let line = lines[index], coverage[number]?.isEmpty ?? true else { continue }
            coverage[number] = nil
            lines[index] = nil
            lineNumbers[line] = nil
            peers[line.source]?.removeAll { $0 == number }
            if peers[line.source]?.isEmpty == true { peers[line.source] = nil }
            freeLines.append(number)
        }
        for index in touched.indices { touched[index] = false }
        return drained
    }

    /// The other lines of `line`'s source that delivered in `segment`, with the positions they covered.
    private func peers(covering segment: Int64, besides line: UInt32) -> [(peer: UInt32, positions: ClosedRange<UInt16>)] {
        guard let source = lines[Int(line)]?.source else { return [] }
        return (peers[source] ?? []).compactMap { peer in
            guard peer != line, let positions = coverage[peer]?[segment] else { return nil }
            return (peer, positions)
        }
    }

    /// Lines known now (for tests and gauges).
    public var lineCount: Int { lineNumbers.count }

    private mutating func number(of line: DeliveryLine) -> UInt32 {
        if let number = lineNumbers[line] { return number }
        let number: UInt32
        if let free = freeLines.popLast() {
            number = free
            lines[Int(free)] = line
        } else {
            number = UInt32(lines.count)
            lines.append(line)
            touched.append(false)
        }
        lineNumbers[line] = number
        peers[line.source, default: []].append(number)
        return number
    }

    private mutating func tally(_ line: UInt32, _ minute: Int64, _ update: (inout PairStatistics) -> Void) {
        let key = TallyKey(line: line, minuteMicros: minute)
        // In place: `update(&tallies[key]!)` would copy the statistics (and their buckets) out
        // and back on every event.
        if let index = tallies.index(forKey: key) {
            update(&tallies.values[index])
        } else if let delivery = lines[Int(line)] {
            var statistics = PairStatistics(line: delivery, minuteMicros: minute)
            update(&statistics)
            tallies[key] = statistics
        }
    }

    /// Counts the events of a segment that left the window with a single line's copies while a
    /// peer line covered their time, then forgets the coverage of that segment and older ones.
    ///
    /// It runs under the owner's lock, once per segment of millions of entries, so the peers
    /// that covered the segment are looked up once per line, not once per entry: an entry of
    /// a line with no such peer (an unpaired connector) costs one array read.
    private mutating func account(_ departure: DedupWindow.Departure) {
        if !departure.evicted {
            var covering = [[(peer: UInt32, positions: ClosedRange<UInt16>)]?](repeating: nil, count: lines.count)
            departure.forEachKeyedEntry { identity, entry in
                let first = Int(entry.firstLine)
                guard !entry.hasPeerCopy, covering.indices.contains(first) else { return }
                if covering[first] == nil { covering[first] = peers(covering: departure.segment, besides: entry.firstLine) }
                for (peer, positions) in covering[first] ?? [] where positions.contains(entry.position) {
                    // The peer's copy is on its way (waiting on the write that made the row): delivered.
                    if unsettled[identity]?.contains(peer) == true { continue }
                    let deviceTime = window.deviceTime(segment: departure.segment, position: entry.position)
                    tally(peer, PairStatistics.minute(of: deviceTime)) { $0.missed += 1 }
                }
            }
        }
        // Copies of events of the segment that never settled (their write failed: they come
        // again, as new arrivals) are forgotten with it.
        if !unsettled.isEmpty {
            unsettled = unsettled.filter { $0.value.segment > departure.segment }
        }
        for number in coverage.keys {
            coverage[number] = coverage[number]!.filter { $0.key > departure.segment }
        }
    }
}
