import Foundation
import XCTest

/// The `workbench` executable the end-to-end tests run: the one built beside the
/// test bundle when there is one (so `make test-tsan`/`test-asan`, with their own
/// build folders, run the instrumented binary, not a stale one from `.build`),
/// else the newest of `.build/debug/workbench` and `.build/release/workbench`.
enum WorkbenchBinary {
    /// Its path; skips the test when neither build exists.
    static func path() throws -> String {
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("workbench").path
        if FileManager.default.isExecutableFile(atPath: own) { return own }
        let candidates = ["debug", "release"].map { EndToEndTests.repo + "/.build/\($0)/workbench" }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
        func date(_ p: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: p))?[.modificationDate] as? Date) ?? .distantPast
        }
        guard let newest = candidates.max(by: { date($0) < date($1) }) else {
            throw XCTSkip("no workbench binary under .build (run `swift build` or `make test` first)")
        }
        return newest
    }
}
