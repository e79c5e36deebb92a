import Foundation
import XCTest

/// A Python virtual environment under the build folder (`.build/<name>`),
/// created on first use with packages from PyPI and reused by later runs.
///
/// Skips the calling test (XCTSkip) only when PyPI cannot be reached; any other
/// failure to set it up is an error.
enum PythonVenv {
    /// The package root (three levels above this file).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a program; returns exit status and combined output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in dir: URL? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let dir { p.currentDirectoryURL = dir }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The venv's python with `modules` importable (installing `packages` if needed).
    static func python(name: String, packages: [String], modules: [String]) throws -> String {
        let dir = packageRoot.appendingPathComponent(".build").appendingPathComponent(name)
        let python = dir.appendingPathComponent("bin/python").path
        let probe = "import " + modules.joined(separator: ", ")
        if FileManager.default.isExecutableFile(atPath: python), (try? run(python, ["-c", probe]))?.status == 0 {
            return python
        }
        let base = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/env"
        let made = base == "/usr/bin/env" ? try run(base, ["python3", "-m", "venv", dir.path]) : try run(base, ["-m", "venv", dir.path])
        guard made.status == 0 else {
            XCTFail("could not create a venv at \(dir.path): \(made.output)")
            throw XCTSkip("no venv")
        }
        let pip = try run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + packages)
        if pip.status != 0 {
            let offline = ["NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
                           "ConnectTimeout", "ProxyError", "No matching distribution", "Connection refused"]
            if offline.contains(where: pip.output.contains) {
                throw XCTSkip("PyPI cannot be reached to install \(packages.joined(separator: " ")): skipping")
            }
            XCTFail("pip install \(packages.joined(separator: " ")) failed: \(pip.output)")
            throw XCTSkip("pip failed")
        }
        return python
    }
}
