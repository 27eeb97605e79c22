import GRPCCore
import TandemProtocol
import TandemWire

/// Decodes a data channel message into a ``DataFrame``: straight from the bytes by
/// ``DataFrameReader`` when it can, else through swift-protobuf, whose refusals a
/// ``DescriptiveDeserializer`` words.
struct DataFrameDeserializer: MessageDeserializer {
    /// The largest message accepted, in bytes.
    let limit: Int

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> DataFrame {
        if let frame = serializedMessageBytes.withUnsafeBytes(DataFrameReader.read) { return frame }
        let message = try DescriptiveDeserializer<Tandem_V1_DataMessage>(method: "tandem.v1.DataChannel/Stream", limit: limit)
            .deserialize(serializedMessageBytes)
        return DataFrame(message)
    }
}
