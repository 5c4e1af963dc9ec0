// swift-tools-version:6.1
// Sharp: sharpness-aware optimizers and loss-landscape metrics for image classifiers.
// Module layering (imports point down only) is documented in docs/architecture.md.
import PackageDescription

let package = Package(
    name: "Sharp",
    products: [
        .executable(name: "sharp", targets: ["sharp"]),
        .executable(name: "sharpq", targets: ["sharpq"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Autodiff", targets: ["Autodiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The web UI's HTTP server (docs/web.md); its optional swift-configuration support is left out.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // sharpd's logs (text or JSON lines, journald priorities) and its Prometheus /metrics.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "Hashing", dependencies: ["CCrypto"]),
        // The one JSON writer (sorted keys, fixed escapes and number spellings, no Foundation) and its value type.
        .target(name: "JSON"),
        // Version and the git commit of the build (stamped by a build-tool plugin on every build).
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),
        .target(name: "BuildInfo", plugins: ["BuildInfoPlugin"]),
        // C kernels built for the x86-64 baseline, AVX2+FMA and (convolutions, sums) AVX-512, picked at run time.
        .target(name: "CKernels"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Autodiff", dependencies: ["Tensor"]),
        .target(name: "NN", dependencies: ["Autodiff", "Tensor"]),
        .target(name: "Datasets", dependencies: ["Tensor", "Hashing", "CArchive", "CPNG", "CJPEG"]),
        .target(name: "Checkpoint", dependencies: ["JSON", "Tensor", "Hashing", "CArchive"]),
        .target(name: "Training", dependencies: ["JSON", "NN", "Datasets", "Checkpoint", "PluginHost", "Autodiff", "Tensor", "BuildInfo"]),
        // `sharp import`: PyTorch safetensors state dicts into checkpoint archives (docs/importing.md).
        .target(name: "Import", dependencies: ["JSON", "NN", "Datasets", "Checkpoint", "Training", "Tensor", "Hashing"]),
        // The index, split by concern (docs/index-and-queries.md): storage and the job queue over
        // the `SQLDatabase` seam (SQLite and PostgreSQL), the queries, their presentation, and the statistics.
        .target(name: "Statistics"),
        // SVG documents and the charts drawn in them (the study's figures, the web UI's plots).
        .target(name: "Charts"),
        .target(name: "Index", dependencies: ["JSON", "CSQLite", "CPostgres"]),
        .target(name: "IndexQueries", dependencies: ["JSON", "Index", "Statistics"]),
        .target(name: "IndexPresentation", dependencies: ["JSON", "IndexQueries", "Index", "Statistics"]),
        .executableTarget(
            name: "sharpq",
            dependencies: [
                "Index", "IndexQueries", "IndexPresentation", "Statistics", "CommandLineSupport", "BuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "CommandLineSupport", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "sharp",
            dependencies: [
                "CommandLineSupport", "BuildInfo", "Tensor", "Autodiff", "NN", "Datasets", "Checkpoint", "PluginHost", "Training", "Import", "Scoring",
                "Index", "IndexRecords", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "sharp-bench", dependencies: ["JSON", "Tensor", "Autodiff", "NN", "Datasets", "PluginHost", "PluginKit", "Scoring", "Training"]),
        // Finding and running the built executables from tests (a plain target: test targets share it).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CKernels", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Tensor", "Autodiff"], resources: [.copy("Goldens")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Autodiff", "Tensor", "TestSupport"], resources: [.copy("Goldens")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensor", "Autodiff", "Hashing"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "JSON", "Tensor", "Hashing"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "PluginHost", "Checkpoint", "Datasets", "NN", "Tensor"]),
        .testTarget(name: "IndexTests", dependencies: ["Index", "IndexQueries", "IndexPresentation", "Statistics", "TestSupport"]),
    ]
)

// Plugins (docs/plugin-abi.md): the versioned C ABI, the kit plugin authors import (a library
// product, so out-of-tree plugin packages can depend on it), the host-side loader, and the
// built-in optimizers, each its own dynamic library (libSAM.so, ...) registered as lower-case `sam`.
let optimizerPlugins = ["SGD", "Adam", "AdamW", "SAM", "ASAM", "GSAM", "WSAM", "CRSAM"]
package.products += [.library(name: "PluginKit", targets: ["PluginKit"]), .library(name: "PluginCheck", targets: ["PluginCheck"])]
    + optimizerPlugins.map { .library(name: $0, type: .dynamic, targets: [$0]) }
package.targets += [
    .target(name: "CSharpPlugin"),
    .target(name: "PluginKit", dependencies: ["CSharpPlugin", "JSON"]),
    .target(name: "PluginHost", dependencies: ["CSharpPlugin", "JSON", "Tensor"]),
    // `sharp plugin check` and plugin packages' own tests: a plugin loaded and exercised as the host would.
    .target(name: "PluginCheck", dependencies: ["PluginHost", "CSharpPlugin"]),
    .testTarget(name: "PluginTests", dependencies: ["PluginHost", "PluginKit", "PluginCheck", "Tensor", "TestSupport"]),
] + optimizerPlugins.map { .target(name: $0, dependencies: ["PluginKit"], path: "Plugins/Optimizers/\($0)") }

// Metrics (docs/metrics.md): the built-in metric plugins, each its own dynamic library
// (libHessianEigen.so, ...) registered as `hessian-eigen` etc.; their Krylov and statistics code
// lives in PluginKit (Sources/PluginKit/Krylov), so out-of-tree metric plugins can use it too.
// Scoring is the host side: it rebuilds a checkpoint's model and data and runs metric plugins on them.
let metricPlugins = ["Accuracy", "HessianEigen", "HessianTrace", "HessianSpectrum", "Sharpness", "Fisher"]
package.products += metricPlugins.map { .library(name: $0, type: .dynamic, targets: [$0]) }
package.targets += [
    .target(name: "Scoring", dependencies: ["JSON", "Checkpoint", "PluginHost", "NN", "Datasets", "Autodiff", "Tensor", "Hashing"]),
    .testTarget(
        name: "MetricTests", dependencies: ["PluginKit", "PluginHost", "Scoring", "Checkpoint", "Datasets", "NN", "Autodiff", "Tensor"],
        exclude: ["Goldens/gen_lambda_max.py"], resources: [.copy("Goldens/lambda_max.json")]),
    .testTarget(
        name: "ImportTests", dependencies: ["Import", "Scoring", "PluginHost", "Checkpoint", "Training", "Datasets", "NN", "Tensor", "TestSupport"],
        resources: [.copy("Fixtures")]),
    .testTarget(name: "ScoringTests", dependencies: ["JSON", "Scoring", "PluginHost", "Checkpoint", "Datasets", "NN", "Autodiff", "Tensor", "TestSupport"]),
] + metricPlugins.map { .target(name: $0, dependencies: ["PluginKit"], path: "Plugins/Metrics/\($0)") }

// What `sharp doctor` reports and the start-up restart onto the best BLAS kernel, for the
// executables that compute (Tensor itself does no I/O).
package.targets += [
    .target(name: "MachineCheck", dependencies: ["Tensor", "PluginHost", "BuildInfo"]),
    .testTarget(name: "MachineCheckTests", dependencies: ["MachineCheck", "Tensor"]),
]
package.targets.first { $0.name == "sharp" }?.dependencies.append("MachineCheck")
package.targets.first { $0.name == "sharp-bench" }?.dependencies.append("MachineCheck")

// The daemon (docs/daemon.md): `Daemon` watches a store, indexes checkpoints and runs metric jobs
// in worker processes; `sharpd` is its command line (and the worker and planner processes).
package.products += [.executable(name: "sharpd", targets: ["sharpd"])]
package.targets += [
    // What a checkpoint puts into the index (its row, results and series), for sharpd and sharp study alike.
    .target(name: "IndexRecords", dependencies: ["JSON", "Index", "Scoring", "Checkpoint", "PluginHost"]),
    .target(
        name: "Daemon",
        dependencies: [
            "JSON", "Index", "IndexRecords", "Scoring", "Checkpoint", "Datasets", "PluginHost", "Hashing", "NN", "Tensor",
            .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
    .executableTarget(
        name: "sharpd",
        dependencies: [
            "Daemon", "Datasets", "Index", "IndexQueries", "Scoring", "Study", "PluginHost", "CommandLineSupport", "BuildInfo", "MachineCheck",
            "WebUI", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
        ]),
    .testTarget(
        name: "DaemonTests",
        dependencies: [
            "Daemon", "Index", "IndexQueries", "TestSupport", "Checkpoint", "PluginHost", "Training", "Datasets", "NN", "Tensor",
            .product(name: "Logging", package: "swift-log"),
        ]),
]

// The study in one command (docs/study.md): the grid, its cells trained in-process, scoring through
// sharpd (or in-process), the report (tables from the index, hand-written SVG figures) and the
// loss-landscape slices of `sharp landscape`.
package.targets += [
    .target(
        name: "Study",
        dependencies: [
            "JSON", "Training", "Scoring", "Index", "IndexQueries", "IndexPresentation", "Statistics", "IndexRecords",
            "Checkpoint", "Datasets", "NN", "PluginHost", "Hashing", "Tensor", "Charts",
        ]),
    .testTarget(
        name: "StudyTests",
        dependencies: [
            "Study", "Daemon", "Index", "IndexQueries", "Statistics", "IndexRecords", "Scoring", "Training", "Checkpoint",
            "Datasets", "NN", "PluginHost", "Tensor", "Charts",
        ],
        resources: [.copy("Fixtures")]),
]
package.targets.first { $0.name == "sharp" }?.dependencies.append("Study")
package.targets.first { $0.name == "sharp" }?.dependencies.append("Charts")
package.targets.first { $0.name == "sharp" }?.dependencies.append("PluginCheck")

// tools/bench-index: writes a synthetic million-row index through IndexStore, then times sharpq.
package.targets += [.executableTarget(name: "sharp-index-bench", dependencies: ["Index"])]
package.targets += [.executableTarget(name: "sharp-fleet-bench", dependencies: ["Index"])]

// The web UI (docs/web.md): read-only pages and a JSON API over a store's index, served by
// `sharpq serve`; pages are plain functions of a request (WebApp), Hummingbird only carries them.
package.targets += [
    .target(
        name: "WebUI",
        dependencies: [
            "JSON", "Index", "IndexQueries", "IndexPresentation", "Statistics", "Charts", "Checkpoint",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    .testTarget(
        name: "WebUITests",
        dependencies: ["WebUI", "Index", "IndexQueries", "JSON", "TestSupport", "Checkpoint"]),
]
package.targets.first { $0.name == "sharpq" }?.dependencies.append("WebUI")
