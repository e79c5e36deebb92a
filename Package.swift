// swift-tools-version:6.0
import PackageDescription

// Release builds of the numeric library drop Swift's overflow and bounds
// traps in hot kernels; every kernel checks its shapes before the loops.
// Debug builds (the test suite) optimise the numeric library too: the tests
// train real models, and unoptimised kernels made them ~10× slower.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "workbench",
    products: [
        .executable(name: "workbench", targets: ["Workbench"]),
        .library(name: "Tensors", targets: ["Tensors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Imported by WorkbenchServe directly (HTTPTypes, NIOCore, NIOHTTPTypes), so declared
        // here rather than left to resolve through Hummingbird.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Open MPI (Debian's libopenmpi-dev): pkg-config `ompi-c` gives its include and lib folders.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),
        // PNG/JPEG codecs in C over libpng and libjpeg-turbo: both libraries
        // report errors by longjmp, which must not cross Swift frames.
        .target(
            name: "CImageCodecs",
            path: "Sources/CImageCodecs",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),
        .target(
            name: "Tensors",
            dependencies: [
                "CBLAS", "CZlib", "CImageCodecs",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: fastMath
        ),
        .target(
            name: "WorkbenchRuns",
            dependencies: [
                "Tensors",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "WorkbenchCore",
            dependencies: ["Tensors", "WorkbenchRuns", "CNcurses"]
        ),
        .target(
            name: "WorkbenchServe",
            dependencies: [
                "Tensors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        // The MPI process group for data-parallel training; Tensors only sees the ProcessGroup protocol.
        .target(name: "WorkbenchMPI", dependencies: ["Tensors", "CMPI"]),
        .executableTarget(
            name: "Workbench",
            dependencies: [
                "Tensors", "WorkbenchCore", "WorkbenchRuns", "WorkbenchServe", "WorkbenchMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test helpers two test targets share: a local HTTP server, tar/gzip/IDX builders.
        .target(name: "DataTestKit", dependencies: ["CZlib"], path: "Tests/DataTestKit"),
        .testTarget(name: "TensorsTests", dependencies: [
            "Tensors", "DataTestKit", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "WorkbenchTests", dependencies: [
            "WorkbenchCore", "Tensors", "WorkbenchRuns", "DataTestKit",
            // The hub tests' file server (HubFileServer), over http and https.
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "WorkbenchServeTests", dependencies: ["WorkbenchServe", "Tensors"]),
        .testTarget(name: "WorkbenchRunsTests", dependencies: [
            "WorkbenchRuns", "Tensors", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
