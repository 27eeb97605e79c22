import Foundation
import SwiftProtobuf
import TandemWire
import Testing

/// What gRPC server reflection answers from: the committed descriptor set, indexed.
struct DescriptorIndexTests {
    private func names(_ files: [Data]?) throws -> [String] {
        try (files ?? []).map { try Google_Protobuf_FileDescriptorProto(serializedBytes: $0).name }
    }

    @Test("the generated descriptor set decodes and lists exactly the services a node registers")
    func servedServices() {
        #expect(
            DescriptorIndex.served.services == [
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "tandem.v1.ControlChannel", "tandem.v1.DataChannel",
            ])
    }

    static let symbols: [(symbol: String, file: String?)] = [
        ("tandem.v1.DataChannel", "tandem/v1/data.proto"),
        ("tandem.v1.DataChannel.Stream", "tandem/v1/data.proto"),
        (".tandem.v1.EventBatch", "tandem/v1/data.proto"),
        ("tandem.v1.EventKind", "tandem/v1/data.proto"),
        ("tandem.v1.ControlChannel", "tandem/v1/control.proto"),
        ("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"),
        ("grpc.reflection.v1.ServerReflection.ServerReflectionInfo", "grpc/reflection/v1/reflection.proto"),
        ("tandem.v1.Nothing", nil),
        ("tandem.v1", nil),
        ("", nil),
    ]

    @Test(
        "a symbol leads to the file that declares it (services, methods, nested types, a leading dot); others to nothing",
        arguments: symbols)
    func fileDeclaringSymbol(_ symbol: String, _ file: String?) throws {
        let found = DescriptorIndex.served.file(declaring: symbol)
        #expect(try names(found).first == file, "\(symbol)")
        #expect(DescriptorIndex.served.declares(symbol) == (file != nil))
    }

    @Test("a file comes with every file it depends on, transitively and once each, itself first")
    func transitiveDependencies() throws {
        let set = Google_Protobuf_FileDescriptorSet.with {
            $0.file = [
                .with {
                    $0.name = "c.proto"
                    $0.package = "x"
                },
                .with {
                    $0.name = "b.proto"
                    $0.dependency = ["c.proto"]
                },
                .with {
                    $0.name = "a.proto"
                    $0.dependency = ["b.proto", "c.proto"]
                    $0.package = "x"
                    $0.messageType = [.with { $0.name = "A" }]
                },
            ]
        }
        let index = try DescriptorIndex(fileDescriptorSet: set.serializedBytes())
        #expect(try names(index.file(named: "a.proto")) == ["a.proto", "b.proto", "c.proto"])
        #expect(try names(index.file(declaring: "x.A")) == ["a.proto", "b.proto", "c.proto"])
        #expect(try names(index.file(named: "c.proto")) == ["c.proto"])
        #expect(index.file(named: "d.proto") == nil)
    }

    @Test("bytes that are not a descriptor set are refused with a reason")
    func malformed() {
        #expect(throws: DescriptorIndex.Malformed.self) { try DescriptorIndex(fileDescriptorSet: Data([0x0a, 0x05, 0x01])) }
    }
}
