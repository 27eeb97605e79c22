/// What a listening connection tells its listener.
public enum DatabaseNotice: Sendable, Equatable {
    /// The connection listens (again): notifications sent while it did not were missed, so
    /// the listener re-reads whatever they would have told it.
    case listening
    /// A notification's payload.
    case notification(String)
}
