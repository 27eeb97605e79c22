// libFuzzer target (a): data-channel message bytes → DataFrameReader (checked against
// swift-protobuf wherever it answers) → validation at the edge → event identity → the dedup window and pair statistics. Properties: no crash, trap or hang
// (libFuzzer's -timeout), bounded memory (the window's key cap; -rss_limit_mb); an accepted
// event can reach SQL (text without control characters, times inside what timestamptz and
// every computation hold) and survives a round trip through its wire form unchanged.
// Built and run by scripts/fuzz (TANDEM_FUZZ=1 swift build --sanitize=fuzzer).
import Foundation
import FuzzSupport
import SwiftProtobuf
import TandemCore
import TandemProtocol
import TandemWire

/// The window every input feeds, as in a long-running server: state carries over.
nonisolated(unsafe) var deduplicator = Deduplicator(configuration: .init(windowMicros: 600_000_000, segments: 10, capacity: 5_000))
nonisolated(unsafe) var inputs = 0
let tenant = TenantID(UUID(uuidString: "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11")!)
let group = TokenID(UUID(uuidString: "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40")!)
let connector = ConnectorID(UUID(uuidString: "5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0")!)
/// The server's clock, fixed so a crash replays exactly: 2026-11-26T00:00:00Z.
let serverTimeMicros: Int64 = 1_795_651_200_000_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataChannel(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    inputs += 1
    if inputs % 256 == 0 { _ = deduplicator.drainStatistics() }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    // The server reads with DataFrameReader and leaves what it declines to swift-protobuf: both
    // must mean the same thing wherever the reader answers.
    let read = bytes.withUnsafeBytes(DataFrameReader.read)
    let decoded = (try? Tandem_V1_DataMessage(serializedBytes: bytes)).map(DataFrame.init)
    if let read { fuzzCheck(decoded == read, "DataFrameReader read \(read), swift-protobuf \(String(describing: decoded))") }
    guard case .batch(let batch)? = read ?? decoded else { return 0 }
    deduplicator.advanceClock(serverTimeMicros: serverTimeMicros)
    for (index, wire) in batch.events.enumerated() {
        // Every computation on a raw wire time, before any validation, neither traps nor overflows.
        let (segment, position) = deduplicator.window.locate(wire.deviceTimeMicros)
        _ = deduplicator.window.deviceTime(segment: segment, position: position)
        _ = PairStatistics.minute(of: wire.deviceTimeMicros)
        _ = PairStatistics.minute(of: wire.receivedAtMicros)
        guard let event = try? DeviceEvent(wire) else { continue }
        fuzzCheck(DeviceEvent.acceptedTimeMicros.contains(event.deviceTimeMicros), "device time \(event.deviceTimeMicros)")
        fuzzCheck(DeviceEvent.acceptedTimeMicros.contains(event.receivedAtMicros), "received at \(event.receivedAtMicros)")
        fuzzCheck(DeviceEvent.acceptedTimeMicros.contains(PairStatistics.minute(of: event.deviceTimeMicros)), "statistics minute")
        fuzzCheck(isStorableText(event.sourceDevice) && isStorableText(event.subject), "control character accepted")
        fuzzCheck(!event.sourceDevice.isEmpty && event.sourceDevice.utf8.count <= DeviceEvent.maximumFieldLength, "source length")
        fuzzCheck(event.body.count <= DeviceEvent.maximumBodySize, "body size")

        let again = Tandem_V1_Event.with {
            $0.channel = Tandem_V1_Channel(rawValue: Int(event.channel.rawValue)) ?? .unspecified
            $0.kind = Tandem_V1_EventKind(rawValue: Int(event.kind.rawValue)) ?? .unspecified
            $0.sourceDevice = event.sourceDevice
            $0.subject = event.subject
            $0.deviceTimeMicros = event.deviceTimeMicros
            $0.body = Data(event.body)
            $0.receivedAtMicros = event.receivedAtMicros
            $0.connectorSequence = event.connectorSequence
        }
        guard let roundTrip = try? DeviceEvent(Tandem_V1_Event(serializedBytes: again.serializedBytes() as [UInt8])) else {
            fatalError("an accepted event was refused after a round trip through its wire form")
        }
        fuzzCheck(roundTrip == event, "round trip changed the event")
        let identity = EventIdentity(tenant: tenant, event: event)
        fuzzCheck(EventIdentity(tenant: tenant, event: roundTrip) == identity, "round trip changed the identity")

        let line = DeliveryLine(
            tenant: tenant, group: group, connector: connector, sourceDevice: event.sourceDevice, channel: event.channel)
        let arrival = deduplicator.arrive(line, identity: identity, deviceTimeMicros: event.deviceTimeMicros, arrivalMillis: UInt32(index))
        if !arrival.isKnownDuplicate {
            deduplicator.settle(
                identity, line: arrival.line, deviceTimeMicros: event.deviceTimeMicros, arrivalMillis: UInt32(index), stored: true)
        }
        fuzzCheck(deduplicator.window.count <= 5_000, "window past its key cap: \(deduplicator.window.count)")
    }
    return 0
}
