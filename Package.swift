// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kfpm",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kfpm", targets: ["kfpm"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev), reached through our own thin wrapper in KFPMetrics/Store.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // The system zlib (Debian: zlib1g-dev), used only to inflate KFP v1 metrics artifacts (.tgz) in memory.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The library core: model, ingest, store, query, render. Never imports ArgumentParser.
        .target(
            name: "KFPMetrics",
            dependencies: ["CSQLite", "CZlib", .product(name: "Yams", package: "Yams")]
        ),
        // The thin executable: one file per subcommand.
        .executableTarget(
            name: "kfpm",
            dependencies: [
                "KFPMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixture paths, golden files and a runner for the built binary, shared by both test targets.
        .target(name: "KFPMTestSupport", path: "Tests/KFPMTestSupport"),
        .testTarget(name: "KFPMetricsTests", dependencies: ["KFPMetrics", "KFPMTestSupport"]),
        .testTarget(name: "KFPMCLITests", dependencies: ["kfpm", "KFPMTestSupport"]),
    ]
)
