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

    /// Computes the identity of `event` within `tenant`.
    public init(tenant: TenantID, event: DeviceEvent) {
        var hasher = SHA256()
        withUnsafeBytes(of: tenant.rawValue.uuid) { hasher.update(bufferPointer: $0) }
        Self.update(&hasher, event.sourceDevice)
        withUnsafeBytes(of: event.kind.rawValue.littleEndian) { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: event.deviceTimeMicros.littleEndian) { hasher.update(bufferPointer: $0) }
        Self.update(&hasher, event.subject)
        Self.update(&hasher, event.body)
        let digest = hasher.finalize()
        key = digest.withUnsafeBytes { bytes in
            UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                    bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
        }
    }

    /// Hashes the UTF-8 of `text` in place, without copying it to an array first.
    private static func update(_ hasher: inout SHA256, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        }
    }

    private static func update(_ hasher: inout SHA256, _ bytes: [UInt8]) {
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    public var description: String { key.uuidString.lowercased() }
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
