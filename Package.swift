// swift-tools-version:6.0
// meme-generator: a Kubernetes auto-scaling demo driven from a terminal.
// Layout: Sources/Shared/<Module> are libraries (one idea each), Sources/{Worker,Web,Console,Bench}
// are thin executables, Tests/<Module>Tests test one module each.
import PackageDescription

let package = Package(
    name: "meme-generator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meme-worker", targets: ["Worker"]),
        .executable(name: "meme-web", targets: ["Web"]),
        .executable(name: "meme-console", targets: ["Console"]),
        .executable(name: "meme-bench", targets: ["Bench"]),
        .executable(name: "meme-stack", targets: ["Stack"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // NIOHTTPTypes: the HTTP parts meme-web's page fast path reads and writes (Hummingbird's own types).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // MARK: C shims (each C library is reached from exactly one Swift module)
        .systemLibrary(name: "CNcurses", path: "Sources/Shared/CNcurses", pkgConfig: "ncursesw"),
        .systemLibrary(name: "CHiredis", path: "Sources/Shared/CHiredis", pkgConfig: "hiredis"),
        .systemLibrary(name: "CPangoCairo", path: "Sources/Shared/CPangoCairo", pkgConfig: "pangocairo"),
        .target(name: "CCurl", path: "Sources/Shared/CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .systemLibrary(name: "CQRencode", path: "Sources/Shared/CQRencode", pkgConfig: "libqrencode"),
        .target(name: "CSpawn", path: "Sources/Shared/CSpawn"),
        .systemLibrary(name: "CZlib", path: "Sources/Shared/CZlib", pkgConfig: "zlib"),

        // MARK: Foundation layer
        .target(name: "MemeKit", path: "Sources/Shared/MemeKit"),
        // The one retry policy (backoff with jitter) of every client; below NATS and RedisCache, which share nothing else.
        .target(name: "Retry", path: "Sources/Shared/Retry"),
        .target(
            name: "NATS",
            dependencies: [
                "Retry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Sources/Shared/NATS"
        ),
        .target(
            name: "JetStream",
            dependencies: ["NATS", "Retry", .product(name: "NIOCore", package: "swift-nio")],
            path: "Sources/Shared/JetStream"
        ),
        .target(
            name: "CurlHTTP",
            dependencies: ["CCurl", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Sources/Shared/CurlHTTP"
        ),
        .target(name: "Autoscaling", path: "Sources/Shared/Autoscaling"),
        // QR codes (libqrencode) as a module matrix, for the wall's "open this address" code.
        .target(name: "QRCode", dependencies: ["CQRencode"], path: "Sources/Shared/QRCode"),

        // MARK: Feature modules
        // The meme queue's stream and consumer, created by whichever program starts first.
        .target(
            name: "MemeStream",
            dependencies: ["MemeKit", "NATS", "JetStream", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Shared/MemeStream"
        ),
        .target(
            name: "MemeImages",
            dependencies: ["MemeKit", "Retry", "CPangoCairo", "CurlHTTP", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Sources/Shared/MemeImages"
        ),
        .target(
            name: "RedisCache",
            dependencies: [
                "CHiredis", "Retry",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/RedisCache"
        ),
        .target(
            name: "ClusterReaders",
            dependencies: ["Autoscaling", "CurlHTTP", .product(name: "Yams", package: "Yams")],
            path: "Sources/Shared/ClusterReaders"
        ),
        .target(
            name: "LoadEngine",
            dependencies: [
                // ConsoleUI (no dependencies of its own) for RecentMeme, the recent-answer line both share.
                "MemeKit", "NATS", "JetStream", "MemeStream", "CurlHTTP", "ConsoleUI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/Shared/LoadEngine"
        ),
        .target(name: "ConsoleUI", path: "Sources/Shared/ConsoleUI"),
        .target(name: "TerminalScreen", dependencies: ["ConsoleUI", "CNcurses"], path: "Sources/Shared/TerminalScreen"),
        // gzip streams written in flushed pieces (zlib), for the console's compressed recordings.
        .target(name: "Gzip", dependencies: ["CZlib"], path: "Sources/Shared/Gzip"),
        // The console's recordings: the JSON Lines format, snapshot patches, seeking, replay state, asciicast (pure).
        .target(name: "ConsoleRecording", dependencies: ["ConsoleUI", "MemeKit"], path: "Sources/Shared/ConsoleRecording"),
        .target(
            name: "ConsoleCore",
            dependencies: ["ConsoleUI", "ConsoleRecording", "Gzip", "MemeKit", "Retry", "NATS", "JetStream", "ClusterReaders", "Autoscaling", "CurlHTTP", "LoadEngine"],
            path: "Sources/Shared/ConsoleCore"
        ),
        .target(
            name: "WorkerService",
            dependencies: [
                "MemeKit", "Retry", "NATS", "JetStream", "MemeStream", "MemeImages", "RedisCache", "OpsHTTP", "CurlHTTP",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/WorkerService"
        ),
        .target(
            name: "LocalScaler",
            dependencies: [
                "Autoscaling", "ClusterReaders", "CurlHTTP", "ChildProcess", "NATS", "JetStream", "MemeKit", "MemeStream", "Retry",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/LocalScaler"
        ),
        // The whole demo on one machine: servers, meme-worker and meme-web processes, the three stand-ins.
        .target(
            name: "LocalStack",
            dependencies: [
                "LocalScaler", "LocalServers", "Autoscaling", "MemeKit", "OpsHTTP", "Retry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/LocalStack"
        ),
        .target(
            name: "WebService",
            dependencies: [
                "MemeKit", "Retry", "NATS", "JetStream", "MemeStream", "RedisCache", "QRCode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Shared/WebService"
        ),
        // nats-server, redis-server, prometheus and redis-exporter: their configuration and start-up, one
        // definition for the demo stack, the tests, the drills and the benchmarks.
        .target(name: "LocalServers", dependencies: ["ChildProcess"], path: "Sources/Shared/LocalServers"),
        // Test support on top of LocalServers: free-port servers, the fake Kubernetes API, built binaries.
        .target(name: "TestServers", dependencies: ["LocalServers"], path: "Sources/Shared/TestServers"),
        // posix_spawn with a clean signal mask, so children get SIGTERM (Foundation.Process blocks it on Linux).
        .target(name: "ChildProcess", dependencies: ["CSpawn"], path: "Sources/Shared/ChildProcess"),
        // /metrics, /healthz, /readyz for the worker and the local autoscaler.
        .target(
            name: "OpsHTTP",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Shared/OpsHTTP"
        ),

        // Settings flags derived from MemeEnv's variables, for every command line (ArgumentParser + MemeKit).
        .target(
            name: "SettingsFlags",
            dependencies: ["MemeKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Shared/SettingsFlags"
        ),

        // MARK: Executables (thin wiring)
        .executableTarget(
            name: "Worker",
            dependencies: [
                "WorkerService", "MemeImages", "MemeKit", "OpsHTTP", "SettingsFlags",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Worker"
        ),
        .executableTarget(
            name: "Stack",
            dependencies: [
                "LocalStack", "LocalScaler", "LocalServers", "WorkerService", "MemeKit", "SettingsFlags",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Stack"
        ),
        .executableTarget(
            name: "Web",
            dependencies: [
                "WebService", "MemeKit", "SettingsFlags",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Web",
            exclude: ["Public"]
        ),
        .executableTarget(
            name: "Console",
            dependencies: [
                "ConsoleCore", "ConsoleUI", "ConsoleRecording", "TerminalScreen", "ClusterReaders", "LoadEngine", "NATS", "MemeKit", "SettingsFlags",
                "Autoscaling", "CurlHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Console"
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "TestServers", "NATS", "JetStream", "MemeImages", "ConsoleCore", "ConsoleUI", "ConsoleRecording", "Gzip",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Bench"
        ),

        // MARK: Tests (one target per module)
        .testTarget(name: "MemeKitTests", dependencies: ["MemeKit"]),
        .testTarget(name: "RetryTests", dependencies: ["Retry"]),
        .testTarget(name: "SettingsFlagsTests", dependencies: ["SettingsFlags", "MemeKit"]),
        // Shared by the per-program settings tests: every variable's environment, flag and bad-value cases.
        .target(name: "SettingsCases", dependencies: ["MemeKit"], path: "Tests/SettingsCases"),
        .testTarget(name: "NATSTests", dependencies: ["NATS", "Retry", "TestServers"]),
        .testTarget(name: "JetStreamTests", dependencies: ["JetStream", "NATS", "Retry", "TestServers"]),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestServers"], exclude: ["Resources"]),
        .testTarget(name: "AutoscalingTests", dependencies: ["Autoscaling"]),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"]),
        .testTarget(name: "MemeImagesTests", dependencies: ["MemeImages"], exclude: ["Golden"]),
        .testTarget(name: "RedisCacheTests", dependencies: ["RedisCache", "TestServers"]),
        .testTarget(name: "ClusterReadersTests", dependencies: ["ClusterReaders", "TestServers"], exclude: ["Resources"]),
        .testTarget(name: "LoadEngineTests", dependencies: ["LoadEngine", "ConsoleUI", "TestServers", "NATS", "JetStream", "MemeKit", "SettingsCases"]),
        .testTarget(name: "ConsoleUITests", dependencies: ["ConsoleUI"], resources: [.copy("Golden")]),
        .testTarget(name: "ConsoleRecordingTests", dependencies: ["ConsoleRecording", "ConsoleUI", "Gzip", "MemeKit"]),
        .testTarget(name: "GzipTests", dependencies: ["Gzip"]),
        .testTarget(name: "TerminalScreenTests", dependencies: ["TerminalScreen", "ConsoleUI"]),
        .testTarget(
            name: "ConsoleCoreTests",
            dependencies: ["ConsoleCore", "ConsoleUI", "ConsoleRecording", "ClusterReaders", "Autoscaling", "NATS", "JetStream", "TestServers",
                           "SettingsCases"]
        ),
        .testTarget(
            name: "WorkerServiceTests",
            dependencies: ["WorkerService", "TestServers", "RedisCache", "NATS", "JetStream", "MemeImages", "CurlHTTP", "SettingsCases"],
            exclude: ["Resources"]
        ),
        .testTarget(name: "LocalScalerTests", dependencies: ["LocalScaler", "TestServers", "Autoscaling", "NATS", "JetStream"]),
        .testTarget(
            name: "LocalStackTests",
            dependencies: ["LocalStack", "LocalScaler", "TestServers", "Autoscaling", "NATS", "JetStream", "LoadEngine", "RedisCache"]
        ),
        .testTarget(
            name: "WebServiceTests",
            dependencies: [
                "WebService", "TestServers", "NATS", "JetStream", "RedisCache", "QRCode", "SettingsCases",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TestServersTests", dependencies: ["TestServers"]),
        .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess"]),
        .testTarget(name: "MemeStreamTests", dependencies: ["MemeStream", "TestServers"]),
        .testTarget(
            name: "OpsHTTPTests",
            dependencies: ["OpsHTTP", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ]
)
