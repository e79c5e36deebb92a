import Tensors
import XCTest
@testable import WorkbenchCore

final class WidgetTests: XCTestCase {
    let ctx = RenderContext()

    func testBoxDrawsBorderAndTitle() {
        var c = Canvas(width: 20, height: 4)
        let inner = Box.draw(&c, Rect(x: 0, y: 0, width: 20, height: 4), title: "Model", rightTitle: "62k", focused: true, ctx: ctx)
        XCTAssertEqual(inner, Rect(x: 1, y: 1, width: 18, height: 2))
        XCTAssertEqual(c.row(0), "╭─ Model ──── 62k ─╮")
        XCTAssertEqual(c.row(3), "╰──────────────────╯")
        XCTAssertEqual(c[0, 0].style, ctx.style(.borderFocused))
        XCTAssertEqual(c[3, 0].style, ctx.style(.titleFocused))
    }

    func testHalfBlockImageUsesUpperPixelAsForeground() {
        var img = RGBImage(width: 2, height: 2, fill: RGB(0, 0, 0))
        img.setPixel(0, 0, RGB(255, 0, 0))
        img.setPixel(0, 1, RGB(0, 0, 255))
        img.setPixel(1, 0, RGB(0, 255, 0))
        img.setPixel(1, 1, RGB(9, 9, 9))
        var c = Canvas(width: 2, height: 1, colorMode: .truecolor)   // exact pixels (256 colours dither: DitherTests)
        ImageView.draw(&c, img, x: 0, y: 0, columns: 2, rows: 1)
        XCTAssertEqual(c[0, 0].char, "▀")
        XCTAssertEqual(c[0, 0].style.fg, .rgb(RGB(255, 0, 0)))
        XCTAssertEqual(c[0, 0].style.bg, .rgb(RGB(0, 0, 255)))
        XCTAssertEqual(c[1, 0].style.fg, .rgb(RGB(0, 255, 0)))
        XCTAssertEqual(c[1, 0].style.bg, .rgb(RGB(9, 9, 9)))
    }

    func testImageFallsBackToShadedAsciiInMonochrome() {
        var img = RGBImage(width: 3, height: 2, fill: RGB(0, 0, 0))
        for y in 0..<2 { img.setPixel(1, y, RGB(128, 128, 128)); img.setPixel(2, y, RGB(255, 255, 255)) }
        var c = Canvas(width: 3, height: 1, colorMode: .monochrome)
        ImageView.draw(&c, img, x: 0, y: 0, columns: 3, rows: 1)
        XCTAssertEqual(c.row(0), " +@")
        XCTAssertEqual(c[2, 0].style, Style())
    }

    func testImageResizeAveragesAreas() {
        var img = RGBImage(width: 2, height: 2, fill: RGB(0, 0, 0))
        img.setPixel(0, 0, RGB(200, 100, 40))
        let small = img.resized(width: 1, height: 1)
        XCTAssertEqual(small.pixel(0, 0), RGB(50, 25, 10))
        let big = img.resized(width: 4, height: 4)
        XCTAssertEqual(big.pixel(1, 1), RGB(200, 100, 40))
        XCTAssertEqual(big.pixel(2, 2), RGB(0, 0, 0))
    }

    func testPlanarImageConversion() {
        let bytes: [UInt8] = [1, 2, 3, 4, 10, 20, 30, 40, 100, 101, 102, 103]
        let img = RGBImage(planar: bytes, width: 2, height: 2)
        XCTAssertEqual(img.pixel(1, 0), RGB(2, 20, 101))
        XCTAssertEqual(img.pixel(0, 1), RGB(3, 30, 102))
    }

