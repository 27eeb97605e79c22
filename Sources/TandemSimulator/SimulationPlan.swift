/// What a simulation plays: how many sites, how fast, for how long, and which faults.
public struct SimulationPlan: Sendable {
    /// Sites, each with one pair of connectors and its own token.
    public var sites = 1
    /// How long events are generated.
    public var duration: Duration = .seconds(20)
    /// Distinct events per second per site (each connector relays them all: twice as many copies).
    public var rate = 257
    /// Seed of every random choice.
    public var seed: UInt64 = 1
    /// Independent loss rate of each connector (a copy that connector never sends).
    public var lossRate = 0.001
    /// Kill connector B of site 0 abruptly after this long (no goodbye).
    public var killConnectorAfter: Duration?
    /// Bring the killed connector back after this long, with its instance id, resending un-acked batches.
    public var restartConnectorAfter: Duration?
    /// Connector A carries only the controller channel and B only the AP channel.
    public var channelSplit = false
    /// How often each connector cuts a batch.
    public var batchInterval: Duration = .milliseconds(100)
    /// Largest random delay of a connector's batch.
    public var maximumJitter: Duration = .milliseconds(60)

    public init() {}

    /// Distinct events a site generates in its first `ticks` ticks: rate × ticks × interval,
    /// rounded down. Each tick generates what is due minus what was, so a rate that is not a
    /// multiple of the tick rate is kept (257/s at 10 ticks/s is 25 or 26 a tick, not 25).
    public func eventsDue(afterTicks ticks: UInt64) -> Int {
        Int(Double(rate) * batchInterval.inSeconds * Double(ticks))
    }
}
