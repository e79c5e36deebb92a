import ArgumentParser
import Foundation
import Tensors

/// `workbench data …`: inspect datasets from the command line.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect datasets: summary, class counts, images in the terminal.",
        subcommands: [DataInfo.self, DataShow.self]
    )
}

/// Options shared by `data info` and `data show`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "CIFAR-10 archive (cifar-10-binary.tar.gz), extracted folder, or a folder holding either; also CIFAR-100, MNIST IDX folders, .csv files and image folders (one subfolder of PNG/JPEG files per class, optionally under train/ and test/). Default: the embedded Shapes10 dataset.",
        valueName: "path"))
    var data: String?

    @Option(name: .long, help: "train or test.")
    var split: String = "train"

    @Option(name: .long, help: ArgumentHelp("Label column of a .csv file.", valueName: "name"))
    var label: String = "label"

    @Flag(name: .long, help: "Download the dataset (CIFAR-10, CIFAR-100, MNIST or Fashion-MNIST, from the --data path's name) into the --data folder if it is not there (MD5-verified).")
    var download = false

    @OptionGroup var progress: ProgressOptions

    /// True for `--split train`; throws for anything but train or test.
    var isTrain: Bool {
        get throws {
            switch split.lowercased() {
            case "train": return true
            case "test": return false
            default: throw UserError("--split must be train or test, got '\(split)'")
            }
        }
    }

    /// Opens the dataset the options name; an image folder is decoded now
    /// (in parallel, progress on stderr) when `preload` is set.
    func open(transform: (any Transform)? = nil, preload: Bool = false) throws -> any ImageOrTableDataset {
        let train = try isTrain
        guard let path = data else { return Shapes10(train: train, transform: transform) }
        do {
            if let root = try ImageFolder.splitRoot(path, train: train) {
                return try openImageFolder(root, transform: transform, preload: preload)
            }
            if path.lowercased().hasSuffix(".csv") {
                return try CSVDataset(path: path, labelColumn: label, transform: transform)
            }
            let kind = ImageDatasetKind.detect(path)
            guard let set = try kind.open(root: path, train: train, transform: transform,
                                          download: download) as? any ImageOrTableDataset else {
                throw UserError("\(path): \(kind.rawValue) cannot be shown here")
            }
            return set
        } catch let e as DataError {
            throw UserError(e.message.replacingOccurrences(of: "use download: true", with: "use --download"))
        }
    }
}

extension DataOptions {
    /// Opens an image folder; with `preload`, decodes every file now and skips the corrupt ones.
    func openImageFolder(_ root: String, transform: (any Transform)?, preload: Bool) throws -> ImageFolder {
        guard preload else { return try ImageFolder(root: root, transform: transform) }
        let bar = progress.printer(label: "decoding images", total: 0, unit: "img")
        let ds = try ImageFolder(root: root, transform: transform, preload: true, onCorruptFile: .skip) { done, total in
            if done <= 1 { bar.restart(label: "decoding images", total: total) }
            bar.update(done: done, items: done)
        }
        bar.finish()
        return ds
    }
}

/// What the CLI needs from a dataset: printing, classes, counts, one raw image.
protocol ImageOrTableDataset: CustomStringConvertible {
    var classes: [String] { get }
    var targets: [Int] { get }
    var count: Int { get }
}

extension CIFAR10: ImageOrTableDataset {}
extension CIFAR100: ImageOrTableDataset {}
extension MNIST: ImageOrTableDataset {}
extension FashionMNIST: ImageOrTableDataset {}
extension Shapes10: ImageOrTableDataset {}
extension CSVDataset: ImageOrTableDataset {}
extension ImageFolder: ImageOrTableDataset {}

/// `workbench data info`: the dataset's printed summary and per-class counts.
struct DataInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print a dataset's summary, class names and per-class counts.")

    @OptionGroup var options: DataOptions

    func run() throws {
        let ds = try options.open(preload: true)
        print(ds)
        if let folder = ds as? ImageFolder {
            let mb = Double(folder.cachedBytes) / 1_000_000
            print("Images: \(folder.count) PNG/JPEG files decoded to RGB (\(String(format: "%.1f", mb)) MB held in memory)")
        } else if let images = ds as? any ImageClassificationDataset {
            let mb = Double(images.data.count) / 1_000_000
            print("Images: \(images.imageWidth)x\(images.imageHeight), \(images.imageChannels) channel\(images.imageChannels == 1 ? "" : "s") (HWC UInt8), \(String(format: "%.1f", mb)) MB")
        } else if let csv = ds as? CSVDataset {
            print("Features: tensor \(csv.features.shape)")
        }
        var counts = [Int](repeating: 0, count: ds.classes.count)
        for t in ds.targets where t >= 0 && t < counts.count { counts[t] += 1 }
        print("Classes (\(ds.classes.count)):")
        let width = Swift.max(5, ds.classes.map { $0.count }.max() ?? 5)
        let indexWidth = String(ds.classes.count - 1).count
        for (i, name) in ds.classes.enumerated() {
            let idx = String(repeating: " ", count: indexWidth - String(i).count) + String(i)
            let pad = String(repeating: " ", count: width - name.count)
            print("  \(idx)  \(name)\(pad)  \(counts[i])")
        }
        if let folder = ds as? ImageFolder, !folder.skipped.isEmpty {
            print("Skipped (\(folder.skipped.count) file\(folder.skipped.count == 1 ? "" : "s") that could not be decoded):")
            for s in folder.skipped { print("  \(s)") }
        }
    }
}

