import Foundation
import Tensors

/// *Download dataset…*: a chooser of the downloadable datasets, a folder prompt, then a
/// background download (`DownloadJob`) with its own overlay: a bar, bytes, rate and ETA, the
/// file being fetched, the MD5 phase; Esc or c cancels (the partial file is kept), h hides.
/// On success the dataset opens; on cancel or error the dataset and the run stay as they were.
extension App {
    /// The datasets the chooser offers, in order (every kind `DatasetDownload.official` knows).
    static let downloadable: [ImageDatasetKind] = ImageDatasetKind.allCases

    /// The menu's *Download dataset…*: the chooser, or the running download's overlay with a note.
    func chooseDownload() {
        if let job = download { return refuseSecondDownload(job) }
        let options = Self.downloadable.map { kind -> String in
            guard let files = try? services.downloads(kind) else { return DownloadJob.title(kind) }
            let n = files.resources.count
            let sizes = files.resources.compactMap(\.size)
            let size = sizes.count == n ? ", " + Format.bytes(sizes.reduce(0, +)) : ""
            return DownloadJob.title(kind) + "  (\(n) file\(n == 1 ? "" : "s")\(size))"
        }
        overlay = .chooser(Chooser(title: "Download dataset", options: options, selected: 0, purpose: .downloadDataset))
    }

    /// The folder prompt for `kind` (Tab completes paths).
    func promptDownloadFolder(_ kind: ImageDatasetKind) {
        prompt(.downloadDataset(kind), "Download \(DownloadJob.title(kind)) into folder", "data")
    }

    /// Starts downloading `kind` into `dir`; an error for the prompt, or nil when started.
    func startDownload(_ kind: ImageDatasetKind, into dir: String) -> String? {
        if let job = download {
            refuseSecondDownload(job)
            return nil
        }
        if let problem = UserFiles.folderProblem(dir) { return problem }
        let files: DatasetDownload
        do { files = try services.downloads(kind) } catch { return "\(error)" }
        let job = DownloadJob(files: files, root: dir)
        download = job
        overlay = .download
        job.start()
        return nil
    }

    /// A download is running: show it again, saying why no other starts.
    private func refuseSecondDownload(_ job: DownloadJob) {
        job.hidden = false
        job.note = "a download is already running: wait for it or cancel it (Esc) first"
        overlay = .download
        needsRender = true
    }

    /// Drains the download thread's reports (each tick).
    func pollDownload(now: Date = Date()) {
        guard let job = download else { return }
        for u in job.updates.drain() {
            needsRender = true
            switch u {
            case .progress(let p):
                job.record(p, at: now.timeIntervalSince1970)
                if job.hidden { showToast(job.statusLine, seconds: 2) }
            case .done(let path):
                download = nil
                if case .download = overlay { overlay = nil }
                finishDownload(job, path: path)
            case .cancelled(let c):
                download = nil
                let kept = c.partialFile.map { "cancelled — \(Format.bytes(Int(c.keptBytes))) kept in \($0), the next download resumes" }
                    ?? "cancelled — nothing of \(URL(fileURLWithPath: c.url).lastPathComponent) was kept"
                let before = job.latest.map { $0.fileIndex > 0 ? "\nThe \($0.fileIndex) file\($0.fileIndex == 1 ? "" : "s") before it stay (verified)." : "" } ?? ""
                overlay = .message(title: "Download of \(DownloadJob.title(job.files.kind)) cancelled",
                                   text: kept + before + "\nThe dataset and the run are unchanged.", isError: false)
            case .failed(let m):
                download = nil
                overlay = .message(title: "Download of \(DownloadJob.title(job.files.kind)) failed",
                                   text: m + "\nThe dataset and the run are unchanged.", isError: true)
            }
        }
    }

    /// Opens what `job` downloaded (not while a run is active: then it is only remembered).
    private func finishDownload(_ job: DownloadJob, path: String) {
        let name = DownloadJob.title(job.files.kind)
        if runState.isActive {
            services.recents?.add(path)
            overlay = .message(title: "\(name) downloaded",
                               text: "\(name) is in \(path). A run is active, so the dataset was not switched: open it from the menu (i) when the run ends.",
                               isError: false)
            return
        }
        do {
            switchDataset(try services.datasets.open(job.files.kind, path: path))
        } catch {
            overlay = .message(title: "Could not open the download", text: "\(error)", isError: true)
        }
    }

    /// Keys on the download overlay: Esc or c cancels, h hides.
    func handleDownloadKey(_ key: Key) {
        guard let job = download else { overlay = nil; return }
        switch key {
        case .escape, .char("c"):
            job.cancel()
            job.note = nil
        case .char("h"):
            job.hidden = true
            overlay = nil
            showToast(job.statusLine, seconds: 3)
        default: break
        }
    }

    /// The download overlay: title, bar, bytes/rate/ETA, the file, the phase, a note, the keys.
    func renderDownload(_ canvas: inout Canvas, _ r: Rect) {
        guard let job = download else { return }
        let inner = Box.draw(&canvas, r, title: job.title, focused: true, ctx: ctx)
        let style = ctx.style(.menu)
        canvas.fill(inner, " ", style)
        Meter.draw(&canvas, x: inner.x + 1, y: inner.y, width: inner.width - 2, fraction: job.fraction, ctx: ctx)
        for (i, line) in job.lines.enumerated() {
            canvas.put(line, x: inner.x + 1, y: inner.y + 1 + i, i == 2 ? ctx.style(.dim).with(bg: style.bg) : style,
                       maxWidth: inner.width - 2)
        }
        if let note = job.note {
            canvas.put(note, x: inner.x + 1, y: inner.y + 4, ctx.style(.error).with(bg: style.bg), maxWidth: inner.width - 2)
        }
        let keys = job.isCancelling ? "cancelling… " : "Esc/c cancel  h hide "
        canvas.putRight(keys, maxX: inner.maxX, y: inner.maxY - 1, ctx.style(.dim).with(bg: style.bg))
    }

    /// The download overlay's rectangle.
    var downloadRect: Rect {
        Rect(x: 0, y: 0, width: width, height: height).centered(width: min(72, width - 4), height: 8)
    }
}
