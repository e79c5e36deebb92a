import Foundation
import Tensors
import WorkbenchRuns

/// A publish in progress: the session is saving the model to `weights` (a temporary file);
/// when it is written, the file is published into the hub folder `dir` as entry `name`.
struct HubPublish: Equatable {
    var weights: String
    var dir: String
    var name: String
}

/// Reading a hub's manifest or loading an entry on a background thread (a git clone or an
/// https download must not stall the UI); the UI thread polls `updates`.
final class HubTask: @unchecked Sendable {
    enum Update {
        case manifest(source: String, HubManifest)
        case loaded(weights: URL, HubManifest.Entry)
        case failed(title: String, String)
    }
    let updates = MessageQueue<Update>()
}

extension App {
    /// The weights of the current model are saved (with their metadata) to a temporary file
    /// by the session, between steps; `finishPublish` then publishes that file.
    func publishToHub(dir: String, name: String) -> String? {
        do { try Hub.checkEntryName(name) } catch { return "\(error)" }
        guard let s = session else { return "no model" }
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("workbench-publish-\(getpid())-\(name).safetensors").path
        pendingPublish = HubPublish(weights: tmp, dir: dir, name: name)
        overlay = nil
        s.send(.file(.saveModel, path: tmp))
        showToast("publishing \(name) to \(dir)…")
        return nil
    }

    /// The temporary save finished: publish it (hub.json rewritten atomically) and remove it.
    func finishPublish(error: String?) {
        guard let p = pendingPublish else { return }
        pendingPublish = nil
        defer { try? FileManager.default.removeItem(atPath: p.weights) }
        if let error {
            overlay = .message(title: "Could not publish to \(p.dir)", text: error, isError: true)
            return
        }
        let doc = "\(modelName) trained on \(dataset.name) in the workbench TUI"
            + (evaluation.map { r in r.metrics.isEmpty ? "" : "; " + r.metrics.map { "\($0.key) \(Format.metric($0.value))" }.sorted().joined(separator: ", ") } ?? "")
        do {
            let e = try Hub.publish(weights: URL(fileURLWithPath: p.weights), name: p.name, doc: doc,
                                    into: URL(fileURLWithPath: p.dir), version: RunStore.workbenchVersion)
            showToast("published \(e.name) (\(e.architecture), sha256 \(e.files.first.map { String($0.sha256.prefix(12)) } ?? "")…) to \(p.dir)/\(HubManifest.fileName)",
                      seconds: 8)
        } catch {
            overlay = .message(title: "Could not publish to \(p.dir)", text: "\(error)", isError: true)
        }
    }

    /// Reads the manifest of hub `text` in the background, then offers its entries in a chooser.
    func readHub(_ text: String) -> String? {
        let source: HubSource
        do { source = try HubSource(text) } catch { return "\(error)" }
        lastHub = text
        let task = HubTask()
        hubTask = task
        overlay = .progress(title: "Load from hub", fraction: 0, text: "reading \(source)…")
        let updates = task.updates
        Thread.detachNewThread {
            do { updates.push(.manifest(source: text, try Hub.manifest(source))) } catch {
                updates.push(.failed(title: "Cannot read the hub \(text)", "\(error)"))
            }
        }
        return nil
    }

    /// Copies `entry` of `source` into the hub cache (hashes checked) in the background; the
    /// session then loads the weights. An entry of another architecture switches the model first.
    func loadHubEntry(source text: String, entry: String) {
        guard !runState.isActive else {
            overlay = .message(title: "Load from hub", text: "Stop the run first (x): loading replaces the model's weights.", isError: true)
            return
        }
        guard let source = try? HubSource(text) else { return }
        let task = HubTask()
        hubTask = task
        overlay = .progress(title: "Load from hub", fraction: 0.5, text: "loading \(entry) from \(text) (SHA-256 checked)…")
        let updates = task.updates
        Thread.detachNewThread {
            do {
                let (url, e) = try Hub.load(source, entry: entry)
                updates.push(.loaded(weights: url, e))
            } catch {
                updates.push(.failed(title: "Cannot load \(entry) from \(text)", "\(error)"))
            }
        }
    }

    /// Applies the background hub work's results; called every tick.
    func pollHub() {
        guard let task = hubTask else { return }
        for u in task.updates.drain() {
            needsRender = true
            hubTask = nil
            switch u {
            case .manifest(let source, let m):
                guard !m.entries.isEmpty else {
                    overlay = .message(title: "Load from hub", text: "\(source) has no entries", isError: true)
                    break
                }
                let options = m.entries.map { e in
                    "\(e.name)  \(e.architecture)  \(e.doc.split(separator: "\n").first.map(String.init) ?? "")"
                }
                overlay = .chooser(Chooser(title: "Load from \(source)", options: options, selected: 0, purpose: .hubEntry(source: source)))
            case .loaded(let url, let e):
                overlay = nil
                let arch = services.catalog.modelNames.first { $0.lowercased() == e.architecture.lowercased() }
                if let arch, arch != modelName { switchModel(arch) }
                guard arch != nil || e.architecture.lowercased() == modelName.lowercased() else {
                    overlay = .message(title: "Load from hub", text: "\(e.name) is a \(e.architecture), which this workbench's model list does not have",
                                       isError: true)
                    break
                }
                guard let s = session else { showToast("no model to load \(e.name) into", isError: true); break }
                s.send(.file(.loadModel, path: url.path))
                showToast("loading \(e.name) from the hub cache…")
            case .failed(let title, let text):
                overlay = .message(title: title, text: text, isError: true)
            }
        }
    }
}
