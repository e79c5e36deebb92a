import Foundation

/// Saving a meter's sums in a checkpoint, so an epoch resumed mid-way reports
/// the same figures as an uninterrupted one.
extension MetricMeter {
    /// Meters that are not `Codable` cannot be saved: a resumed epoch counts from the resume.
    public func checkpointState() -> String? { nil }

    /// Meters that are not `Codable` cannot be restored.
    public mutating func restore(checkpointState: String) throws {
        throw TrainingSetupError("\(type(of: self)) cannot restore a saved epoch's metrics")
    }
}

extension MetricMeter where Self: Codable {
    /// The meter's stored sums as JSON (non-finite numbers as strings).
    public func checkpointState() -> String? {
        guard let data = try? Checkpoint.encoder().encode(self) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Replaces the sums with those of `checkpointState`.
    public mutating func restore(checkpointState: String) throws {
        do {
            self = try Checkpoint.decoder().decode(Self.self, from: Data(checkpointState.utf8))
        } catch {
            throw TrainingSetupError("the saved epoch metrics do not fit \(type(of: self)): \(error)")
        }
    }
}
