import Foundation
import Tensors

/// A dataset download running on a background thread, as the TUI shows it:
/// the latest progress, the transfer rate and time left, and the cancel flag.
///
/// The thread only pushes `Update`s; everything else is read and written on
/// the UI thread (`App+Download.swift` drains the updates each tick).
final class DownloadJob: @unchecked Sendable {
    /// What the download thread reports.
    enum Update {
        case progress(DatasetDownloadProgress)
        /// Finished: the path the dataset opens from.
        case done(String)
        case cancelled(DownloadCancelled)
        case failed(String)
    }

    /// The files being fetched.
    let files: DatasetDownload
    /// The folder they are fetched into (as typed).
    let root: String
    let cancellation = DownloadCancellation()
    let updates = MessageQueue<Update>()
    /// The latest progress (nil before the first report).
    private(set) var latest: DatasetDownloadProgress?
    /// A line shown above the keys (e.g. why a second download was refused).
    var note: String?
    /// Whether the user hid the overlay (the download goes on, the status bar shows it).
    var hidden = false
    /// (seconds, bytes of all files) of the last few seconds, for the rate.
    private var samples: [(time: Double, bytes: Int64)] = []
    /// How many seconds of samples the rate averages over.
    static let rateWindow = 3.0

    init(files: DatasetDownload, root: String) {
        self.files = files
        self.root = root
    }

    /// "MNIST", "Fashion-MNIST", "CIFAR-10", "CIFAR-100".
    static func title(_ kind: ImageDatasetKind) -> String { kind == .fashionMNIST ? "Fashion-MNIST" : kind.rawValue }

    /// Starts fetching on a detached thread.
    func start() {
        let files = self.files, root = self.root, updates = self.updates, cancellation = self.cancellation
        Thread.detachNewThread {
            do {
                let path = try files.fetch(into: root, cancellation: cancellation) { updates.push(.progress($0)) }
                updates.push(.done(path))
            } catch let c as DownloadCancelled {
                updates.push(.cancelled(c))
            } catch {
                updates.push(.failed("\(error)"))
            }
        }
    }

    /// Asks the thread to stop; it reports `.cancelled` within a fraction of a second.
    func cancel() { cancellation.cancel() }

    /// Whether a cancel was asked for.
    var isCancelling: Bool { cancellation.isCancelled }

    /// Takes a progress report that arrived at `time` (seconds).
    func record(_ p: DatasetDownloadProgress, at time: Double) {
        latest = p
        guard p.phase == .transferring else { return }
        samples.append((time, p.received))
        while let first = samples.first, time - first.time > Self.rateWindow, samples.count > 2 { samples.removeFirst() }
    }

    /// Bytes per second over the last few seconds (nil until two reports).
    var bytesPerSecond: Double? {
        guard let a = samples.first, let b = samples.last, b.time > a.time, b.bytes >= a.bytes else { return nil }
        return Double(b.bytes - a.bytes) / (b.time - a.time)
    }

    /// Seconds left at the current rate: of the whole set when its total is known, else of
    /// the current file (nil when neither size or the rate is known).
    var secondsLeft: Double? {
        guard let p = latest, let rate = bytesPerSecond, rate > 0 else { return nil }
        if let total = p.total { return Double(max(0, total - p.received)) / rate }
        guard let t = p.fileTotal else { return nil }
        return Double(max(0, t - p.fileReceived)) / rate
    }

    /// The share done, 0…1.
    var fraction: Double { latest?.fraction ?? 0 }

    /// The overlay's title: "Download MNIST into data".
    var title: String { "Download \(Self.title(files.kind)) into \(root)" }

    /// The overlay's text lines under the bar: bytes and rate, the file, the phase.
    var lines: [String] {
        guard let p = latest else { return ["connecting…"] }
        // The bar shows the share of the whole set; the bytes are of the set when its size is
        // known (the official files), else of the file arriving (a mirror's other files).
        var bytes: String
        var thisFile = false
        if let total = p.total {
            bytes = "\(Format.bytes(Int(p.received))) of \(Format.bytes(Int(total)))"
        } else if let t = p.fileTotal, t > 0 {
            thisFile = p.fileCount > 1
            let pct = Int((Double(p.fileReceived) / Double(t) * 100).rounded(.down))
            bytes = "\(Format.bytes(Int(p.fileReceived))) of \(Format.bytes(Int(t)))" + (thisFile ? " (\(pct)% of this file)" : "")
        } else {
            bytes = Format.bytes(Int(p.received)) + " received"
        }
        if let rate = bytesPerSecond { bytes += "  \(Format.bytes(Int(rate)))/s" }
        if let left = secondsLeft { bytes += "  ETA \(Format.duration(left))" + (thisFile ? " for it" : "") }
        let file = p.fileCount > 1 ? "file \(p.fileIndex + 1) of \(p.fileCount): \(p.filename)" : p.filename
        let phase: String
        if isCancelling {
            phase = "cancelling…"
        } else {
            switch p.phase {
            case .connecting: phase = "connecting…"
            case .transferring: phase = "downloading (MD5 checked as it arrives)"
            case .verifying: phase = "verifying MD5…"
            }
        }
        return [bytes, file, phase]
    }

    /// The status-bar line while the overlay is hidden: "downloading MNIST 45% (file 2 of 4)".
    var statusLine: String {
        let files = (latest?.fileCount ?? 1) > 1 ? " (file \((latest?.fileIndex ?? 0) + 1) of \(latest?.fileCount ?? 1))" : ""
        return "downloading \(Self.title(self.files.kind)) \(Int((fraction * 100).rounded(.down)))%\(files) — m D shows it"
    }
}
