import Tensors
/// The four panes.
public enum PaneID: Int, CaseIterable, Sendable {
    case dataset = 1
    case model = 2
    case charts = 3
    case hyperparameters = 4

    public var title: String {
        switch self {
        case .dataset: return "Dataset"
        case .model: return "Model"
        case .charts: return "Charts"
        case .hyperparameters: return "Hyperparameters"
        }
    }

    public var next: PaneID { PaneID(rawValue: rawValue % 4 + 1) ?? .dataset }
    public var previous: PaneID { PaneID(rawValue: (rawValue + 2) % 4 + 1) ?? .dataset }
}

/// Where everything goes on a screen of a given size.
public struct Layout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 18

    public var width: Int
    public var height: Int
    /// Pane rectangles (empty when too small or when another pane is zoomed).
    public var panes: [PaneID: Rect]
    public var statusBar: Rect
    public var helpLine: Rect
    public var tooSmall: Bool

    /// Lays out a `width`×`height` screen. Below 60×18 only `tooSmall` is set. With `zoomed`
    /// the focused pane takes the whole body. From 150×40 the dataset gets a full-height
    /// column; otherwise the panes sit in a 2×2 grid.
    public init(width: Int, height: Int, zoomed: PaneID? = nil) {
        self.width = width
        self.height = height
        panes = [:]
        statusBar = Rect(x: 0, y: max(0, height - 2), width: width, height: 1)
        helpLine = Rect(x: 0, y: max(0, height - 1), width: width, height: 1)
        tooSmall = width < Layout.minimumWidth || height < Layout.minimumHeight
        if tooSmall { return }
        let body = Rect(x: 0, y: 0, width: width, height: height - 2)
        if let z = zoomed {
            panes[z] = body
            return
        }
        if width >= 150 && height >= 40 {
            let (left, right) = body.splitLeft(width * 42 / 100)
            panes[.dataset] = left
            let (top, bottom) = right.splitTop(right.height * 55 / 100)
            panes[.charts] = top
            let (model, hyper) = bottom.splitLeft(bottom.width * 55 / 100)
            panes[.model] = model
            panes[.hyperparameters] = hyper
        } else {
            let (top, bottom) = body.splitTop(max(9, body.height / 2))
            let (ds, charts) = top.splitLeft(width / 2)
            let (model, hyper) = bottom.splitLeft(width / 2)
            panes[.dataset] = ds
            panes[.charts] = charts
            panes[.model] = model
            panes[.hyperparameters] = hyper
        }
    }

    /// The pane under a screen position.
    public func pane(atX x: Int, y: Int) -> PaneID? {
        panes.first { $0.value.contains(x: x, y: y) }?.key
    }
}