    func testBrailleChartDrawsDiagonalAndAxes() {
        // y = x from 0 to 10 on a chart whose plot area is 10×4 cells (20×16 dots).
        let pts = (0...10).map { ChartPoint(Double($0), Double($0)) }
        let chart = LineChart(series: [ChartSeries(name: "s", points: pts, color: .stepLoss)], xTitle: "step")
        var c = Canvas(width: 13, height: 6)
        chart.draw(&c, c.bounds, ctx: ctx)
        // Left labels are "0", "5", "10" (nice ticks); the axis sits after the widest.
        XCTAssertEqual(c.row(0).prefix(3), "10┤")
        XCTAssertEqual(c.row(3).prefix(3), " 0┤")
        XCTAssertTrue(c.row(4).hasPrefix("  └"))
        XCTAssertTrue(c.row(5).hasSuffix("step"))
        // The line starts at the bottom-left dot and ends at the top-right dot.
        let bottomLeft = c[3, 3].char.value - 0x2800, topRight = c[12, 0].char.value - 0x2800
        XCTAssertNotEqual(bottomLeft & 0x40, 0, "dot (0,3) of the first cell")
        XCTAssertNotEqual(topRight & 0x08, 0, "dot (1,0) of the last cell")
        XCTAssertEqual(c[3, 3].style, ctx.style(.series(.stepLoss)))
        // Nothing above the diagonal in the top-left cell.
        XCTAssertEqual(c[3, 0].char, " ")
    }

    func testBandSeriesFillsTheMinMaxEnvelopeOfEachColumn() {
        // Two values in the first dot column (0 and 10): the band covers the whole height there.
        let pts = [ChartPoint(0, 0), ChartPoint(0, 10), ChartPoint(10, 5)]
        var c = Canvas(width: 13, height: 6)
        LineChart(series: [ChartSeries(name: "raw", points: pts, color: .graphText, band: true)]).draw(&c, c.bounds, ctx: ctx)
        for y in 0..<4 {
            let bits = c[3, y].char.value &- 0x2800
            XCTAssertEqual(bits & 0x47, 0x47, "left dot column of cell row \(y) filled")
        }
        // The last column holds one value: a single dot, not a band.
        let last = (0..<4).map { c[12, $0].char.value &- 0x2800 }.filter { $0 < 0x100 && $0 != 0 }
        XCTAssertEqual(last.count, 1)
    }

    func testLogXAxisPlacesDecadesEvenly() {
        var c = Canvas(width: 62, height: 8)
        let pts = [ChartPoint(1e-6, 1), ChartPoint(1, 1)]
        LineChart(series: [ChartSeries(name: "s", points: pts, color: .stepLoss)], markers: [ChartMarker(x: 1e-3, label: "m")],
                  xTitle: "lr (log)", logX: true).draw(&c, c.bounds, ctx: ctx)
        XCTAssertShows(c, "lr (log)")
        XCTAssertShows(c, Format.compact(pow(10, -3)))
        // The marker at 1e-3 sits half-way between 1e-6 and 1.
        let plotX = (0..<c.width).first { c[$0, 6].char == "└" }.map { $0 + 1 } ?? 0
        let markerCols = (plotX..<c.width).filter { x in (1..<6).contains { y in
            c[x, y].style == ctx.style(.series(.marker)) } }
        let plotWidth = c.width - plotX
        XCTAssertFalse(markerCols.isEmpty)
        XCTAssertEqual(Double(markerCols[0] - plotX), Double(plotWidth) / 2, accuracy: 1.5)
    }

