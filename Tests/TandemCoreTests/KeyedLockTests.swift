import Synchronization
import TandemCore
import Testing

/// Membership changes of one group run one after the other; other groups are not held up.
@Suite("Keyed lock", .timeLimit(.minutes(1)))
struct KeyedLockTests {
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test("a body of a held key waits until the holder finishes, then runs; another key runs at once")
    func sameKeyWaits() async {
        let lock = KeyedLock<String>()
        let log = Log()
        let (gate, open) = AsyncStream<Void>.makeStream()
        async let first: Void = lock.withLock("group-1") {
            log.add("first started")
            for await _ in gate { break }
            log.add("first finished")
        }
        while !lock.isHeld("group-1") { await Task.yield() }
        async let second: Void = lock.withLock("group-1") { log.add("second") }
        while lock.waiters(for: "group-1") < 1 { await Task.yield() }
        // Another group is not held up by group-1 (this would never return otherwise).
        await lock.withLock("group-2") { log.add("other group") }
        #expect(log.all == ["first started", "other group"])
        open.yield()
        _ = await (first, second)
        #expect(log.all == ["first started", "other group", "first finished", "second"])
        #expect(!lock.isHeld("group-1"))
    }

    @Test("waiters run in the order they asked")
    func fifo() async {
        let lock = KeyedLock<Int>()
        let log = Log()
        let (gate, open) = AsyncStream<Void>.makeStream()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await lock.withLock(1) { for await _ in gate { break } } }
            while !lock.isHeld(1) { await Task.yield() }
            for number in 1...5 {
                group.addTask { await lock.withLock(1) { log.add("\(number)") } }
                while lock.waiters(for: 1) < number { await Task.yield() }
            }
            open.yield()
        }
        #expect(log.all == ["1", "2", "3", "4", "5"])
    }

    @Test("a body that throws releases its key")
    func throwingBodyReleases() async {
        struct Refused: Error {}
        let lock = KeyedLock<String>()
        await #expect(throws: Refused.self) { try await lock.withLock("group") { throw Refused() } }
        #expect(!lock.isHeld("group"))
        #expect(await lock.withLock("group") { 7 } == 7)
    }
}
