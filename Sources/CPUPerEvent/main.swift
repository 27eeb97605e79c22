// The server-side work of the write path per batch, in process and deterministic, for a CPU
// count that noise cannot move (scripts/cpu-per-event runs it under callgrind): bytes →
// protobuf decode (DataFrameReader) → validation → identity → dedup window → SQL parameter encoding of the
// insert. No database, no sockets, no clock: every input is fixed by the seed.
//
// Each batch goes through twice, as a pair delivers it (two members, one copy each): the first
// copy's events are new and encoded for the insert, the second copy's are answered by the window.
//
//   tandem-cpu-per-event BATCHES [EVENTS_PER_BATCH]
import Foundation
import PostgresNIO
import SwiftProtobuf
import TandemCore
import TandemProtocol
import TandemStore
import TandemWire

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
guard let batches = arguments.first, batches > 0 else {
    print("usage: tandem-cpu-per-event BATCHES [EVENTS_PER_BATCH]")
    exit(2)
}
let eventsPerBatch = arguments.dropFirst().first ?? 200

/// A fixed timeline: 2026-11-26T00:00Z, one event every 100 µs.
let start: Int64 = 1_795_651_200_000_000
let tenant = TenantID(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)
let token = TokenID(UUID(uuidString: "00000000-0000-0000-0000-000000000002")!)
let members = [
    ConnectorID(UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!),
    ConnectorID(UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!),
]

/// The wire bytes of batch `number`, as a connector sends them.
func batchBytes(_ number: Int) throws -> [UInt8] {
    let message = Tandem_V1_DataMessage.with {
        $0.batch = .with { batch in
            batch.sequence = UInt64(number + 1)
            batch.events = (0..<eventsPerBatch).map { index in
                let n = number * eventsPerBatch + index
                return .with {
                    $0.channel = .controller
                    $0.sourceDevice = "172.20.239.\(n % 5 + 60)"
                    $0.kind = .clientRssi
                    $0.deviceTimeMicros = start + Int64(n) * 100
                    $0.subject = "aa:bb:cc:\(String(n % 65_536, radix: 16))"
                    $0.body = Data(#"{"rssi":-\#(40 + n % 50),"ap":"70:db:98:00:00:\#(n % 100)"}"#.utf8)
                    $0.receivedAtMicros = start + Int64(n) * 100 + 2_000
                }
            }
        }
    }
    return try message.serializedBytes()
}

/// The server's work on every batch, twice (once per member); named for callgrind's
/// `--toggle-collect`, so the input's generation above is not counted.
@_silgen_name("tandem_cpu_per_event_server_work")
@inline(never)
func serverWork(_ wire: [[UInt8]]) throws -> (duplicates: Int, encodedBinds: Int) {
    var deduplicator = Deduplicator()
    var encodedBinds = 0
    var duplicates = 0
    for (number, bytes) in wire.enumerated() {
        deduplicator.advanceClock(serverTimeMicros: start + Int64((number + 1) * eventsPerBatch) * 100)
        for member in members {
            // 1. Decode (as the data channel's deserializer does) and validate; the identity is
            // computed with the record.
            guard case .batch(let batch)? = bytes.withUnsafeBytes(DataFrameReader.read) else { fatalError("not a batch") }
            let records = try batch.events.map {
                EventRecord(tenant: tenant, token: token, connector: member, event: try DeviceEvent($0))
            }
            // 2. The window answers copies it knows; the rest are encoded for the insert.
            var fresh: [(EventRecord, UInt32)] = []
            for record in records {
                let arrival = deduplicator.arrive(
                    record.deliveryLine, identity: record.identity, deviceTimeMicros: record.event.deviceTimeMicros,
                    arrivalMillis: UInt32(number))
                if arrival.isKnownDuplicate { duplicates += 1 } else { fresh.append((record, arrival.line)) }
            }
            guard !fresh.isEmpty else { continue }
            encodedBinds += EventStore.insertEvents(fresh.map(\.0)).binds.count
            // 3. The write succeeded: the window learns the stored events.
            for (record, line) in fresh {
                deduplicator.settle(
                    record.identity, line: line, deviceTimeMicros: record.event.deviceTimeMicros, arrivalMillis: UInt32(number),
                    stored: true)
            }
        }
    }
    return (duplicates, encodedBinds)
}

let wire = try (0..<batches).map(batchBytes)
let (duplicates, encodedBinds) = try serverWork(wire)
let raw = batches * eventsPerBatch * members.count
print(
    "\(raw) raw events in \(batches) batches of \(eventsPerBatch) per member; \(duplicates) answered by the window; \(encodedBinds) array binds encoded"
)
