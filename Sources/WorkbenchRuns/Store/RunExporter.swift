import Foundation
import Tensors

/// Every scalar of some runs, as CSV, JSON or TensorBoard event files.
public struct RunExporter {
    /// The store to read.
    public let store: RunStore

    /// An exporter reading `store`.
    public init(store: RunStore) { self.store = store }

    /// Long-format CSV, one scalar per line: `run,kind,step,epoch,name,value,wall_time`
    /// (`kind`: step, epoch, evaluation, hyperparameter).
    public func csv(_ runs: [RunSummary]) throws -> String {
        var out = "run,kind,step,epoch,name,value,wall_time\n"
        func line(_ run: String, _ kind: String, _ step: Int, _ epoch: Int?, _ name: String, _ v: Double, _ t: Double) {
            out += "\(run),\(kind),\(step),\(epoch.map(String.init) ?? ""),\(Self.csvField(name)),\(v),\(t)\n"
        }
        for r in runs {
            for s in try store.steps(r.id) {
                line(r.id, "step", s.step, s.epoch, "loss", s.loss, s.wallTime)
                line(r.id, "step", s.step, s.epoch, "lr", s.lr, s.wallTime)
            }
            for e in try store.epochs(r.id) {
                for (k, v) in e.trainMetrics.sorted(by: { $0.key < $1.key }) { line(r.id, "epoch", e.step, e.epoch, "train_" + k, v, e.wallTime) }
                for (k, v) in e.validationMetrics.sorted(by: { $0.key < $1.key }) { line(r.id, "epoch", e.step, e.epoch, "val_" + k, v, e.wallTime) }
                line(r.id, "epoch", e.step, e.epoch, "lr", e.lr, e.wallTime)
            }
            for ev in try store.evaluations(r.id) {
                line(r.id, "evaluation", ev.step, nil, ev.split + "_loss", ev.loss, ev.wallTime)
                for (k, v) in ev.metricValues.sorted(by: { $0.key < $1.key }) { line(r.id, "evaluation", ev.step, nil, ev.split + "_" + k, v, ev.wallTime) }
            }
            for h in try store.hyperparameterChanges(r.id) { line(r.id, "hyperparameter", h.step, nil, h.name, h.value, h.wallTime) }
        }
        return out
    }

    /// One JSON document: `{"runs": [{run…, "config": {…}, "steps": […], "epochs": […], …}]}`.
    public func json(_ runs: [RunSummary]) throws -> Data {
        var list: [[String: Any]] = []
        for r in runs {
            var d: [String: Any] = ["id": r.id, "task": r.task, "model": r.model, "dataset": r.dataset, "seed": r.seed,
                                    "host": r.host, "version": r.version, "source": r.source, "started_at": r.startedAt,
                                    "status": r.status.rawValue, "tags": r.tagList]
            d["name"] = r.name
            d["ended_at"] = r.endedAt
            d["message"] = r.message
            d["test_loss"] = r.testLoss
            if r.testMetrics != nil { d["test_metrics"] = r.testMetricValues }
            d["config"] = (try? JSONSerialization.jsonObject(with: Data(r.config.utf8))) ?? r.config
            d["steps"] = try store.steps(r.id).map { ["step": $0.step, "epoch": $0.epoch, "loss": $0.loss, "lr": $0.lr, "wall_time": $0.wallTime] }
            d["epochs"] = try store.epochs(r.id).map { e -> [String: Any] in
                var x: [String: Any] = ["epoch": e.epoch, "step": e.step, "train": e.trainMetrics, "lr": e.lr,
                                        "seconds": e.seconds, "samples_per_second": e.samplesPerSecond, "wall_time": e.wallTime]
                if e.validation != nil { x["validation"] = e.validationMetrics }
                return x
            }
            d["evaluations"] = try store.evaluations(r.id).map {
                ["split": $0.split, "step": $0.step, "loss": $0.loss, "metrics": $0.metricValues, "samples": $0.samples, "wall_time": $0.wallTime]
            }
            d["hyperparameter_changes"] = try store.hyperparameterChanges(r.id).map {
                ["step": $0.step, "name": $0.name, "value": $0.value, "wall_time": $0.wallTime]
            }
            d["artifacts"] = try store.artifacts(r.id).map {
                ["kind": $0.kind, "path": $0.path, "sha256": $0.sha256, "bytes": $0.bytes, "step": $0.step]
            }
            list.append(d)
        }
        return try JSONSerialization.data(withJSONObject: ["runs": list], options: [.prettyPrinted, .sortedKeys])
    }

    /// TensorBoard event files, one subfolder per run (named by its id); returns the files written.
    @discardableResult
    public func tensorboard(_ runs: [RunSummary], to directory: URL) throws -> [URL] {
        var files: [URL] = []
        for r in runs {
            let w = try TensorBoardEventWriter(directory: directory.appendingPathComponent(r.id), wallTime: r.startedAt)
            for s in try store.steps(r.id) {
                w.scalar("train/loss", s.loss, step: s.step, wallTime: s.wallTime)
                w.scalar("train/lr", s.lr, step: s.step, wallTime: s.wallTime)
            }
            for e in try store.epochs(r.id) {
                for (k, v) in e.trainMetrics.sorted(by: { $0.key < $1.key }) { w.scalar("epoch/train_\(k)", v, step: e.step, wallTime: e.wallTime) }
                for (k, v) in e.validationMetrics.sorted(by: { $0.key < $1.key }) { w.scalar("epoch/val_\(k)", v, step: e.step, wallTime: e.wallTime) }
            }
            for ev in try store.evaluations(r.id) {
                w.scalar("\(ev.split)/loss", ev.loss, step: ev.step, wallTime: ev.wallTime)
                for (k, v) in ev.metricValues.sorted(by: { $0.key < $1.key }) { w.scalar("\(ev.split)/\(k)", v, step: ev.step, wallTime: ev.wallTime) }
            }
            for h in try store.hyperparameterChanges(r.id) { w.scalar("hparams/\(h.name)", h.value, step: h.step, wallTime: h.wallTime) }
            try w.close()
            files.append(w.url)
        }
        return files
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
