import CZlib
import Foundation
import XCTest
@testable import Tensors

// Helpers for the image tests: a raw PNG writer independent of the
// library's libpng encoder (so decoder and encoder cannot cancel each other
// out), the Pillow fixtures of Tests/Fixtures/images, and image folders.

/// A PNG file with the given IHDR fields and unfiltered rows of packed samples.
func rawPNG(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
            palette: [UInt8]? = nil, trns: [UInt8]? = nil) -> [UInt8] {
    func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(kind.utf8) + data
        let crc = body.withUnsafeBufferPointer { Int(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return be32(data.count) + body + be32(crc)
    }
    var raw: [UInt8] = []
    for row in rows { raw += [0] + row }
    var compressed = [UInt8](repeating: 0, count: Int(compressBound(UInt(raw.count))))
    var size = UInt(compressed.count)
    let rc = compress(&compressed, &size, raw, UInt(raw.count))
    precondition(rc == Z_OK)
    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    out += chunk("IHDR", be32(width) + be32(height) + [bitDepth, colorType, 0, 0, 0])
    if let palette { out += chunk("PLTE", palette) }
    if let trns { out += chunk("tRNS", trns) }
    out += chunk("IDAT", Array(compressed[0..<Int(size)]))
    out += chunk("IEND", [])
    return out
}

/// What Pillow read from each file of Tests/Fixtures/images (generate_images.py).
struct ImageFixtures: Decodable {
    struct File: Decodable {
        let mode: String
        let size: [Int]
        let rgb: [UInt8]
        let rgba: [UInt8]
        let stored: [UInt8]?
    }
    let pillow: String
    let files: [String: File]

    static func load() throws -> ImageFixtures {
        let data = try Data(contentsOf: fixtureURL("images/images.json"))
        return try JSONDecoder().decode(ImageFixtures.self, from: data)
    }
}

/// Pixels that vary by position and channel, offset by `seed`.
func testPixels(width: Int, height: Int, channels: Int, seed: Int = 0) -> Image {
    var img = Image(width: width, height: height, channels: channels)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels { img[y, x, c] = UInt8(truncatingIfNeeded: seed * 31 + y * 17 + x * 5 + c * 71) }
        }
    }
    return img
}

/// Writes `image` as a PNG at `path`, creating the folders on the way.
func writeTestPNG(_ image: Image, _ path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try image.pngData().write(to: URL(fileURLWithPath: path))
}