    func testStepChartXAxisCyclesStepEpochWallTime() {
        let steps: [StepInfo] = (1...40).map { (g: Int) -> StepInfo in
            let epoch: Int = (g - 1) / 10 + 1, step: Int = (g - 1) % 10 + 1
            return StepInfo(epoch: epoch, step: step, stepsPerEpoch: 10, globalStep: g, loss: 2 / Double(g), lr: 0.01, samplesPerSecond: 1)
        }
        // Times for the last 20 steps only (the first 20 were restored from a checkpoint).
        let times: [Double] = (0..<20).map { (i: Int) -> Double in 1000 + Double(i) * 0.5 }
        let data = ChartData(steps: steps, history: MetricHistory(), stepsPerEpoch: 10, stepTimes: times)
        var pane = ChartsPane()
        pane.arrangement = .steps
        XCTAssertEqual(pane.xValue(data).values.compactMap { $0 }.last, 40)
        pane.apply(.nextXAxis)
        XCTAssertEqual(pane.xAxis, .epoch)
        XCTAssertEqual(pane.xValue(data).values.last ?? nil, 4)
        XCTAssertTrue(pane.title.contains("x epoch"), pane.title)
        pane.apply(.nextXAxis)
        let wall = pane.xValue(data)
        XCTAssertEqual(wall.title, "seconds")
        XCTAssertEqual(wall.values.prefix(20).compactMap { $0 }.count, 0, "restored steps have no wall time")
        XCTAssertEqual(wall.values[20], 0)
        XCTAssertEqual(wall.values[39], 9.5)
        var c = Canvas(width: 60, height: 12)
        pane.render(&c, inner: c.bounds, history: data, ctx: ctx)
        XCTAssertShows(c, "seconds")
        pane.apply(.nextXAxis)
        XCTAssertEqual(pane.xAxis, .step)
        XCTAssertEqual(ChartsPane.bindings.action(for: .char("w")), .nextXAxis)
        XCTAssertEqual(ChartsPane.bindings.action(for: .char("g")), .toggleLogX)
    }

    func testChartMarkerAndEmptyMessage() {
        var c = Canvas(width: 40, height: 8)
        let chart = LineChart(series: [ChartSeries(name: "s", points: [ChartPoint(1, 2), ChartPoint(100, 1)], color: .stepLoss)],
                              markers: [ChartMarker(x: 50, label: "lr=0.1")])
        chart.draw(&c, c.bounds, ctx: ctx)
        XCTAssertShows(c, "lr=0.1")
        var e = Canvas(width: 40, height: 8)
        LineChart(series: [], emptyMessage: "nothing").draw(&e, e.bounds, ctx: ctx)
        XCTAssertShows(e, "nothing")
    }

    func testNiceTicksAndLogScaleLabels() {
        XCTAssertEqual(LineChart.niceTicks(0, 10, maxCount: 3, expand: true), [0, 5, 10])
        XCTAssertEqual(LineChart.niceTicks(0.13, 0.92, maxCount: 5, expand: true), [0, 0.5, 1])
        XCTAssertEqual(LineChart.niceTicks(0.13, 0.92, maxCount: 6, expand: true).count, 6)
        XCTAssertEqual(LineChart.niceTicks(3, 97, maxCount: 4, expand: false), [20, 40, 60, 80])
        var c = Canvas(width: 30, height: 8)
        let pts = [ChartPoint(1, 100), ChartPoint(2, 0.01)]
        LineChart(series: [ChartSeries(name: "s", points: pts, color: .stepLoss)], logScale: true).draw(&c, c.bounds, ctx: ctx)
        XCTAssertShows(c, "100┤")
        XCTAssertShows(c, "0.01┤")
    }

    func testSmoothingMatchesDebiasedEMA() {
        XCTAssertEqual(LineChart.smooth([1, 2, 3], 0), [1, 2, 3])
        let s = LineChart.smooth([4, 2], 0.5)
        XCTAssertEqual(s[0], 4, accuracy: 1e-12)
        // (0.5·0.5·4 + 0.5·2) / (1 - 0.25) = 2 / 0.75
        XCTAssertEqual(s[1], (0.25 * 4 + 0.5 * 2) / 0.75, accuracy: 1e-12)
    }

