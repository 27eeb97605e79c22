import Foundation
import GRPCCore
import SwiftProtobuf
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemSimulator
import Testing

/// Bytes as they are: sends and receives raw gRPC messages (for malformed input on the wire).
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] {
        bytes.withUnsafeBytes { Array($0) }
    }
}

@Suite("Fuzzing: mutated frames on the wire never crash, hang or disturb other streams")
struct FuzzTests {
    /// `Tests/Fuzz/corpus`: seed messages, committed; regenerate with TANDEM_FUZZ_WRITE_CORPUS=1
    /// (`MutationTests` in TandemWireTests mutates them too, without a database).
    static var corpusDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus")
    }

    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        var generator = EventGenerator(seed: 7, site: 0)
        let events = generator.next(20, now: Date())
        let built: [(String, any SwiftProtobuf.Message)] = [
            ("data-open.bin", Tandem_V1_DataMessage.with { $0.open = .with { $0.instanceID = "c1" } }),
            (
                "data-batch.bin",
                Tandem_V1_DataMessage.with {
                    $0.batch = .with {
                        $0.sequence = 1
                        $0.events = events
                    }
                }
            ),
            (
                "control-hello.bin",
                Tandem_V1_ControlMessage.with {
                    $0.hello = .with {
                        $0.instanceID = "c1"
                        $0.hostname = "h"
                        $0.ipAddress = "10.0.0.1"
                        $0.ovaVersion = "2.3.460"
                        $0.channels = .with { $0.controller = true }
                    }
                }
            ),
            (
                "control-heartbeat.bin",
                Tandem_V1_ControlMessage.with {
                    $0.heartbeat = .with {
                        $0.controllers = [
                            .with {
                                $0.ipAddress = "172.20.0.1"
                                $0.status = "ACTIVE"
                            }
                        ]
                    }
                }
            ),
        ]
        if ProcessInfo.processInfo.environment["TANDEM_FUZZ_WRITE_CORPUS"] != nil {
            try FileManager.default.createDirectory(at: corpusDirectory, withIntermediateDirectories: true)
            for (name, message) in built {
                try Data(try message.serializedBytes() as [UInt8]).write(to: corpusDirectory.appendingPathComponent(name))
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path).filter { $0.hasSuffix(".bin") }.sorted()
        #expect(files.count >= 4, "the committed corpus is missing")
        return try files.map { ($0, Array(try Data(contentsOf: corpusDirectory.appendingPathComponent($0)))) }
    }

    @Test(
        "bytes that are not a message get INVALID_ARGUMENT naming the method, the message type, the size, what is wrong and the limit",
        arguments: [
            ("tandem.v1.DataChannel", "Stream", "tandem.v1.DataMessage"),
            ("tandem.v1.ControlChannel", "Connect", "tandem.v1.ControlMessage"),
        ])
    func undecodableMessage(_ service: String, _ method: String, _ type: String) async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let garbage: [UInt8] = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]  // field 1, length past the end
            do {
                try await tandem.client.bidirectionalStreaming(
                    request: StreamingClientRequest<[UInt8]>(metadata: ["authorization": "Bearer \(site.token)"]) { writer in
                        try await writer.write(garbage)
                    },
                    descriptor: MethodDescriptor(fullyQualifiedService: service, method: method),
                    serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
                ) { response in
                    for try await _ in response.messages {}
                }
                Issue.record("undecodable bytes were accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                for part in ["\(service)/\(method)", type, "(6 bytes)", "at most 4194304 bytes"] {
                    #expect(error.message.contains(part), "\(error.message)")
                }
            }
        }
    }

    @Test("mutated frames on the wire get a gRPC error or an ack; a healthy stream beside them keeps working")
    func mutatedFramesOnTheWire() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "healthy")
            let healthy = DataStream.open(client: tandem.client, token: site.token, instanceID: "healthy")
            var random = SplitMix64(seed: 99)
            let seeds = try Self.seeds().filter { $0.name.hasPrefix("data") }.map(\.bytes)
            let open = try Tandem_V1_DataMessage.with { $0.open = .with { $0.instanceID = "healthy" } }.serializedBytes() as [UInt8]
            var codes: [String: Int] = [:]
            for round in 0..<60 {
                let frames = [open] + (0..<3).map { _ in WireMutation.mutate(seeds[Int(random.next() % UInt64(seeds.count))], &random) }
                let outcome: String = await withTaskGroup(of: String.self) { group in
                    group.addTask {
                        do {
                            return try await tandem.client.bidirectionalStreaming(
                                request: StreamingClientRequest<[UInt8]>(metadata: ["authorization": "Bearer \(site.token)"]) { writer in
                                    for frame in frames { try await writer.write(frame) }
                                },
                                descriptor: MethodDescriptor(fullyQualifiedService: "tandem.v1.DataChannel", method: "Stream"),
                                serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
                            ) { response in
                                for try await _ in response.messages {}
                                return "ended"
                            }
                        } catch let error as RPCError {
                            return "\(error.code)"
                        } catch {
                            return "other: \(error)"
                        }
                    }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(10))
                        return "hang"
                    }
                    let first = await group.next()!
                    group.cancelAll()
                    return first
                }
                codes[outcome, default: 0] += 1
                // The healthy stream is undisturbed after every hostile one.
                #expect(try await healthy.write(makeBatch(sequence: UInt64(round + 1), events: 2, offset: 2 * round)).stored == 2)
            }
            #expect(codes["hang"] == nil, "\(codes)")
            #expect(codes.keys.allSatisfy { !$0.hasPrefix("other") }, "\(codes)")
            healthy.kill()
            control.kill()
        }
    }
}