/// `workbench data show`: one image drawn in the terminal, optionally after the training augmentation.
struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Draw one image in the terminal with its label.")

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: "Index of the image.")
    var index: Int

    @Option(name: .long, help: ArgumentHelp("Apply a transform first: 'train' is RandomCrop(size, padding=4) + RandomHorizontalFlip.", valueName: "name"))
    var transform: String?

    @Option(name: .long, help: "Seed for random transforms.")
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Shaded text instead of colour half blocks.")
    var ascii = false

    @Option(name: .long, help: ArgumentHelp("Also write the image (after --transform) to this PNG file.", valueName: "file.png"))
    var out: String?

    @Option(name: .long, help: "Widest image drawn, in columns; wider images are scaled down to fit (image folders).")
    var width: Int = 64

    func run() throws {
        let ds = try options.open()
        guard ds.count > 0 else { throw UserError("data show: \(options.data ?? "dataset") holds no images") }
        guard index >= 0 && index < ds.count else {
            throw UserError("--index \(index) is out of range: the \(options.split) split has \(ds.count) images (0–\(ds.count - 1))")
        }
        guard width >= 1 else { throw UserError("--width must be at least 1, got \(width)") }
        var image: Image
        var source = ""
        if let folder = ds as? ImageFolder {
            do {
                guard let loaded = try folder.load(at: index).image else {
                    throw UserError("data show: the loader did not produce an image")
                }
                image = loaded
            } catch let e as DataError {
                throw UserError(e.message)
            }
            source = "  \(folder.samples[index].path)"
        } else if let images = ds as? any ImageClassificationDataset {
            image = try images.image(at: index)
        } else {
            throw UserError("data show: \(options.data ?? "dataset") holds tabular data, not images")
        }
        if let name = transform {
            guard name == "train" else { throw UserError("--transform must be 'train', got '\(name)'") }
            let t = Compose(RandomCrop((image.height, image.width), padding: 4), RandomHorizontalFlip())
            do {
                guard let out = try t.apply(.image(image), generator: Generator(seed: seed)).image else {
                    throw UserError("data show: the transform did not produce an image")
                }
                image = out
            } catch let e as DataError {
                throw UserError(e.message)
            }
            print(t)
        }
        if let out {
            do {
                try image.writePNG(to: URL(fileURLWithPath: out))
            } catch {
                throw UserError("data show: cannot write \(out): \(error)")
            }
        }
        var shown = image
        var note = ""
        if image.width > width {
            let h = Swift.max(1, Int((Double(image.height) * Double(width) / Double(image.width)).rounded()))
            if let small = try? Resize((h, width))(image).image {
                shown = small
                note = ", shown at \(shown.width)x\(shown.height)"
            }
        }
        let env = ProcessInfo.processInfo.environment
        let plain = ascii || env["NO_COLOR"] != nil
        let truecolor = ["truecolor", "24bit"].contains(env["COLORTERM"]?.lowercased() ?? "")
        print(plain ? TerminalImage.ascii(shown) : TerminalImage.halfBlocks(shown, truecolor: truecolor), terminator: "")
        let label = ds.targets[index]
        let name = label < ds.classes.count ? ds.classes[label] : "?"
        print("label: \(label) (\(name))   index \(index) of \(ds.count), \(options.split) split, \(image.width)x\(image.height) \(image.mode)\(note)\(source)")
        if let out { print("wrote \(out)") }
    }
}

/// Renders images as terminal text.
enum TerminalImage {
    @inline(__always)
    static func rgb(_ img: Image, _ y: Int, _ x: Int) -> (Int, Int, Int) {
        if img.channels >= 3 { return (Int(img[y, x, 0]), Int(img[y, x, 1]), Int(img[y, x, 2])) }
        let v = Int(img[y, x, 0])
        return (v, v, v)
    }

    /// The xterm 256-colour cube index nearest to an RGB colour.
    static func cube(_ c: (Int, Int, Int)) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        return 16 + 36 * level(c.0) + 6 * level(c.1) + level(c.2)
    }

    /// Two pixel rows per text row: `▀` with the upper pixel as foreground
    /// colour and the lower one as background.
    static func halfBlocks(_ img: Image, truecolor: Bool) -> String {
        func fg(_ c: (Int, Int, Int)) -> String { truecolor ? "\u{1b}[38;2;\(c.0);\(c.1);\(c.2)m" : "\u{1b}[38;5;\(cube(c))m" }
        func bg(_ c: (Int, Int, Int)) -> String { truecolor ? "\u{1b}[48;2;\(c.0);\(c.1);\(c.2)m" : "\u{1b}[48;5;\(cube(c))m" }
        var out = ""
        for y in stride(from: 0, to: img.height, by: 2) {
            for x in 0..<img.width {
                out += fg(rgb(img, y, x))
                out += y + 1 < img.height ? bg(rgb(img, y + 1, x)) : "\u{1b}[49m"
                out += "▀"
            }
            out += "\u{1b}[0m\n"
        }
        return out
    }

    /// Shaded text, one character per pixel column and per two pixel rows.
    static func ascii(_ img: Image) -> String {
        let ramp = Array(" .:-=+*#%@")
        var out = ""
        for y in stride(from: 0, to: img.height, by: 2) {
            for x in 0..<img.width {
                func lum(_ yy: Int) -> Double {
                    let c = rgb(img, yy, x)
                    return 0.299 * Double(c.0) + 0.587 * Double(c.1) + 0.114 * Double(c.2)
                }
                let l = y + 1 < img.height ? (lum(y) + lum(y + 1)) / 2 : lum(y)
                out.append(ramp[Swift.min(ramp.count - 1, Int(l / 256 * Double(ramp.count)))])
            }
            out += "\n"
        }
        return out
    }
}
