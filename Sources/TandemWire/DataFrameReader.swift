/// Reads a `tandem.v1.DataMessage` straight from its wire bytes into a ``DataFrame``: one pass,
/// no intermediate protobuf messages, no `Data` per body. The data channel's hot path (it was
/// a sixth of the server's instructions per event through swift-protobuf's generic decoder).
///
/// It reads the encoding connectors produce: known fields with their wire types, each singular
/// field at most once, valid UTF-8, well-formed varints. Anything else (unknown or repeated
/// fields, a malformed message) makes ``read(_:)`` return `nil`, and the caller decodes the
/// message with swift-protobuf instead, so every input means what protobuf says it means and
/// errors keep swift-protobuf's wording. The fuzz target `FuzzDataChannel` checks that both
/// ways agree on every input this reader accepts.
public enum DataFrameReader {
    /// The frame `bytes` encode, or `nil` to leave the message to swift-protobuf.
    public static func read(_ bytes: UnsafeRawBufferPointer) -> DataFrame? {
        var cursor = Cursor(bytes: bytes, offset: 0, end: bytes.count)
        var frame = DataFrame.empty
        while cursor.offset < cursor.end {
            // A oneof: one of its fields, once (two would merge or replace: left to swift-protobuf).
            guard case .empty = frame, let (field, wireType) = cursor.tag(), wireType == .lengthDelimited,
                let body = cursor.lengthDelimited()
            else { return nil }
            switch field {
            case 1:
                guard let instanceID = readOpen(Cursor(bytes: bytes, offset: body.lowerBound, end: body.upperBound)) else { return nil }
                frame = .open(instanceID: instanceID)
            case 2:
                guard let batch = readBatch(Cursor(bytes: bytes, offset: body.lowerBound, end: body.upperBound)) else { return nil }
                frame = .batch(batch)
            default:
                return nil
            }
        }
        return frame
    }

    private static func readOpen(_ cursor: Cursor) -> String? {
        var cursor = cursor
        var instanceID: String?
        while cursor.offset < cursor.end {
            guard instanceID == nil, let (field, wireType) = cursor.tag(), field == 1, wireType == .lengthDelimited,
                let text = cursor.string()
            else { return nil }
            instanceID = text
        }
        return instanceID ?? ""
    }

    private static func readBatch(_ cursor: Cursor) -> InboundBatch? {
        var cursor = cursor
        var sequence: UInt64?
        var events: [InboundEvent] = []
        while cursor.offset < cursor.end {
            guard let (field, wireType) = cursor.tag() else { return nil }
            switch (field, wireType) {
            case (1, .varint) where sequence == nil:
                guard let value = cursor.varint() else { return nil }
                sequence = value
            case (2, .lengthDelimited):
                guard let range = cursor.lengthDelimited(),
                    let event = readEvent(Cursor(bytes: cursor.bytes, offset: range.lowerBound, end: range.upperBound))
                else { return nil }
                // Room for as many events as the rest holds if they are the size of the first.
                if events.isEmpty { events.reserveCapacity(min((cursor.end - range.lowerBound) / (range.count + 2) + 1, 10_000)) }
                events.append(event)
            default:
                return nil
            }
        }
        return InboundBatch(sequence: sequence ?? 0, events: events)
    }

    private static func readEvent(_ cursor: Cursor) -> InboundEvent? {
        var cursor = cursor
        var event = InboundEvent()
        var seen: UInt16 = 0
        while cursor.offset < cursor.end {
            guard let (field, wireType) = cursor.tag(), field <= 8 else { return nil }
            let bit: UInt16 = 1 << field
            guard seen & bit == 0 else { return nil }
            seen |= bit
            switch (field, wireType) {
            case (1, .varint):
                guard let value = cursor.varint() else { return nil }
                event.channel = Int32(truncatingIfNeeded: value)
            case (3, .varint):
                guard let value = cursor.varint() else { return nil }
                event.kind = Int32(truncatingIfNeeded: value)
            case (4, .varint):
                guard let value = cursor.varint() else { return nil }
                event.deviceTimeMicros = Int64(bitPattern: value)
            case (7, .varint):
                guard let value = cursor.varint() else { return nil }
                event.receivedAtMicros = Int64(bitPattern: value)
            case (8, .varint):
                guard let value = cursor.varint() else { return nil }
                event.connectorSequence = value
            case (2, .lengthDelimited):
                guard let text = cursor.string() else { return nil }
                event.sourceDevice = text
            case (5, .lengthDelimited):
                guard let text = cursor.string() else { return nil }
                event.subject = text
            case (6, .lengthDelimited):
                guard let range = cursor.lengthDelimited() else { return nil }
                event.body = Array(UnsafeRawBufferPointer(rebasing: cursor.bytes[range]))
            default:
                return nil
            }
        }
        return event
    }
}

/// The protobuf wire types this reader knows.
private enum WireType: UInt64 {
    case varint = 0
    case lengthDelimited = 2
}

/// A position in a message's bytes, never past `end`.
private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    let end: Int

    /// A varint of at most 10 bytes whose value fits 64 bits, or `nil`.
    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            if shift == 63, byte > 1 { return nil }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    /// A field's number and wire type; `nil` for a malformed tag or a wire type not read here.
    mutating func tag() -> (field: UInt64, wireType: WireType)? {
        guard let tag = varint(), tag <= UInt64(UInt32.max), tag >> 3 != 0, let wireType = WireType(rawValue: tag & 7)
        else { return nil }
        return (tag >> 3, wireType)
    }

    /// The byte range of a length-delimited field, which must lie inside the message.
    mutating func lengthDelimited() -> Range<Int>? {
        guard let length = varint(), length <= UInt64(end - offset) else { return nil }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    /// A length-delimited field as text, `nil` unless it is valid UTF-8.
    mutating func string() -> String? {
        guard let range = lengthDelimited() else { return nil }
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self)
        // ASCII (addresses, MACs: nearly every field) needs no validation beyond this scan and
        // takes the standard library's fast path; anything else is validated in full.
        var bits: UInt8 = 0
        for byte in utf8 { bits |= byte }
        return bits < 0x80 ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
    }
}
