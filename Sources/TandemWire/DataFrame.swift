public import TandemProtocol

/// A `tandem.v1.DataMessage` as the server reads it: what the data channel's handler works on.
///
/// ``DataFrameReader`` reads it straight from the wire bytes; a message it leaves to
/// swift-protobuf comes here through ``init(_:)``, with the same result.
public enum DataFrame: Sendable, Hashable {
    /// `DataOpen`: the connector instance the stream belongs to.
    case open(instanceID: String)
    /// `EventBatch`.
    case batch(InboundBatch)
    /// A message with neither field set.
    case empty

    /// The frame of a message decoded by swift-protobuf.
    public init(_ message: Tandem_V1_DataMessage) {
        switch message.message {
        case .open(let open): self = .open(instanceID: open.instanceID)
        case .batch(let batch): self = .batch(InboundBatch(sequence: batch.sequence, events: batch.events.map(InboundEvent.init)))
        case nil: self = .empty
        }
    }
}

/// An `EventBatch` as read off the wire, its events not yet validated.
public struct InboundBatch: Sendable, Hashable {
    /// The connector's batch number, echoed in the ack.
    public var sequence: UInt64
    public var events: [InboundEvent]

    public init(sequence: UInt64, events: [InboundEvent]) {
        self.sequence = sequence
        self.events = events
    }
}
