import Foundation
import SwiftProtobuf
import TandemCore
import TandemProtocol
import TandemSimulator
import TandemWire
import Testing

/// Seeded mutations of the committed wire corpus, decoded as a node decodes them: no database,
/// no sockets (the same mutations on the wire are in the integration suite's `FuzzTests`).
struct MutationTests {
    /// The seed messages of `Tests/Fuzz/corpus`, by file name.
    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".bin") }.sorted()
        return try files.map { ($0, Array(try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    @Test(
        "20,000 seeded mutations decode and validate to a value or a clear error, never a crash; DataFrameReader agrees with swift-protobuf on every one it reads"
    )
    func mutationsDecodeOrFailCleanly() throws {
        var random = SplitMix64(seed: 20_261_125)
        let seeds = try Self.corpus()
        try #require(seeds.count >= 4, "the committed corpus is missing")
        var outcomes: [String: Int] = [:]
        for iteration in 0..<20_000 {
            let seed = seeds[iteration % seeds.count]
            let bytes = WireMutation.mutate(seed.bytes, &random)
            if seed.name.hasPrefix("data") {
                let read = bytes.withUnsafeBytes(DataFrameReader.read)
                let decoded = (try? Tandem_V1_DataMessage(serializedBytes: bytes)).map(DataFrame.init)
                if let read {
                    #expect(read == decoded, "iteration \(iteration)")
                    outcomes["read by DataFrameReader", default: 0] += 1
                }
                guard let frame = read ?? decoded else {
                    outcomes["undecodable", default: 0] += 1
                    continue
                }
                if case .batch(let batch) = frame {
                    for event in batch.events {
                        do {
                            _ = try DeviceEvent(event)
                            outcomes["valid event", default: 0] += 1
                        } catch is ValidationError {
                            outcomes["refused event", default: 0] += 1
                        }
                    }
                }
            } else {
                guard let message = try? Tandem_V1_ControlMessage(serializedBytes: bytes) else {
                    outcomes["undecodable", default: 0] += 1
                    continue
                }
                if case .hello(let hello) = message.message {
                    do {
                        _ = try ConnectorHello(hello)
                        outcomes["valid hello", default: 0] += 1
                    } catch is ValidationError {
                        outcomes["refused hello", default: 0] += 1
                    }
                }
            }
        }
        #expect(outcomes["undecodable", default: 0] > 1_000, "\(outcomes)")
        #expect(outcomes["read by DataFrameReader", default: 0] > 300, "\(outcomes)")  // 392 with this seed
        #expect(outcomes["refused event", default: 0] + outcomes["refused hello", default: 0] > 20, "\(outcomes)")
    }
}
