/// The sequence datasets a run reads, built from its `TrainingConfig`: the
/// same windows and texts for `TrainingSetup` (training) and for the TUI's
/// dataset browser (showing them).
///
/// Without `dataPath` each gives the embedded set of its kind: the
/// arithmetic corpus (language modelling), the right-or-wrong sums
/// (classification) and the sine waves (forecasting).
///
/// ```swift
/// var c = TrainingConfig()
/// c.task = .languageModeling
/// let windows = try SequenceData.languageModel(c)      // TextFileDataset of c.sequenceLength tokens
/// ```
public enum SequenceData {
    /// Language-modelling windows of `sequenceLength` tokens over a UTF-8 `.txt` file or the arithmetic corpus.
    public static func languageModel(_ config: TrainingConfig) throws -> TextFileDataset {
        guard let path = config.dataPath else { return try ArithmeticCorpus.languageModelDataset(sequenceLength: config.sequenceLength) }
        guard TrainingConfig.isText(path) else {
            throw TrainingSetupError("language modelling reads a UTF-8 .txt file (or the embedded arithmetic corpus without --data), got \(path)")
        }
        return try TextFileDataset(path: path, sequenceLength: config.sequenceLength)
    }

    /// Labelled texts cut at `sequenceLength` tokens: a CSV file's text and label columns
    /// (`textColumn`, `target`; default `text` and `label`), a folder of `<class>/*.txt`
    /// files, or the embedded sums.
    public static func textClassification(_ config: TrainingConfig) throws -> TextClassificationDataset {
        guard let path = config.dataPath else {
            let embedded = try ArithmeticCorpus.classificationDataset()
            return try TextClassificationDataset(texts: embedded.texts, labels: embedded.targets.map { embedded.classes[$0] },
                                                 classes: embedded.classes, tokenizer: embedded.tokenizer,
                                                 maxLength: config.sequenceLength, source: embedded.source)
        }
        if TrainingConfig.isCSV(path) {
            return try TextClassificationDataset(csv: path, textColumn: config.textColumn ?? "text",
                                                 labelColumn: config.target ?? "label", maxLength: config.sequenceLength)
        }
        return try TextClassificationDataset(folder: path, maxLength: config.sequenceLength)
    }

    /// Standardised windows of `sequenceLength` values: a CSV column (`target`) or the embedded sine waves.
    public static func series(_ config: TrainingConfig) throws -> TimeSeriesDataset {
        if let path = config.dataPath, let column = config.target {
            return try TimeSeriesDataset(csv: path, column: column, window: config.sequenceLength, normalize: true)
        }
        let waves = try TimeSeriesDataset.sineWaves(window: config.sequenceLength)
        return try TimeSeriesDataset(series: waves.values, window: config.sequenceLength, normalize: true, source: "sine waves (embedded)")
    }
}
