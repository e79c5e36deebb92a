import Foundation
import Tensors

extension App {
    /// The misclassified test samples of one confusion cell, in test-split order.
    func gallerySamples(truth: Int, predicted: Int) -> [Misclassification] {
        misclassified.filter { $0.truth == truth && $0.predicted == predicted }
    }

    /// Thumbnail geometry of the gallery in `inner`: a 32×32 image as 16×8 cells, captions of
    /// four lines (index, then the top three classes) under each.
    static func galleryGrid(_ inner: Rect) -> (columns: Int, rows: Int, cellW: Int, cellH: Int) {
        let cellW = 20, cellH = 8 + 5
        return (max(1, inner.width / cellW), max(1, (inner.height - 2) / cellH), cellW, cellH)
    }

    func handleGalleryKey(_ key: Key, truth: Int, predicted: Int, offset: Int) {
        let n = gallerySamples(truth: truth, predicted: predicted).count
        let g = App.galleryGrid(overlayRect.inset(1))
        let page = g.columns * g.rows
        let classes = max(1, dataset.classNames.count)
        func go(_ t: Int, _ p: Int) {
            datasetPane.confusionCell = (t, p)
            overlay = .gallery(truth: t, predicted: p, offset: 0)
        }
        switch key {
        case .down: overlay = .gallery(truth: truth, predicted: predicted, offset: min(max(0, n - 1), offset + g.columns))
        case .up: overlay = .gallery(truth: truth, predicted: predicted, offset: max(0, offset - g.columns))
        case .pageDown: overlay = .gallery(truth: truth, predicted: predicted, offset: min(max(0, n - 1), offset + page))
        case .pageUp: overlay = .gallery(truth: truth, predicted: predicted, offset: max(0, offset - page))
        case .right: go(truth, (predicted + 1) % classes)
        case .left: go(truth, (predicted + classes - 1) % classes)
        case .escape, .char("q"), .enter: overlay = nil
        default: break
        }
    }

    /// The images of the cell (from the dataset browser's test split) with their true class,
    /// the prediction and the model's top-3 probabilities.
    func renderGallery(_ canvas: inout Canvas, _ rect: Rect, truth: Int, predicted: Int, offset: Int) {
        let names = dataset.classNames
        func name(_ i: Int) -> String { i < names.count ? names[i] : "class \(i)" }
        let items = gallerySamples(truth: truth, predicted: predicted)
        let title = "Misclassified: true \(name(truth)) → predicted \(name(predicted))"
        let inner = Box.draw(&canvas, rect, title: title, rightTitle: "\(items.count) test images", focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.normal))
        let help = "↑↓ PgUp/PgDn scroll · ←→ other predicted class · Esc close"
        defer { canvas.put(help, x: inner.x, y: inner.maxY - 1, ctx.style(.dim), maxWidth: inner.width) }
        if truth == predicted {
            canvas.putCentered("the diagonal holds the correct predictions: pick an off-diagonal cell (←→)", in: inner,
                               y: inner.y + inner.height / 2, ctx.style(.dim))
            return
        }
        guard !items.isEmpty else {
            canvas.putCentered(misclassified.isEmpty ? "press E (evaluate on the test split) to collect the misclassified images"
                               : "no test image of \(name(truth)) was predicted as \(name(predicted))",
                               in: inner, y: inner.y + inner.height / 2, ctx.style(.dim))
            return
        }
        let g = App.galleryGrid(inner)
        let first = min(offset - offset % g.columns, max(0, items.count - 1))
        for (k, m) in items[first...].prefix(g.columns * g.rows).enumerated() {
            let x = inner.x + (k % g.columns) * g.cellW, y = inner.y + (k / g.columns) * g.cellH
            if m.index < dataset.count(.test) {
                ImageView.draw(&canvas, dataset.image(.test, m.index), x: x, y: y, columns: 16, rows: 8)
            }
            canvas.put("#\(m.index)", x: x, y: y + 8, ctx.style(.title), maxWidth: g.cellW - 1)
            for (r, guess) in m.top.enumerated() {
                let style = guess.label == truth ? ctx.style(.highlight) : guess.label == predicted ? ctx.style(.warning) : ctx.style(.dim)
                canvas.put(String(format: "%@ %.0f%%", name(guess.label) as NSString, guess.probability * 100),
                           x: x, y: y + 9 + r, style, maxWidth: g.cellW - 1)
            }
        }
    }
}
