/// Seeded damage to a wire message, for tests that feed Tandem malformed bytes: each call
/// applies one to four of: a flipped bit, an inserted or deleted byte, a duplicated run, a
/// truncation, a ten-byte varint, or invalid UTF-8. The same seed gives the same bytes.
public enum WireMutation {
    /// `input` with one to four seeded mutations.
    public static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...(random.next() % 4) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 7 {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << (random.next() % 8))
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int(random.next() % 32) + 1)
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 4: bytes = Array(bytes.prefix(position))
            case 5: bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], at: position)
            default: bytes.insert(contentsOf: [0xC3, 0x28, 0xFF, 0xFE], at: position)  // invalid UTF-8
            }
        }
        return bytes
    }
}
