// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for every parser of outside input. Built by
// scripts/fuzz.sh with `-sanitize=fuzzer,address -parse-as-library -enable-testing`,
// in release, one product at a time (`@testable import` reaches the internal
// parsers through -enable-testing; a debug build would rename `main` for
// testable executables, which libFuzzer provides); each target defines
// `LLVMFuzzerTestOneInput`.
let targets = ["safetensors", "checkpoint", "targz", "cifar", "idx", "csv", "png", "jpeg", "hubmanifest", "modelmetadata", "theme", "modelfile", "serve"]

let package = Package(
    name: "workbench-fuzz",
    dependencies: [.package(name: "workbench", path: "..")],
    targets: targets.map { name in
        .executableTarget(name: "fuzz-\(name)",
                          dependencies: [.product(name: "Tensors", package: "workbench")],
                          path: "Sources/\(name)")
    },
    swiftLanguageModes: [.v5]
)
