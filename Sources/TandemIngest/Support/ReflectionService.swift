import Foundation
public import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import TandemProtocol
public import TandemWire

/// The standard gRPC server reflection service (`grpc.reflection.v1.ServerReflection`), so
/// generic clients (grpcurl, Python's grpcio-reflection) can list a node's services and read
/// their `.proto` descriptors without a copy of them.
///
/// It answers `list_services`, `file_by_filename` and `file_containing_symbol` (each file
/// with its dependencies) from ``DescriptorIndex/served()``; `all_extension_numbers_of_type`
/// gets an empty list for a known message (Tandem declares no extensions), and an unknown file,
/// symbol or extension gets an `error_response` with `NOT_FOUND`. The same service is registered
/// as `grpc.reflection.v1alpha.ServerReflection` (its messages are the same on the wire), which
/// older clients, Python's grpcio-reflection among them, still call. It needs no token: it
/// tells what any copy of `Protos/` tells, and nothing of a tenant.
public struct ReflectionService: RegistrableRPCService {
    private let index: DescriptorIndex

    /// A service answering from `index`.
    public init(index: DescriptorIndex) {
        self.index = index
    }

    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let method = Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor
        for service in [method.service, ServiceDescriptor(fullyQualifiedService: "grpc.reflection.v1alpha.ServerReflection")] {
            router.registerHandler(
                forMethod: MethodDescriptor(service: service, method: method.method),
                deserializer: ProtobufDeserializer<Grpc_Reflection_V1_ServerReflectionRequest>(),
                serializer: ProtobufSerializer<Grpc_Reflection_V1_ServerReflectionResponse>(),
                handler: { request, _ in
                    StreamingServerResponse { writer in
                        for try await question in request.messages {
                            try await writer.write(answer(question))
                        }
                        return [:]
                    }
                })
        }
    }

    /// The response to one request of the stream.
    func answer(_ request: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
        .with { response in
            response.validHost = request.host
            response.originalRequest = request
            switch request.messageRequest {
            case .listServices?:
                response.listServicesResponse = .with { list in
                    list.service = index.services.map { name in .with { $0.name = name } }
                }
            case .fileByFilename(let name)?:
                response.messageResponse = files(index.file(named: name), missing: "no file named \(Self.quoted(name))")
            case .fileContainingSymbol(let symbol)?:
                response.messageResponse = files(index.file(declaring: symbol), missing: "no symbol named \(Self.quoted(symbol))")
            case .fileContainingExtension(let extensionRequest)?:
                response.messageResponse = error(
                    .notFound,
                    "no extension \(extensionRequest.extensionNumber) of \(Self.quoted(extensionRequest.containingType)): Tandem declares no extensions"
                )
            case .allExtensionNumbersOfType(let type)?:
                if index.declares(type) {
                    response.allExtensionNumbersResponse = .with { $0.baseTypeName = type }
                } else {
                    response.messageResponse = error(.notFound, "no type named \(Self.quoted(type))")
                }
            case nil:
                response.messageResponse = error(
                    .invalidArgument,
                    "set one of list_services, file_by_filename, file_containing_symbol, file_containing_extension, all_extension_numbers_of_type"
                )
            }
        }
    }

    /// A name from the request as an answer repeats it: at most 200 characters (a request may
    /// carry megabytes in one string; the answer need not carry them back).
    private static func quoted(_ name: String) -> String {
        name.count > 200 ? name.prefix(200) + "…" : name
    }

    private func files(
        _ files: [Foundation.Data]?, missing: String
    ) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        guard let files else { return error(.notFound, missing) }
        return .fileDescriptorResponse(.with { $0.fileDescriptorProto = files })
    }

    private func error(_ code: RPCError.Code, _ message: String) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        .errorResponse(
            .with {
                $0.errorCode = Int32(code.rawValue)
                $0.errorMessage = message
            })
    }
}
