import Foundation
import Tensors
import XCTest

/// The hub over https with a throw-away certificate authority made by the openssl
/// program: an untrusted certificate is refused naming the host; trusting the CA
/// (`WORKBENCH_CA_FILE` or `--ca-file`) lets the load through, SHA-256 still checked.
extension DeployEndToEndTests {
    /// Runs `openssl ARGS` in `folder`; throws its stderr unless it exits 0.
    func openssl(_ args: [String], in folder: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + args
        p.currentDirectoryURL = folder
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("openssl \(args.first ?? "") failed: \(text)") }
    }

    /// A CA (ca.pem) and a server certificate for 127.0.0.1 signed by it (server.pem, server.key), valid one day.
    func makeCertificates(in folder: URL) throws -> (ca: URL, certificate: URL, key: URL) {
        let which = Process()
        which.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        which.arguments = ["sh", "-c", "command -v openssl"]
        which.standardOutput = FileHandle.nullDevice
        try which.run()
        which.waitUntilExit()
        guard which.terminationStatus == 0 else { throw XCTSkip("the openssl program is not installed: no certificates for the https hub test") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
                     "-subj", "/CN=workbench test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: folder)
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: folder)
        try Data("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: folder.appendingPathComponent("server.ext"))
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "server.pem", "-days", "1", "-extfile", "server.ext"], in: folder)
        return (folder.appendingPathComponent("ca.pem"), folder.appendingPathComponent("server.pem"), folder.appendingPathComponent("server.key"))
    }

    func testHubOverHTTPSWithAPrivateCertificateAuthority() throws {
        let certs = try makeCertificates(in: dir.appendingPathComponent("tls"))
        let (weights, _) = try saveLeNet()
        let hub = dir.appendingPathComponent("hub")
        XCTAssertEqual(try workbench(["hub", "publish", "--weights", weights.path, "--name", "lenet5-tls", hub.path]).status, 0)
        let server = try HubFileServer(folder: hub, tls: (certs.certificate, certs.key))
        defer { server.stop() }
        XCTAssertTrue(server.url.hasPrefix("https://127.0.0.1:"), server.url)

        // Not trusted: refused, naming the host and the way to trust a private CA; nothing cached.
        let home = dir.appendingPathComponent("home-tls")
        let refused = try workbench(["hub", "load", server.url, "lenet5-tls"], home: home)
        XCTAssertEqual(refused.status, 1, refused.out)
        XCTAssertTrue(refused.err.contains("the TLS certificate of 127.0.0.1 is not trusted"), refused.err)
        XCTAssertTrue(refused.err.contains("WORKBENCH_CA_FILE"), refused.err)
        let cached = FileManager.default.enumerator(atPath: home.path)?.allObjects as? [String] ?? []
        XCTAssertFalse(cached.contains { $0.hasSuffix(".safetensors") }, "\(cached)")

        // Trusted through the environment: the file arrives, byte for byte.
        let trusted = try workbench(["hub", "load", server.url, "lenet5-tls"], home: home, environment: ["WORKBENCH_CA_FILE": certs.ca.path])
        XCTAssertEqual(trusted.status, 0, trusted.err)
        let path = try XCTUnwrap(trusted.out.components(separatedBy: " to ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(FileManager.default.contents(atPath: path), FileManager.default.contents(atPath: weights.path))

        // Trusted with --ca-file, into a fresh cache; a changed file still fails the SHA-256 check.
        var bytes = try Data(contentsOf: hub.appendingPathComponent("lenet5-tls.safetensors"))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: hub.appendingPathComponent("lenet5-tls.safetensors"))
        let tampered = try workbench(["hub", "load", "--ca-file", certs.ca.path, server.url, "lenet5-tls"], home: dir.appendingPathComponent("home-tls2"))
        XCTAssertEqual(tampered.status, 1, tampered.out)
        XCTAssertTrue(tampered.err.contains("SHA-256"), tampered.err)
        XCTAssertTrue(tampered.err.contains("discarded"), tampered.err)

        // A CA file that is not there is named.
        let missing = try workbench(["hub", "list", "--ca-file", dir.appendingPathComponent("none.pem").path, server.url])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("--ca-file: cannot read"), missing.err)
    }
}
