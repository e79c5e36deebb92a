import Foundation
import Tensors

extension App {

    func startDownload(into dir: String) {
        let task = DownloadTask()
        download = task
        overlay = .progress(title: "Download CIFAR-10", fraction: 0, text: "starting…")
        let provider = services.datasets
        let updates = task.updates
        Thread.detachNewThread {
            do {
                let path = try provider.downloadCIFAR10(into: dir) { f, m in updates.push(.progress(f, m)) }
                updates.push(.done(path))
            } catch {
                updates.push(.failed("\(error)"))
            }
        }
    }

    func pollDownload() {
        guard let task = download else { return }
        for u in task.updates.drain() {
            needsRender = true
            switch u {
            case .progress(let f, let m):
                if case .progress = overlay { overlay = .progress(title: "Download CIFAR-10", fraction: f, text: m) }
            case .done(let path):
                download = nil
                if case .progress = overlay { overlay = nil }
                do { switchDataset(try services.datasets.openCIFAR10(path: path)) } catch {
                    overlay = .message(title: "Could not open the download", text: "\(error)", isError: true)
                }
            case .failed(let m):
                download = nil
                overlay = .message(title: "Download failed", text: m, isError: true)
            }
        }
    }
}
