import XCTest
@testable import WorkbenchRuns
