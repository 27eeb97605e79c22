import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// Decodes a connector's message like `ProtobufDeserializer`, but a message that can't be decoded
/// gets an `INVALID_ARGUMENT` that says which method, which message type, how many bytes, what is
/// wrong with them and what the limit is, instead of "Can't deserialize to message of type …".
struct DescriptiveDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    /// `tandem.v1.DataChannel/Stream`, for the message.
    let method: String
    /// The largest message accepted, in bytes.
    let limit: Int

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        do {
            return try ProtobufDeserializer<Message>().deserialize(serializedMessageBytes)
        } catch let error as RPCError {
            // An RPCError: the transport, not a handler, calls this.
            throw RPCError(
                IngestError.undecodable(
                    method: method, bytes: serializedMessageBytes.count, message: Message.protoMessageName,
                    reason: Self.reason(error.cause), protoFile: Self.protoFile, limit: limit))
        }
    }

    /// What swift-protobuf found wrong, in words.
    static func reason(_ cause: (any Error)?) -> String {
        switch cause as? BinaryDecodingError {
        case .truncated?: "it ends in the middle of a field"
        case .malformedProtobuf?: "it is not protobuf (a field tag or length is invalid)"
        case .invalidUTF8?: "a string field is not valid UTF-8"
        case .trailingGarbage?: "bytes follow the message"
        case .messageDepthLimit?: "messages are nested too deep"
        case .missingRequiredFields?: "a required field is missing"
        default: "it can't be decoded"
        }
    }

    private static var protoFile: String {
        Message.protoMessageName.hasPrefix("tandem.v1.") ? "tandem/v1" : "…"
    }
}
