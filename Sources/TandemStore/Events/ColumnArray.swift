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
    private var elements: ByteBuffer
    private var count: Int32 = 0

    /// An empty array of `elementType` elements (`arrayType` is its array type).
    init(of elementType: PostgresDataType, arrayType: PostgresDataType, reservingBytes bytes: Int) {
        self.elementType = elementType
        self.psqlType = arrayType
        self.elements = ByteBufferAllocator().buffer(capacity: bytes)
    }

    /// An `int8[]` of `values`.
    init(int64 values: [Int64]) {
        self.init(of: .int8, arrayType: .int8Array, reservingBytes: values.count * 12)
        for value in values { append(value) }
    }

    mutating func append(_ uuid: UUID) {
        elements.writeInteger(Int32(16))
        withUnsafeBytes(of: uuid.uuid) { _ = elements.writeBytes($0) }
        count += 1
    }

    mutating func append(_ value: Int64) {
        elements.writeInteger(Int32(8))
        elements.writeInteger(value)
        count += 1
    }

    mutating func append(_ value: Int16) {
        elements.writeInteger(Int32(2))
        elements.writeInteger(value)
        count += 1
    }

    mutating func append(_ text: String) {
        elements.writeInteger(Int32(text.utf8.count))
        elements.writeString(text)
        count += 1
    }

    mutating func append(_ bytes: [UInt8]) {
        elements.writeInteger(Int32(bytes.count))
        elements.writeBytes(bytes)
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
            buffer.writeImmutableBuffer(elements)
        }
    }
}
