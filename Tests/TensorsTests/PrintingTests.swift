import Foundation
import XCTest
@testable import Tensors

/// Printing is compared against strings printed by PyTorch
/// (Tests/Fixtures/printing.json, made by Tests/Fixtures/make_printing_fixtures.py).
final class PrintingTests: XCTestCase {
    struct Case: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var values: [Value]
        var requires_grad: Bool
        var op: String
        var expected: String
    }

    /// A float written as a decimal string ("nan", "inf" too) or an integer.
    enum Value: Decodable {
        case float(Float), int(Int)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .int(i); return }
            let s = try c.decode(String.self)
            switch s {
            case "nan": self = .float(.nan)
            case "inf": self = .float(.infinity)
            case "-inf": self = .float(-.infinity)
            default: self = .float(Float(Double(s)!))
            }
        }
        var float: Float { if case .float(let f) = self { return f }; if case .int(let i) = self { return Float(i) }; return 0 }
        var int: Int { if case .int(let i) = self { return i }; return 0 }
    }

    func loadCases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/printing.json")
        struct File: Decodable { var cases: [Case] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }

    func testMatchesPyTorch() throws {
        let cases = try loadCases()
        XCTAssertGreaterThan(cases.count, 30)
        for c in cases {
            let text: String
            if c.dtype == "int64" {
                text = IntTensor(c.values.map { $0.int }, shape: c.shape).description
            } else {
                let t = Tensor(c.values.map { $0.float }, shape: c.shape)
                if c.requires_grad { t.requiresGrad = true }
                switch c.op {
                case "mul2": text = (t * 2).description
                case "sum": text = t.sum().description
                case "relu": text = t.relu().description
                default: text = t.description
                }
            }
            XCTAssertEqual(text, c.expected, "case \(c.name)")
        }
    }

    func testOtherForms() {
        XCTAssertEqual(Tensor.meta([2, 3]).description, "tensor(..., device='meta', size=(2, 3))")
        XCTAssertEqual(Tensor([[0.1, 0.2], [1, 2]]).description, "tensor([[0.1000, 0.2000],\n        [1.0000, 2.0000]])")
        XCTAssertEqual(Tensor(Float(3.5)).description, "tensor(3.5000)")
        XCTAssertEqual(Tensor([Float]()).description, "tensor([])")
        // Strided views print their logical order.
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).t.description, "tensor([[1., 3.],\n        [2., 4.]])")
        XCTAssertEqual("\(Tensor([1, 2]))", "tensor([1., 2.])")
    }
}
