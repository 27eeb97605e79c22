import Foundation
import SwiftProtobuf
import TandemProtocol
import TandemWire
import Testing

/// `DataFrameReader` reads data channel messages without swift-protobuf: it must read what
/// swift-protobuf reads, and leave to it (return `nil`) whatever it does not read the same way.
struct DataFrameReaderTests {
    private func read(_ bytes: [UInt8]) -> DataFrame? { bytes.withUnsafeBytes(DataFrameReader.read) }

    private func decoded(_ bytes: [UInt8]) -> DataFrame? {
        (try? Tandem_V1_DataMessage(serializedBytes: bytes)).map(DataFrame.init)
    }

    private static let event = Tandem_V1_Event.with {
        $0.channel = .controller
        $0.sourceDevice = "172.20.0.10"
        $0.kind = .clientLocation
        $0.deviceTimeMicros = -5
        $0.subject = "aa:bb:cc:dd:ee:ff"
        $0.body = Data([0, 1, 255])
        $0.receivedAtMicros = 1_795_651_200_000_000
        $0.connectorSequence = .max
    }

    static let canonical: [(String, Tandem_V1_DataMessage)] = [
        ("an open", .with { $0.open = .with { $0.instanceID = "connector-1" } }),
        ("an open without an instance", .with { $0.open = Tandem_V1_DataOpen() }),
        (
            "a batch of every field, a negative time and the largest sequence",
            .with {
                $0.batch = .with {
                    $0.sequence = 7
                    $0.events = [event, event]
                }
            }
        ),
        ("an empty batch", .with { $0.batch = Tandem_V1_EventBatch() }),
        ("an empty message", Tandem_V1_DataMessage()),
        (
            "non-ASCII text and an unknown enum value",
            .with {
                $0.batch = .with {
                    $0.events = [
                        .with {
                            $0.sourceDevice = "contrôleur-é"
                            $0.subject = "日本"
                            $0.kind = .UNRECOGNIZED(99)
                            $0.channel = .UNRECOGNIZED(-1)
                        }
                    ]
                }
            }
        ),
    ]

    @Test("what connectors send is read, and read as swift-protobuf reads it", arguments: canonical)
    func readsCanonicalMessages(_ name: String, _ message: Tandem_V1_DataMessage) throws {
        let bytes: [UInt8] = try message.serializedBytes()
        let frame = try #require(read(bytes), "\(name)")
        #expect(frame == decoded(bytes), "\(name)")
    }

    @Test("a batch's events keep their order, fields and bytes")
    func readsFields() throws {
        let bytes: [UInt8] = try Tandem_V1_DataMessage.with {
            $0.batch = .with {
                $0.sequence = 3
                $0.events = [Self.event]
            }
        }.serializedBytes()
        guard case .batch(let batch)? = read(bytes) else {
            Issue.record("not read as a batch")
            return
        }
        #expect(batch.sequence == 3)
        #expect(
            batch.events == [
                InboundEvent(
                    channel: 1, sourceDevice: "172.20.0.10", kind: 3, deviceTimeMicros: -5, subject: "aa:bb:cc:dd:ee:ff",
                    body: [0, 1, 255], receivedAtMicros: 1_795_651_200_000_000, connectorSequence: .max)
            ])
    }

    /// Messages protobuf allows but connectors don't send, and malformed ones.
    static let declined: [(String, [UInt8])] = [
        ("a field repeated in an event (last one wins in protobuf)", [0x12, 0x06, 0x12, 0x04, 0x08, 0x01, 0x08, 0x02]),
        ("both members of the oneof", [0x0a, 0x00, 0x12, 0x00]),
        ("the batch field twice (protobuf merges them)", [0x12, 0x02, 0x08, 0x01, 0x12, 0x00]),
        ("an unknown field", [0x12, 0x02, 0x18, 0x01]),
        ("a known field with another wire type", [0x12, 0x05, 0x0d, 0x01, 0x00, 0x00, 0x00]),
        ("text that is not UTF-8", [0x0a, 0x03, 0x0a, 0x01, 0xff]),
        ("a length past the end", [0x0a, 0x05, 0x0a, 0x01]),
        ("a truncated varint", [0x12, 0x02, 0x08, 0x80]),
        ("a varint longer than ten bytes", [0x12, 0x0c, 0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01]),
        ("field number zero", [0x02, 0x00]),
    ]

    @Test("anything else is left to swift-protobuf", arguments: declined)
    func declinesTheRest(_ name: String, _ bytes: [UInt8]) {
        #expect(read(bytes) == nil, "\(name)")
    }

    @Test("what the reader declines still decodes, through swift-protobuf, where protobuf allows it")
    func declinedButValid() throws {
        // Field 5 (subject) twice in one event: protobuf keeps the last.
        let bytes: [UInt8] = [0x12, 0x0a, 0x12, 0x08, 0x2a, 0x01, 0x61, 0x2a, 0x01, 0x62, 0x08, 0x01]
        #expect(read(bytes) == nil)
        guard case .batch(let batch)? = decoded(bytes) else {
            Issue.record("swift-protobuf did not decode it")
            return
        }
        #expect(batch.events.map(\.subject) == ["b"])
        #expect(batch.events.map(\.channel) == [1])
    }
}
