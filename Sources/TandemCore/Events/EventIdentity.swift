import Crypto
public import Foundation

/// The identity of a real event: what makes two copies of it (one from each connector of a
/// pair, or a resend) the same event.
///
/// It is the first 128 bits of SHA-256 over, in order and each length-prefixed: the tenant id,
/// the source device, the kind, the device timestamp, the subject and the raw body. Connector-
/// local fields (receive time, the connector's sequence number, which connector sent it) are
/// left out: they differ between the copies. The channel is left out too: the kind and source
/// device already tell the channels apart, and a connector relays an event on one channel only.
public struct EventIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The 128-bit key as a UUID (16 raw bytes; not an RFC 4122 UUID).
    public let key: UUID

    /// Wraps a stored key.
    public init(key: UUID) { self.key = key }

    /// Computes the identity of `event` within `tenant`: the preimage is laid out in one
    /// temporary buffer (on the stack for all but the largest bodies) and hashed at once, which
    /// costs far less than one hasher update per field.
    public init(tenant: TenantID, event: DeviceEvent) {
        var source = event.sourceDevice
        var subject = event.subject
        let (kind, deviceTime) = (event.kind.rawValue.littleEndian, event.deviceTimeMicros.littleEndian)
        let digest = source.withUTF8 { source in
            subject.withUTF8 { subject in
                event.body.withUnsafeBytes { body in
                    let count = 16 + (4 + source.count) + 2 + 8 + (4 + subject.count) + (4 + body.count)
                    return withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer in
                        var preimage = Preimage(buffer: buffer)
                        withUnsafeBytes(of: tenant.rawValue.uuid) { preimage.append($0) }
                        preimage.appendLengthPrefixed(UnsafeRawBufferPointer(source))
                        withUnsafeBytes(of: kind) { preimage.append($0) }
                        withUnsafeBytes(of: deviceTime) { preimage.append($0) }
                        preimage.appendLengthPrefixed(UnsafeRawBufferPointer(subject))
                        preimage.appendLengthPrefixed(body)
                        return SHA256.hash(data: UnsafeRawBufferPointer(buffer))
                    }
                }
            }
        }
        key = digest.withUnsafeBytes { bytes in
            UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                    bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
        }
    }

    public var description: String { key.uuidString.lowercased() }

    /// Hashes the digest's first 64 bits only: they are already uniform, so more would add
    /// cost (this runs for every window lookup) and no spread. Equality still compares all 128.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: key.uuid) { hasher.combine($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
    }
}

extension EventIdentity: Comparable {
    /// Byte order, the order PostgreSQL's `uuid` index keeps.
    public static func < (lhs: EventIdentity, rhs: EventIdentity) -> Bool {
        let (l, r) = (lhs.halves, rhs.halves)
        return l.0 != r.0 ? l.0 < r.0 : l.1 < r.1
    }

    private var halves: (UInt64, UInt64) {
        withUnsafeBytes(of: key.uuid) { bytes in
            (
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}

/// The identity's preimage, written front to back into a buffer sized for it.
private struct Preimage {
    let buffer: UnsafeMutableRawBufferPointer
    var written = 0

    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawBufferPointer(rebasing: buffer[written...]).copyMemory(
            from: UnsafeRawBufferPointer(start: base, count: bytes.count))
        written += bytes.count
    }

    /// `bytes` after its length as a little-endian `UInt32`.
    mutating func appendLengthPrefixed(_ bytes: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { append($0) }
        append(bytes)
    }
}
