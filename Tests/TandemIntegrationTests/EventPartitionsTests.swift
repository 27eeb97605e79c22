import Foundation
import PostgresNIO
import TandemCore
import TandemStore
import Testing

@Suite("Event partitions: created ahead, dropped after the retention")
struct EventPartitionsTests {
    func existing(_ store: Store) async throws -> Set<String> {
        var names = Set<String>()
        for try await name in try await store.database.client.query(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass"
        ).decode(String.self) { names.insert(name) }
        return names
    }

    @Test("days in the retention and three ahead exist; as time passes old days and their pair statistics go")
    func createAheadAndRetention() async throws {
        try await TestDatabase.withStore { store, _ in
            let partitions = EventPartitions(database: store.database, policy: .init(retentionDays: 2), logger: TestDatabase.logger)
            let day = EventPartitions.dayStart(containing: Date(timeIntervalSince1970: 1_790_000_000))
            let created = try await partitions.maintain(now: day.addingTimeInterval(3_600)).created
            let expected = (-2...3).map { EventPartitions.name(of: day.addingTimeInterval(Double($0) * 86_400)) }
            #expect(Set(created) == Set(expected))
            #expect(try await existing(store) == Set(expected))

            // A pair-statistics row on the first retained day.
            let line = DeliveryLine(
                tenant: .random(), group: .random(), connector: .random(), sourceDevice: "10.0.0.1", channel: .controller)
            var row = PairStatistics(line: line, minuteMicros: Int64(day.addingTimeInterval(-2 * 86_400).timeIntervalSince1970) * 1_000_000)
            row.delivered = 1
            try await store.pairStatistics.add([row])

            // Two days later: the two oldest days leave, two new ones come ahead.
            let later = try await partitions.maintain(now: day.addingTimeInterval(2 * 86_400 + 60))
            #expect(Set(later.dropped) == Set(expected.prefix(2)))
            #expect(later.created.count == 2)
            #expect(try await partitions.maintain(now: day.addingTimeInterval(2 * 86_400 + 60)) == ([], []))
            var remaining = -1
            for try await count in try await store.database.client.query("SELECT count(*) FROM pair_statistics").decode(Int.self) {
                remaining = count
            }
            #expect(remaining == 0)
        }
    }
}
