// swift-tools-version:6.0
import PackageDescription

// Release builds of the numeric library drop Swift's overflow and bounds
// traps in hot kernels; every kernel checks its shapes before the loops.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "Tensors",
            dependencies: [
                "CBLAS", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: fastMath
        ),
        .target(
            name: "WorkbenchCore",
            dependencies: ["Tensors", "CNcurses"]
        ),
        .target(
            name: "WorkbenchServe",
            dependencies: [
                "Tensors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "Workbench",
            dependencies: [
                "Tensors", "WorkbenchCore", "WorkbenchServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["WorkbenchCore", "Tensors"]),
    ],
    swiftLanguageModes: [.v5]
)
