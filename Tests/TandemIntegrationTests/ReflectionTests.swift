import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import TandemProtocol
import Testing

/// gRPC server reflection of a node, over real gRPC, as grpcurl and grpcio-reflection use it.
@Suite("gRPC server reflection")
struct ReflectionTests {
    typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

    /// Sends `requests` on one stream (v1 or v1alpha) and returns the answers in order.
    private func ask(_ client: GRPCClient<some ClientTransport>, _ requests: [Request], alpha: Bool = false) async throws -> [Response] {
        var method = Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor
        if alpha {
            method = MethodDescriptor(fullyQualifiedService: "grpc.reflection.v1alpha.ServerReflection", method: method.method)
        }
        return try await client.bidirectionalStreaming(
            request: StreamingClientRequest(of: Request.self) { writer in try await writer.write(contentsOf: requests) },
            descriptor: method, serializer: ProtobufSerializer<Request>(), deserializer: ProtobufDeserializer<Response>(),
            options: .defaults
        ) { response in
            var answers: [Response] = []
            for try await message in response.messages { answers.append(message) }
            return answers
        }
    }

    @Test(
        "list_services names the node's four services; a symbol's file decodes and declares it; unknown names get NOT_FOUND; v1alpha answers the same"
    )
    func reflection() async throws {
        try await TestCluster.run(nodes: 1) { cluster in
            let client = cluster.nodes[0].client
            let requests: [Request] = [
                .with {
                    $0.host = "node"
                    $0.listServices = ""
                },
                .with { $0.fileContainingSymbol = "tandem.v1.DataChannel" },
                .with { $0.fileByFilename = "tandem/v1/control.proto" },
                .with { $0.fileContainingSymbol = "tandem.v1.Nothing" },
                .with { $0.allExtensionNumbersOfType = "tandem.v1.EventBatch" },
                .with {
                    $0.fileContainingExtension = .with {
                        $0.containingType = "tandem.v1.EventBatch"
                        $0.extensionNumber = 100
                    }
                },
            ]
            let answers = try await ask(client, requests)
            try #require(answers.count == requests.count)

            #expect(answers[0].validHost == "node")
            #expect(answers[0].originalRequest == requests[0])
            #expect(
                answers[0].listServicesResponse.service.map(\.name) == [
                    "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "tandem.v1.ControlChannel",
                    "tandem.v1.DataChannel",
                ])

            let data = try Google_Protobuf_FileDescriptorProto(
                serializedBytes: try #require(answers[1].fileDescriptorResponse.fileDescriptorProto.first))
            #expect(data.name == "tandem/v1/data.proto")
            let stream = try #require(data.service.first { $0.name == "DataChannel" }?.method.first)
            #expect(stream.name == "Stream" && stream.clientStreaming && stream.serverStreaming)
            #expect(stream.inputType == ".tandem.v1.DataMessage")

            let control = try Google_Protobuf_FileDescriptorProto(
                serializedBytes: try #require(answers[2].fileDescriptorResponse.fileDescriptorProto.first))
            #expect(control.service.map(\.name) == ["ControlChannel"])

            #expect(answers[3].errorResponse.errorCode == Int32(RPCError.Code.notFound.rawValue))
            #expect(answers[3].errorResponse.errorMessage.contains("tandem.v1.Nothing"))
            #expect(answers[4].allExtensionNumbersResponse.baseTypeName == "tandem.v1.EventBatch")
            #expect(answers[4].allExtensionNumbersResponse.extensionNumber.isEmpty)
            #expect(answers[5].errorResponse.errorCode == Int32(RPCError.Code.notFound.rawValue))

            let alpha = try await ask(client, [requests[0]], alpha: true)
            #expect(alpha.map(\.listServicesResponse) == [answers[0].listServicesResponse])
        }
    }
}
