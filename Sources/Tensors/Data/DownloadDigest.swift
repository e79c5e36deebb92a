import Crypto
import Foundation

/// The running digests of a download (MD5 and/or SHA-256), checked against
/// the expected ones when the file is complete.
struct DownloadDigest {
    private let expectedMD5: String?
    private let expectedSHA256: String?
    private var md5: Insecure.MD5?
    private var sha256: SHA256?

    /// Digests for the expected values (empty or nil: not computed).
    init(md5: String?, sha256: String?) {
        expectedMD5 = (md5?.isEmpty ?? true) ? nil : md5
        expectedSHA256 = (sha256?.isEmpty ?? true) ? nil : sha256
        self.md5 = expectedMD5 == nil ? nil : Insecure.MD5()
        self.sha256 = expectedSHA256 == nil ? nil : SHA256()
    }

    /// Digests for `resource`'s MD5 and SHA-256.
    init(_ resource: DownloadResource) {
        self.init(md5: resource.md5, sha256: resource.sha256)
    }

    /// The same expectations with nothing hashed yet.
    func restarted() -> DownloadDigest { DownloadDigest(md5: expectedMD5, sha256: expectedSHA256) }

    mutating func update(_ data: Data) {
        md5?.update(data: data)
        sha256?.update(data: data)
    }

    /// Hashes the file at `path`; returns its length.
    mutating func update(fromFile path: String) throws -> Int64 {
        let f = try FileSource(path: path)
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let n = try buf.withUnsafeMutableBytes { try f.read(into: $0) }
            if n == 0 { break }
            update(Data(buf[0..<n]))
            total += Int64(n)
        }
        return total
    }

    /// Whether the file at `path` has the expected digests.
    func ofFile(_ path: String) throws -> Bool {
        var d = restarted()
        _ = try d.update(fromFile: path)
        return d.mismatch() == nil
    }

    /// The MD5 so far, lowercase hex (nil when not computed).
    func md5Hex() -> String? { md5.map { Self.hex($0.finalize()) } }

    /// "MD5 mismatch (got …, expected …)" for the first digest that differs, or nil when all match.
    func mismatch() -> String? {
        if let expectedMD5, let got = md5Hex(), got != expectedMD5 {
            return "MD5 mismatch (got \(got), expected \(expectedMD5))"
        }
        if let expectedSHA256, let s = sha256.map({ Self.hex($0.finalize()) }), s != expectedSHA256 {
            return "SHA-256 mismatch (got \(s), expected \(expectedSHA256))"
        }
        return nil
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
