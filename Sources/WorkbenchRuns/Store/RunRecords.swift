import Foundation
import GRDB
import Tensors

/// One recorded run: its settings, where and when it ran, how it ended and its test figures.
public struct RunSummary: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "runs"

    /// Git-style short id (`3fa2c1b`).
    public var id: String
    /// A name the user gave it (nil: none).
    public var name: String?
    /// The whole `TrainingConfig` as JSON.
    public var config: String
    /// `classification`, `regression`.
    public var task: String
    /// Zoo model name.
    public var model: String
    /// Dataset path, or `shapes10` for the embedded data.
    public var dataset: String
    public var seed: Int64
    public var host: String
    /// Process id of the writer (used to find runs whose writer died).
    public var pid: Int64
    /// `workbench` version that wrote it.
    public var version: String
    /// Where it was started from: `cli`, `tui`, `sweep`, `lr-find`.
    public var source: String
    /// Seconds since 1970.
    public var startedAt: Double
    public var endedAt: Double?
    public var status: RunStatus
    /// The failure message, or why it was interrupted.
    public var message: String?
    /// Final test loss, nil without a test pass.
    public var testLoss: Double?
    /// Final test metrics as a JSON object.
    public var testMetrics: String?
    /// Comma-separated tags.
    public var tags: String
    /// Class names as a JSON array (classification), nil otherwise.
    public var classes: String?

    /// The class names (empty when not recorded).
    public var classNames: [String] {
        guard let c = classes, let d = try? JSONDecoder().decode([String].self, from: Data(c.utf8)) else { return [] }
        return d
    }

    /// The decoded config (nil if the JSON no longer decodes).
    public var trainingConfig: TrainingConfig? {
        try? JSONDecoder().decode(TrainingConfig.self, from: Data(config.utf8))
    }

    /// The test metrics by name (empty without a test pass).
    public var testMetricValues: [String: Double] {
        guard let t = testMetrics, let d = try? JSONDecoder().decode([String: Double].self, from: Data(t.utf8)) else { return [:] }
        return d
    }

    /// Tags as a list.
    public var tagList: [String] { tags.split(separator: ",").map(String.init) }
}

/// One optimisation step.
public struct StepRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "steps"
    public var runId: String
    /// 1-based, continues across a resume.
    public var step: Int
    public var epoch: Int
    public var loss: Double
    public var lr: Double
    /// Seconds since 1970.
    public var wallTime: Double
}

/// One epoch's figures.
public struct EpochRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "epochs"
    public var runId: String
    /// 1-based.
    public var epoch: Int
    /// Global step at the end of the epoch.
    public var step: Int
    /// Training metrics as a JSON object (`loss`, `accuracy` …).
    public var train: String
    /// Validation metrics as a JSON object, nil without validation.
    public var validation: String?
    public var lr: Double
    public var seconds: Double
    public var samplesPerSecond: Double
    public var wallTime: Double

    /// The training metrics by name.
    public var trainMetrics: [String: Double] { Self.decode(train) }
    /// The validation metrics by name (empty without validation).
    public var validationMetrics: [String: Double] { validation.map(Self.decode) ?? [:] }

    static func decode(_ s: String) -> [String: Double] {
        (try? JSONDecoder().decode([String: Double].self, from: Data(s.utf8))) ?? [:]
    }
}

/// A live hyperparameter change.
public struct HyperparameterChangeRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "hyperparameterChanges"
    public var runId: String
    /// First global step that used the new value.
    public var step: Int
    /// `lr`, `momentum`, `weight_decay`.
    public var name: String
    public var value: Double
    public var wallTime: Double
}

/// An evaluation pass (validation or test).
public struct EvaluationRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "evaluations"
    public var runId: String
    /// Global step when it ran.
    public var step: Int
    public var split: String
    public var loss: Double
    /// Metrics as a JSON object.
    public var metrics: String
    public var samples: Int
    public var wallTime: Double
    /// The confusion matrix as JSON (classification), nil otherwise.
    public var confusion: String?

    /// The decoded confusion matrix.
    public var confusionMatrix: ConfusionMatrix? {
        confusion.flatMap { try? JSONDecoder().decode(ConfusionMatrix.self, from: Data($0.utf8)) }
    }

    /// The metrics by name.
    public var metricValues: [String: Double] { EpochRecord.decode(metrics) }
}

/// A file a run wrote: a checkpoint or saved weights, with its SHA-256.
public struct ArtifactRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "artifacts"
    public var runId: String
    /// `checkpoint`, `weights`, `metrics`.
    public var kind: String
    /// Absolute path.
    public var path: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String
    public var bytes: Int64
    /// Global step when it was written.
    public var step: Int
    public var wallTime: Double
}
