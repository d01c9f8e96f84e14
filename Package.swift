// swift-tools-version:6.0
import PackageDescription

// The layers, each a target so that the compiler holds the direction (README "Architecture"):
//
//   KFPModel  ←  KFPIngest (readers)
//             ←  KFPStore (the store interface, its query types, and the backends behind one factory)
//             ←  KFPReports (compare, runs, top, history, the gate: typed results from the store interface;
//                            it reads a JSON rules file with KFPIngest's strict parser)
//             ←  KFPRender (one report model per report, one renderer per output format)
//             ←  KFPMetrics (the operations a command runs: ingest, import, validate, gate)
//             ←  kfpm (the thin executable: argument parsing, one file per subcommand)
let package = Package(
    name: "kfpm",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kfpm", targets: ["kfpm"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev), reached through our own thin wrapper in KFPStore/SQLite, and
        // read only by the MLflow importer's own reader in KFPIngest/MLflow (an MLflow store is an input, not a store).
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
        // printf's formatting of one double, called without Swift's boxing of variadic arguments.
        .target(name: "CNumberFormat"),
        // libpq's declarations only (Debian: libpq-dev to build, libpq5 to run). No pkgConfig and no `link` in its
        // module map: SwiftPM would then add -lpq to every executable. KFPStore loads libpq with dlopen when a
        // postgresql:// store is first opened, so start-up and the SQLite commands never pay for it.
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
        // Names, values and runs: what every layer shares. No I/O.
        .target(name: "KFPModel", dependencies: ["CNumberFormat"]),
        // Reading metrics files: the JSON parser, one reader per format, archives, folders, import layouts, MLflow
        // stores (opened read-only).
        .target(name: "KFPIngest", dependencies: ["KFPModel", "CZlib", "CSQLite"]),
        // The store interface and its backends, opened by location.
        .target(name: "KFPStore", dependencies: ["KFPModel", "CSQLite", "CLibPQ"]),
        // Typed results of the read commands and the gate, computed from the store interface.
        .target(
            name: "KFPReports",
            dependencies: ["KFPModel", "KFPIngest", "KFPStore"]
        ),
        // Report models and one renderer per output format.
        .target(name: "KFPRender", dependencies: ["KFPModel", "KFPStore", "KFPReports"]),
        // The operations the commands run. Never imports ArgumentParser.
        .target(name: "KFPMetrics", dependencies: ["KFPModel", "KFPIngest", "KFPStore", "KFPReports", "KFPRender"]),
        // The thin executable: one file per subcommand.
        .executableTarget(
            name: "kfpm",
            dependencies: [
                "KFPModel", "KFPIngest", "KFPStore", "KFPReports", "KFPRender", "KFPMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixture paths, golden files, temporary folders and a runner for the built binary, for both test targets.
        .target(name: "KFPMTestSupport", path: "Tests/KFPMTestSupport"),
        .testTarget(
            name: "KFPMetricsTests",
            dependencies: ["KFPModel", "KFPIngest", "KFPStore", "KFPReports", "KFPRender", "KFPMetrics", "KFPMTestSupport"]
        ),
        .testTarget(name: "KFPMCLITests", dependencies: ["kfpm", "KFPMTestSupport"]),
    ]
)
