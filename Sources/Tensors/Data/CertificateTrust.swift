import Foundation

/// Which certificate authorities https downloads trust (the hub, datasets).
///
/// By default, the system's: Foundation's URLSession on Linux goes through
/// libcurl, which reads Debian's bundle `/etc/ssl/certs/ca-certificates.crt`.
/// To trust a private CA (a company hub, a test server), name its PEM file in
/// `WORKBENCH_CA_FILE` (or `--ca-file`, which sets it). Measured on Debian 12
/// with Swift 6.3.1: FoundationNetworking gives no way to pass libcurl a CA
/// file, and libcurl ignores `SSL_CERT_FILE`, `SSL_CERT_DIR` and
/// `CURL_CA_BUNDLE` (only the curl program reads them), so with a CA file the
/// transfers go through the `curl` program with `--cacert`, as git sources go
/// through the git program.
public enum CertificateTrust {
    /// The environment variable naming a PEM file of trusted certificate authorities.
    public static let environmentVariable = "WORKBENCH_CA_FILE"

    /// The CA file to trust for `url` (https only), or nil for the system's authorities.
    static func caFile(for url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard url.scheme == "https", let file = environment[environmentVariable], !file.isEmpty else { return nil }
        return file
    }

    /// A message for a TLS failure reaching `url`, naming its host and how to trust a private CA; nil for other errors.
    static func explain(_ message: String, url: URL) -> String? {
        let lower = message.lowercased()
        guard url.scheme == "https",
              ["ssl", "certificate", "tls", "handshake"].contains(where: { lower.contains($0) }) else { return nil }
        let host = url.host ?? url.absoluteString
        return "the TLS certificate of \(host) is not trusted or the TLS handshake failed (\(message)); "
            + "to trust a private certificate authority, set \(environmentVariable) (or pass --ca-file) to its PEM file"
    }

    /// What went wrong in a `curl` run that exited with `status`, from its stderr.
    static func curlFailure(status: Int32, stderr: String, url: URL) -> String {
        let said = stderr.split(separator: "\n").last.map(String.init)?.replacingOccurrences(of: "curl: ", with: "") ?? ""
        switch status {
        case 35, 51, 58, 59, 60, 77, 80, 83, 90, 91:
            return explain("SSL " + said, url: url) ?? said
        default:
            return said.isEmpty ? "curl exited with status \(status)" : said
        }
    }

    /// Runs `curl` with `caFile` trusted; throws with its message unless it exits 0.
    static func curl(_ arguments: [String], caFile: String, url: URL) throws {
        guard FileManager.default.isReadableFile(atPath: caFile) else {
            throw DataError(.invalidArgument, "\(environmentVariable): cannot read the CA file \(caFile)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl", "--silent", "--show-error", "--fail", "--location", "--proto", "=https", "--cacert", caFile,
                       "--connect-timeout", "30"] + arguments + ["--", url.absoluteString]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw DataError(.download, "\(url.absoluteString): \(environmentVariable) needs the curl program, which did not start (\(error))")
        }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw CurlError(status: p.terminationStatus, message: curlFailure(status: p.terminationStatus, stderr: text, url: url))
        }
    }

    /// A failed `curl` run: its exit status and what it means.
    struct CurlError: Error, CustomStringConvertible {
        /// curl's exit status (63: over `--max-filesize`; 33: the server cannot resume).
        var status: Int32
        var message: String
        var description: String { message }
    }
}