    func testBarsUseEighthBlocks() {
        XCTAssertEqual(Bars.bar(fraction: 1, width: 4), "████")
        XCTAssertEqual(Bars.bar(fraction: 0.5, width: 3), "█▌")
        XCTAssertEqual(Bars.bar(fraction: 0, width: 3), "")
        var c = Canvas(width: 20, height: 2)
        Bars.draw(&c, c.bounds, labels: ["cat", "dog"], values: [10, 5], valueText: ["10", "5"], ctx: ctx)
        XCTAssertEqual(c.row(0), "cat  ████████████ 10")
        XCTAssertEqual(c.row(1), "dog  ██████        5")
    }

    func testTextInputEditing() {
        var t = TextInput("runs/m.safetensors")
        XCTAssertEqual(t.handle(.home), .editing)
        _ = t.handle(.delete)
        _ = t.handle(.char("R"))
        XCTAssertEqual(t.text, "Runs/m.safetensors")
        _ = t.handle(.end)
        _ = t.handle(.backspace)
        XCTAssertEqual(t.text, "Runs/m.safetensor")
        _ = t.handle(.ctrl("u"))
        XCTAssertEqual(t.text, "")
        _ = t.handle(.char("x"))
        XCTAssertEqual(t.handle(.enter), .submitted("x"))
        XCTAssertEqual(t.handle(.escape), .cancelled)
    }

    func testMenuSkipsSeparatorsAndDisabledItems() {
        let items: [MenuItem<Int>] = [.separator("Run"), MenuItem("A", hotkey: "a", action: 1),
                                      MenuItem("B", hotkey: "b", action: 2, enabled: false), MenuItem("C", hotkey: "c", action: 3)]
        var sel = Menu.first(items)
        XCTAssertEqual(sel, 1)
        guard case .none = Menu.handle(.down, items: items, selected: &sel) else { return XCTFail() }
        XCTAssertEqual(sel, 3)
        guard case .choose(let a) = Menu.handle(.enter, items: items, selected: &sel) else { return XCTFail() }
        XCTAssertEqual(a, 3)
        guard case .none = Menu.handle(.char("b"), items: items, selected: &sel) else { return XCTFail("disabled item chosen") }
        guard case .choose(1) = Menu.handle(.char("a"), items: items, selected: &sel) else { return XCTFail() }
        guard case .close = Menu.handle(.escape, items: items, selected: &sel) else { return XCTFail() }
    }

    func testTreeViewIndentsAndMarks() {
        var c = Canvas(width: 30, height: 4)
        let rows = [TreeRow(path: "", depth: 0, hasChildren: true, expanded: true, label: "Net", columns: ["10", "5"]),
                    TreeRow(path: "fc", depth: 1, hasChildren: false, expanded: false, label: "fc: Linear", columns: ["10", "5"], isError: true)]
        TreeView.draw(&c, c.bounds, rows: rows, selected: 0, offset: 0, header: ["layer", "out", "n"], columnWidths: [5, 3], focused: true, ctx: ctx)
        XCTAssertTrue(c.row(1).hasPrefix("▾ Net"))
        XCTAssertTrue(c.row(2).hasPrefix("    fc: Linear"))
        XCTAssertTrue(c.row(2).hasSuffix("10   5"))
        XCTAssertEqual(c[0, 1].style, ctx.style(.selected))
        XCTAssertEqual(c[4, 2].style, ctx.style(.error))
    }

    func testFormatting() {
        XCTAssertEqual(Format.grouped(62006), "62,006")
        XCTAssertEqual(Format.grouped(-1234567), "-1,234,567")
        XCTAssertEqual(Format.params(11_173_962), "11.17M")
        XCTAssertEqual(Format.params(48120), "48.1k")
        XCTAssertEqual(Format.compact(0.5), "0.5")
        XCTAssertEqual(Format.compact(12_500), "12.5k")
        XCTAssertEqual(Format.metric(2.302585), "2.3026")
        XCTAssertEqual(Format.duration(3725), "1:02:05")
        XCTAssertEqual(Format.duration(65), "01:05")
        XCTAssertEqual(Format.dims([1, 6, 28, 28]), "6×28×28")
    }
}
