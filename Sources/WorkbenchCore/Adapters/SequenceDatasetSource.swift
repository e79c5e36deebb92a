import Foundation
import Tensors

/// Sequence data as the dataset browser sees it: language-modelling windows over a
/// text (a `.txt` file or the embedded arithmetic corpus), labelled texts (a folder
/// of `<class>/*.txt`, a CSV text column or the embedded sums), or forecasting
/// windows of a series (a CSV column or the embedded sine waves).
///
/// The datasets are the ones a run reads (`SequenceData`, with the editor's default
/// sequence length), so the browser shows the windows the model trains on. Like a
/// CSV file, sequence data has one split: all items are `train` (the run holds out
/// its validation items from them); `test` is empty.
public final class SequenceDatasetSource: DatasetSource, @unchecked Sendable {
    enum Content {
        case windows(TextFileDataset)
        case texts(TextClassificationDataset)
        case series(TimeSeriesDataset)
    }

    public let name: String
    public let location: String?
    public let task: TaskKind
    public let target: String?
    let content: Content

    /// Opens the data a run with `task` on `path` (nil: the embedded set of that task)
    /// reads; `target` names a CSV's label column (texts) or series column (forecasting).
    /// Throws the dataset's own message (missing file, not UTF-8, too short …).
    public init(task: TaskKind, path: String?, target: String? = nil,
                sequenceLength: Int = TrainingConfig.editorDefaults.sequenceLength) throws {
        var c = TrainingConfig.editorDefaults
        c.task = task
        c.dataPath = path
        c.target = target
        c.sequenceLength = sequenceLength
        let file = path.map { URL(fileURLWithPath: $0).lastPathComponent }
        location = path
        self.target = target
        self.task = task
        do {
            switch task {
            case .languageModeling:
                content = .windows(try SequenceData.languageModel(c))
                name = file.map { "Text \($0)" } ?? "Arithmetic corpus (LM)"
            case .sequenceClassification:
                content = .texts(try SequenceData.textClassification(c))
                name = file.map { "Texts \($0)" } ?? "Arithmetic sums (right/wrong)"
            case .forecasting:
                guard path == nil || target != nil else { throw DatasetOpenError("forecasting a CSV file needs the column to predict") }
                content = .series(try SequenceData.series(c))
                name = file.map { "Series \($0) (\(target ?? ""))" } ?? "Sine waves"
            case .classification, .regression:
                throw DatasetOpenError("\(task.rawValue) is not a sequence task")
            }
        } catch let e as DatasetOpenError {
            throw e
        } catch {
            throw DatasetOpenError("\(error)")
        }
    }

    public var sampleKind: SampleKind {
        if case .series = content { return .series }
        return .text
    }

    public var classNames: [String] {
        if case .texts(let d) = content { return d.classes }
        return []
    }

    /// `[T]` token ids (or `[window, 1]` values), as the run's input shape.
    public var inputShape: [Int] {
        switch content {
        case .windows(let d): return [d.sequenceLength]
        case .texts(let d): return [d.maxLength ?? (d.encoded.map(\.count).max() ?? 1)]
        case .series(let d): return [d.window, 1]
        }
    }

    /// The vocabulary (language model), the classes, or the horizon.
    public var outputs: Int {
        switch content {
        case .windows(let d): return d.tokenizer.vocabularySize
        case .texts(let d): return d.classes.count
        case .series(let d): return d.horizon
        }
    }

    public var vocabulary: VocabularyInfo? {
        let tokenizer: Tokenizer
        switch content {
        case .windows(let d): tokenizer = d.tokenizer
        case .texts(let d): tokenizer = d.tokenizer
        case .series: return nil
        }
        return VocabularyInfo(size: tokenizer.vocabularySize, specials: Vocabulary.specials, kind: tokenizer.kind.rawValue)
    }

    public func count(_ split: DatasetSplit) -> Int {
        guard split == .train else { return 0 }
        switch content {
        case .windows(let d): return d.count
        case .texts(let d): return d.count
        case .series(let d): return d.count
        }
    }

    public func label(_ split: DatasetSplit, _ index: Int) -> Int {
        guard split == .train, case .texts(let d) = content, d.targets.indices.contains(index) else { return 0 }
        return d.targets[index]
    }

    public func textSample(_ split: DatasetSplit, _ index: Int) -> TextSample? {
        guard split == .train, index >= 0, index < count(split) else { return nil }
        func pieces(_ ids: [Int], _ t: Tokenizer) -> [String] { ids.map { t.vocabulary[index: $0] } }
        switch content {
        case .windows(let d):
            let s = index * d.stride
            let input = Array(d.ids[s..<(s + d.sequenceLength)]), next = Array(d.ids[(s + 1)..<(s + d.sequenceLength + 1)])
            return TextSample(tokens: input, text: d.tokenizer.decode(input, keepSpecials: true), pieces: pieces(input, d.tokenizer),
                              targets: next, targetPieces: pieces(next, d.tokenizer))
        case .texts(let d):
            let ids = d.encoded[index]
            return TextSample(tokens: ids, text: d.tokenizer.decode(ids, keepSpecials: true), pieces: pieces(ids, d.tokenizer),
                              label: d.targets[index])
        case .series: return nil
        }
    }

    public func seriesWindow(_ split: DatasetSplit, _ index: Int) -> SeriesWindow? {
        guard split == .train, case .series(let d) = content, index >= 0, index < d.count else { return nil }
        let s = index * d.stride
        return SeriesWindow(values: d.values[s..<(s + d.window)].map(Double.init),
                            targets: d.values[(s + d.window)..<(s + d.window + d.horizon)].map(Double.init))
    }

    /// The forecasting target of window `index` (its first value), for the targets histogram.
    public func targetValue(_ split: DatasetSplit, _ index: Int) -> Double? { seriesWindow(split, index)?.targets.first }

    /// Sequence data has no pictures: an empty image.
    public func image(_ split: DatasetSplit, _ index: Int) -> RGBImage { RGBImage(width: 0, height: 0, pixels: []) }

    public func augmentedImage(_ split: DatasetSplit, _ index: Int, variant: UInt64) -> RGBImage { image(split, index) }
}

extension SequenceDatasetSource {
    /// Whether `path` is a folder of class subfolders holding `.txt` files (text classification).
    public static func isTextFolder(_ path: String) -> Bool {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
              let names = try? fm.contentsOfDirectory(atPath: path) else { return false }
        return names.contains { name in
            var d: ObjCBool = false
            let sub = path + "/" + name
            guard !name.hasPrefix("."), fm.fileExists(atPath: sub, isDirectory: &d), d.boolValue else { return false }
            return (try? fm.contentsOfDirectory(atPath: sub))?.contains { $0.hasSuffix(".txt") } ?? false
        }
    }
}
