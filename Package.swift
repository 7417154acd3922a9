// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Release builds keep the compiler's static exclusivity checks and drop the run-time ones:
    // swift_beginAccess was 14 % of the instructions of a SENTINEL GET-MASTER-ADDR-BY-NAME
    // (callgrind, 35.4k -> 32.0k per request; issue 16). Each event loop owns its state, so an
    // overlapping access would be a bug the debug builds (and every test) still trap on.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "swift-sentinel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swift-sentinel", targets: ["swift-sentinel"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        // `/metrics` (issue 15): swift-prometheus's registry, on swift-metrics (whose version is pinned here).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
    ],
    targets: [
        // RESP2/RESP3 codec. NIOCore only.
        .target(
            name: "RESP",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The pure sentinel: events in, actions out. No sockets, no clock reads.
        .target(
            name: "SentinelCore",
            dependencies: [
                "RESP",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            // The command table's data; CommandTable+Generated.swift is generated from it
            // (scripts/generate-command-table).
            exclude: ["Server/Spec/commands.json"],
            swiftSettings: swiftSettings
        ),
        // SwiftNIO edges: client port, outbound links, config file I/O, the event loop runtime.
        .target(
            name: "SentinelRuntime",
            dependencies: [
                "RESP",
                "SentinelCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swift-sentinel",
            dependencies: ["SentinelRuntime", "SentinelCore"],
            swiftSettings: swiftSettings,
            plugins: ["GitCommitPlugin"]
        ),
        // Writes the git commit of the checkout into swift-sentinel's sources at every build
        // (`--version`, `INFO server`); rewritten only when it changes.
        .plugin(name: "GitCommitPlugin", capability: .buildTool()),
        .testTarget(
            name: "RESPTests",
            dependencies: [
                "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelCoreTests",
            dependencies: [
                "SentinelCore", "RESP",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelRuntimeTests",
            dependencies: [
                "SentinelRuntime", "SentinelCore", "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SentinelCore", "SentinelRuntime", "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer targets (fuzz/, docs/fuzzing.md). Declared only when SWIFT_SENTINEL_FUZZ=1, so normal
// builds and `swift test` never see them; `chaos/fuzz` builds them into .build-fuzz/. RESP and
// SentinelCore are then compiled with coverage and AddressSanitizer (one `-sanitize=fuzzer,address`:
// SwiftPM's `--sanitize=fuzzer --sanitize=address` passes two flags and swiftc keeps only the
// last, so nothing would be instrumented for coverage); the dependencies stay plain. One
// executable serves every target (SENTINEL_FUZZ_TARGET picks it): one link instead of one per
// target. Its main calls libFuzzer's LLVMFuzzerRunDriver.
if Context.environment["SWIFT_SENTINEL_FUZZ"] == "1" {
    let sanitize = "-sanitize=fuzzer,address"
    for target in package.targets where target.name == "RESP" || target.name == "SentinelCore" {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags([sanitize])]
    }
    package.targets.append(
        .executableTarget(
            name: "sentinel-fuzz",
            dependencies: [
                "RESP", "SentinelCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "fuzz/Sources",
            swiftSettings: swiftSettings + [.unsafeFlags([sanitize])],
            linkerSettings: [.unsafeFlags([sanitize, "-use-ld=lld"])]
        )
    )
}
