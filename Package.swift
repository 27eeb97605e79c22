// swift-tools-version:6.2
import PackageDescription

/// Swift settings shared by every target: upcoming features that keep the code honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Tests import broadly; they keep only the language checks.
let testSwiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "tandem",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        .executable(name: "tandem-lab", targets: ["tandem-lab"]),
        .library(name: "TandemCore", targets: ["TandemCore"]),
        .library(name: "TandemStore", targets: ["TandemStore"]),
        .library(name: "TandemProtocol", targets: ["TandemProtocol"]),
        .library(name: "TandemWire", targets: ["TandemWire"]),
        .library(name: "TandemIngest", targets: ["TandemIngest"]),
        .library(name: "TandemAPI", targets: ["TandemAPI"]),
        .library(name: "TandemServer", targets: ["TandemServer"]),
        .library(name: "TandemConnector", targets: ["TandemConnector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `serve`'s settings: flags and `TANDEM_…` environment through one reader.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["CommandLineArguments"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Only its `swift-openapi-generator` product, built by scripts/generate-openapi.
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
    ],
    targets: [
        // Layer 1: domain values and pure rules, no I/O.
        .target(
            name: "TandemCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 2: PostgreSQL — migrations, repositories, the event store, the embedded cluster.
        .target(
            name: "TandemStore",
            dependencies: [
                "TandemCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The wire contract: generated protobuf and gRPC code (see scripts/generate-protos).
        .target(
            name: "TandemProtocol",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        // From wire messages to validated domain values: the edge every byte of a connector
        // crosses (no I/O; the fuzz targets in Fuzz/ drive it).
        .target(
            name: "TandemWire",
            dependencies: [
                "TandemCore",
                "TandemProtocol",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 3: the connector channels over gRPC.
        .target(
            name: "TandemIngest",
            dependencies: [
                "TandemCore",
                "TandemStore",
                "TandemProtocol",
                "TandemWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // A connector's side of the protocol (generated client code only): the demo and the
        // simulator play connectors with it, and the tests drive Tandem through it.
        .target(
            name: "TandemConnector",
            dependencies: [
                "TandemProtocol",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // The simulator: realistic sites and pairs of connectors, faults on demand.
        .target(
            name: "TandemSimulator",
            dependencies: [
                "TandemConnector",
                "TandemProtocol",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // The operator API's contract: types and server side (APIProtocol) generated from
        // OpenAPI/openapi.json, and the document itself (see scripts/generate-openapi).
        .target(
            name: "TandemOpenAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Layer 4: the operator HTTP API.
        .target(
            name: "TandemAPI",
            dependencies: [
                "TandemCore",
                "TandemStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                "TandemOpenAPI",
            ],
            swiftSettings: swiftSettings
        ),
        // The harnesses: benchmarks, chaos and the simulation, with their commands (`tandem-lab`).
        // Not part of the product: `tandem` does not link it.
        .target(
            name: "TandemLab",
            dependencies: [
                "TandemCommandLine",
                "TandemCore",
                "TandemStore",
                "TandemIngest",
                "TandemProtocol",
                "TandemWire",
                "TandemConnector",
                "TandemSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 5: one node assembled (TandemNode): every service in order, one shutdown bound.
        .target(
            name: "TandemServer",
            dependencies: [
                "TandemCore",
                "TandemStore",
                "TandemIngest",
                "TandemAPI",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 6: the command line — configuration and commands (`serve` runs one TandemNode).
        .target(
            name: "TandemCommandLine",
            dependencies: [
                "TandemCore",
                "TandemStore",
                "TandemIngest",
                "TandemAPI",
                "TandemServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The executable: `main` only.
        .executableTarget(
            name: "tandem",
            dependencies: ["TandemCommandLine"],
            swiftSettings: swiftSettings
        ),
        // The lab's executable (bench, chaos, simulate): `main` only. It runs the `tandem` built
        // beside it as its server.
        .executableTarget(
            name: "tandem-lab",
            dependencies: ["TandemLab"],
            path: "Sources/TandemLabMain",
            swiftSettings: swiftSettings
        ),
        // The write path's work per batch without database or sockets, for callgrind
        // (scripts/cpu-per-event): instructions per raw event, exactly repeatable.
        .executableTarget(
            name: "tandem-cpu-per-event",
            dependencies: [
                "TandemCore",
                "TandemStore",
                "TandemProtocol",
                "TandemWire",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Sources/CPUPerEvent",
            swiftSettings: swiftSettings
        ),
        // The longest pause a segment leaving the dedup window causes (scripts/window-pauses).
        .executableTarget(
            name: "tandem-window-pauses",
            dependencies: ["TandemCore"],
            path: "Sources/WindowPauses",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TandemCoreTests",
            dependencies: ["TandemCore"],
            swiftSettings: testSwiftSettings
        ),
        // Store code that needs no database (the migration script splitter, the array binds).
        .testTarget(
            name: "TandemStoreTests",
            dependencies: [
                "TandemStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // The ingest layer's rules without a database (the event pipeline against a double).
        .testTarget(
            name: "TandemIngestTests",
            dependencies: [
                "TandemIngest",
                "TandemCore",
                "TandemStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // The wire reading of connector messages, seeded mutations included (no database, no sockets).
        .testTarget(
            name: "TandemWireTests",
            dependencies: [
                "TandemWire",
                "TandemProtocol",
                "TandemCore",
                "TandemSimulator",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "TandemCommandLineTests",
            dependencies: ["TandemCommandLine", "TandemCore", "TandemIngest", "TandemStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TandemIntegrationTests",
            dependencies: [
                "TandemCore",
                "TandemStore",
                "TandemAPI",
                "TandemIngest",
                "TandemProtocol",
                "TandemConnector",
                "TandemSimulator",
                "TandemOpenAPI",
                "TandemServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            swiftSettings: testSwiftSettings
        ),
    ]
)

// Coverage-guided fuzz targets (libFuzzer), only when asked for: scripts/fuzz builds them with
// TANDEM_FUZZ=1 swift build --sanitize=fuzzer in a build folder of their own, so the normal
// build neither compiles nor links them.
if Context.environment["TANDEM_FUZZ"] != nil {
    let fuzzDependencies: [Target.Dependency] = [
        "FuzzSupport", "TandemCore", "TandemProtocol", "TandemWire",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
    ]
    package.targets += [
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzDataChannel", dependencies: fuzzDependencies, path: "Fuzz/FuzzDataChannel"),
        .executableTarget(name: "FuzzControlChannel", dependencies: fuzzDependencies, path: "Fuzz/FuzzControlChannel"),
        .executableTarget(
            name: "FuzzOperatorRequests", dependencies: ["FuzzSupport", "TandemCore", "TandemOpenAPI"], path: "Fuzz/FuzzOperatorRequests"),
    ]
}
