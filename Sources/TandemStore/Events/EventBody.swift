import NIOCore
import PostgresNIO

/// An event's body as a `bytea` element of an array bind: written straight into the bind
/// buffer, without a `ByteBuffer` of its own per event first.
struct EventBody: PostgresArrayEncodable, PostgresNonThrowingEncodable {
    let bytes: [UInt8]

    static var psqlType: PostgresDataType { .bytea }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .byteaArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeBytes(bytes)
    }
}
