import Foundation
import Tensors
import WorkbenchRuns

extension App {
    // MARK: Keys

    func handleOverlayKey(_ key: Key) {
        guard let o = overlay else { return }
        switch o {
        case .help(let off):
            switch key {
            case .up: overlay = .help(offset: max(0, off - 1))
            case .down: overlay = .help(offset: off + 1)
            case .pageUp: overlay = .help(offset: max(0, off - 10))
            case .pageDown: overlay = .help(offset: off + 10)
            default: overlay = nil
            }
        case .menu(var sel):
            let items = menuItems
            switch Menu.handle(key, items: items, selected: &sel) {
            case .none: overlay = .menu(selected: sel)
            case .close: overlay = nil
            case .choose(let cmd):
                overlay = nil
                run(cmd)
            }
        case .confirm(_, _, let yes):
            switch key {
            case .char("y"), .char("Y"), .enter:
                overlay = nil
                confirm(yes)
            case .char("n"), .char("N"), .escape, .char("q"):
                overlay = nil
            default: break
            }
        case .prompt(var p):
            if key == .up || key == .down, let recent = recentPaths(for: p.purpose), !recent.isEmpty {
                // ↑/↓ walk the recent datasets.
                let at = recent.firstIndex(of: p.input.text).map { $0 + (key == .down ? 1 : -1) } ?? 0
                p.input = TextInput(recent[(at % recent.count + recent.count) % recent.count])
                overlay = .prompt(p)
                return
            }
            if key == .tab {
                let (text, candidates) = PathCompletion.complete(p.input.text)
                p.input = TextInput(text)
                p.error = nil
                p.hint = candidates.count > 1 ? candidates.joined(separator: "  ") : candidates.isEmpty ? "no match" : nil
                overlay = .prompt(p)
                return
            }
            switch p.input.handle(key) {
            case .editing:
                p.error = nil
                p.hint = nil
                overlay = .prompt(p)
            case .cancelled: overlay = nil
            case .submitted(let text):
                let path = text.trimmingCharacters(in: .whitespaces)
                if path.isEmpty {
                    p.error = "enter a path"
                    overlay = .prompt(p)
                } else if let err = submitPrompt(p.purpose, path) {
                    p.error = err
                    overlay = .prompt(p)
                }
            }
        case .message:
            if [.enter, .escape, .char(" "), .char("q")].contains(key) { overlay = nil }
        case .chooser(var c):
            switch key {
            case .up, .down:
                c.selected = max(0, min(c.options.count - 1, c.selected + (key == .up ? -1 : 1)))
                overlay = .chooser(c)
                if case .theme = c.purpose { previewTheme(c.options[c.selected]) }
            case .enter:
                overlay = nil
                choose(c)
            case .escape, .char("q"):
                overlay = nil
                if case .theme(let original) = c.purpose { ctx.theme = original }
            default: break
            }
        case .progress:
            if key == .escape { if lrFinderRunning { cancelLRFinder() } else { overlay = nil } }
        case .download: handleDownloadKey(key)
        case .runs: handleRunsKey(key)
        case .lrFinder(let result): handleLRFinderKey(key, result)
        case .gallery(let t, let p, let off): handleGalleryKey(key, truth: t, predicted: p, offset: off)
        case .layerPicker(let p): handleLayerPickerKey(key, p)
        case .layerForm(let f): handleLayerFormKey(key, f)
        case .generate: handleGenerateKey(key)
        }
    }

    /// The recent paths a prompt offers on ↑/↓ (datasets, model files), nil for others.
    func recentPaths(for purpose: PromptPurpose) -> [String]? {
        switch purpose {
        case .openDataset, .openCIFAR10, .openCSV: return services.recents?.paths
        case .openModelFile, .saveModelFile: return services.modelRecents?.paths
        default: return nil
        }
    }

    func confirm(_ a: ConfirmAction) {
        switch a {
        case .quit: finish()
        case .newRun: newRun()
        case .switchModel(let m): switchModel(m)
        case .newDraft: newModelDraft()
        case .editModel(let action, let paths): editModel(action, paths: paths, confirmed: true)
        case .rollback(let lr):
            session?.send(.rollback(lr: lr))
            runHyper?.lr = lr
            hyper.lr = lr
            showToast("rolling back to the last good state, lr \(formatHyperparameter(lr))…")
        }
    }

    func previewTheme(_ name: String) {
        let r = services.themes.load(name)
        ctx.theme = r.theme
    }


    // MARK: Mouse

    func handleOverlayMouse(_ m: MouseEvent) {
        guard m.kind == .press, let o = overlay else { return }
        let r = overlayRect
        guard r.contains(x: m.x, y: m.y) else {
            switch o {
            case .menu, .help, .chooser: overlay = nil
            default: break
            }
            return
        }
        if case .menu = o {
            let items = menuItems
            let i = m.y - r.y - 1
            if i >= 0, i < items.count, items[i].enabled, let a = items[i].action {
                overlay = nil
                run(a)
            }
        } else if case .chooser(var c) = o {
            let i = m.y - r.y - 1
            if i >= 0, i < c.options.count {
                c.selected = i
                overlay = nil
                choose(c)
            }
        }
    }
}
