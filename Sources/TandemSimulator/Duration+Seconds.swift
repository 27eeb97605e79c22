extension Duration {
    /// The duration in seconds, as a `Double`. (TandemCore has the same for the server side;
    /// the simulator is a connector and depends on the public protocol only.)
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
