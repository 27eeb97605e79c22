import Foundation
import NIOCore
import PostgresNIO

/// One column of a batch insert: a one-dimensional PostgreSQL array without NULLs, written in
/// the binary array format as the records are walked once. PostgresNIO's generic array encoding
/// costs about a thousand instructions per element (a dynamic encoding call with generic
/// metadata per element); this is the write path's hottest bind work.
struct ColumnArray: PostgresDynamicTypeEncodable {
    let psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .binary }
    private let elementType: PostgresDataType
    /// The elements, each its length then its bytes (big-endian), as the array format has them.
    private var elements: [UInt8] = []
    private var count: Int32 = 0

    /// An empty array of `elementType` elements (`arrayType` is its array type).
    init(of elementType: PostgresDataType, arrayType: PostgresDataType, reservingBytes bytes: Int) {
        self.elementType = elementType
        self.psqlType = arrayType
        elements.reserveCapacity(bytes)
    }

    /// An `int8[]` of `values`.
    init(int64 values: [Int64]) {
        self.init(of: .int8, arrayType: .int8Array, reservingBytes: values.count * 12)
        for value in values { append(value) }
    }

    // Plain byte appends to an array: ByteBuffer's generic integer and byte writes looked up
    // generic metadata on every call, a third of this type's cost. A fixed-size element goes
    // in with its length in one append, from a tuple whose members all sit at offsets that
    // need no padding (an `Int64` is written as two `UInt32` halves for that reason).
    private mutating func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.bigEndian) { elements.append(contentsOf: $0) }
    }

    mutating func append(_ uuid: UUID) {
        withUnsafeBytes(of: (Int32(16).bigEndian, uuid.uuid)) { elements.append(contentsOf: $0) }
        count += 1
    }

    mutating func append(_ value: Int64) {
        let bits = UInt64(bitPattern: value)
        let halves = (UInt32(truncatingIfNeeded: bits >> 32).bigEndian, UInt32(truncatingIfNeeded: bits).bigEndian)
        withUnsafeBytes(of: (Int32(8).bigEndian, halves.0, halves.1)) { elements.append(contentsOf: $0) }
        count += 1
    }

    mutating func append(_ value: Int16) {
        withUnsafeBytes(of: (Int32(2).bigEndian, value.bigEndian)) { elements.append(contentsOf: $0) }
        count += 1
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            appendBigEndian(Int32(utf8.count))
            elements.append(contentsOf: utf8)
        }
        count += 1
    }

    mutating func append(_ bytes: [UInt8]) {
        appendBigEndian(Int32(bytes.count))
        elements.append(contentsOf: bytes)
        count += 1
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // Dimensions (0 for an empty array), flags (no NULLs), element type; then the one
        // dimension's length and lower bound, then the elements.
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(elementType.rawValue)
        if count > 0 {
            buffer.writeInteger(count)
            buffer.writeInteger(Int32(1))
            buffer.writeBytes(elements)
        }
    }
}
