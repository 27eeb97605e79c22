import Foundation
import Glibc
import Prometheus
import Synchronization
import TandemCore

/// The `process_*` series every Prometheus client library exposes (CPU time, memory, file
/// descriptors, start time) and `tandem_build_info{version,commit}`, read from `/proc/self` at
/// each scrape: swift-prometheus has no process collector.
final class ProcessMetrics: Sendable {
    private let cpu: Counter
    private let resident: Gauge
    private let virtualMemory: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    /// CPU seconds already added to the counter.
    private let reportedCPU = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry, build: BuildInfo) {
        func name(_ namespace: String, _ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: namespace, metricName: metric, unitName: unit, helpText: help)
        }
        cpu = registry.makeCounter(descriptor: name("process", "cpu_seconds", "total", "Total user and system CPU time spent in seconds."))
        resident = registry.makeGauge(descriptor: name("process", "resident_memory", "bytes", "Resident memory size in bytes."))
        virtualMemory = registry.makeGauge(descriptor: name("process", "virtual_memory", "bytes", "Virtual memory size in bytes."))
        openFDs = registry.makeGauge(descriptor: name("process", "open", "fds", "Number of open file descriptors."))
        maxFDs = registry.makeGauge(descriptor: name("process", "max", "fds", "Maximum number of open file descriptors."))
        startTime = registry.makeGauge(
            descriptor: name("process", "start_time", "seconds", "Start time of the process since unix epoch in seconds."))
        let info = registry.makeGauge(
            descriptor: name("tandem", "build", "info", "The running build of Tandem: always 1, its labels say which."),
            labels: [("version", build.version), ("commit", build.commit)])
        info.set(to: 1)
        update()
    }

    /// Reads `/proc/self` now (before a scrape answers).
    func update() {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return }
        // Fields after the command name (which may hold spaces), from field 3 (state) on.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.indices.contains(number - 3) ? Double(fields[number - 3]) : nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let user = field(14), let system = field(15), ticks > 0 {
            let total = (user + system) / ticks
            let delta = reportedCPU.withLock { reported in
                defer { reported = max(reported, total) }
                return total - reported
            }
            if delta > 0 { cpu.increment(by: delta) }
        }
        if let started = field(22), let boot = Self.bootTime(), ticks > 0 { startTime.set(to: boot + started / ticks) }
        if let size = field(23) { virtualMemory.set(to: size) }
        if let pages = field(24) { resident.set(to: pages * Double(sysconf(Int32(_SC_PAGESIZE)))) }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFDs.set(to: Double(descriptors.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(to: Double(limit.rlim_cur)) }
    }

    /// The system's boot time, seconds since 1970 (`btime` of `/proc/stat`).
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count))
        }
        return nil
    }
}
