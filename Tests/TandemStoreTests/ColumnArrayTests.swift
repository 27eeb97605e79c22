import Foundation
import NIOCore
import PostgresNIO
import Testing

@testable import TandemStore

/// `ColumnArray` writes PostgreSQL's binary array format by hand: these pin its bytes.
struct ColumnArrayTests {
    private func encoded(_ column: ColumnArray) -> [UInt8] {
        var buffer = ByteBuffer()
        column.encode(into: &buffer, context: .default)
        return Array(buffer.readableBytesView)
    }

    /// The header of a one-dimensional array without NULLs of `count` elements of `type`.
    private func header(_ type: PostgresDataType, count: Int32) -> [UInt8] {
        func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        return bigEndian(Int32(1)) + bigEndian(Int32(0)) + bigEndian(type.rawValue) + bigEndian(count) + bigEndian(Int32(1))
    }

    @Test("int8 elements are a 4-byte length 8 then the value big-endian, negative ones included, no padding")
    func int64Elements() {
        let column = ColumnArray(int64: [1, -2])
        #expect(
            encoded(column)
                == header(.int8, count: 2) + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 8, 255, 255, 255, 255, 255, 255, 255, 254])
    }

    @Test("int2 and uuid elements are their length then their bytes")
    func int16AndUUIDElements() {
        var small = ColumnArray(of: .int2, arrayType: .int2Array, reservingBytes: 0)
        small.append(Int16(-3))
        #expect(encoded(small) == header(.int2, count: 1) + [0, 0, 0, 2, 255, 253])

        var ids = ColumnArray(of: .uuid, arrayType: .uuidArray, reservingBytes: 0)
        let id = UUID(uuidString: "00112233-4455-6677-8899-aabbccddeeff")!
        ids.append(id)
        #expect(
            encoded(ids)
                == header(.uuid, count: 1) + [0, 0, 0, 16, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]
                + [0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
    }

    @Test("text and bytea elements are their byte count then their bytes; an empty array has no dimension")
    func variableElements() {
        var texts = ColumnArray(of: .text, arrayType: .textArray, reservingBytes: 0)
        texts.append("é1")
        texts.append("")
        #expect(encoded(texts) == header(.text, count: 2) + [0, 0, 0, 3, 0xc3, 0xa9, 0x31] + [0, 0, 0, 0])

        var bodies = ColumnArray(of: .bytea, arrayType: .byteaArray, reservingBytes: 0)
        bodies.append([0, 255] as [UInt8])
        #expect(encoded(bodies) == header(.bytea, count: 1) + [0, 0, 0, 2, 0, 255])

        let empty = ColumnArray(of: .bytea, arrayType: .byteaArray, reservingBytes: 0)
        #expect(encoded(empty) == [0, 0, 0, 0, 0, 0, 0, 0] + withUnsafeBytes(of: PostgresDataType.bytea.rawValue.bigEndian) { Array($0) })
    }
}
