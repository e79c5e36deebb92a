import ArgumentParser
import Foundation
import Tensors

/// `workbench hub`: share models through a hub (folder, file://, https://, git).
struct HubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "A model hub in the spirit of torch.hub: list, help, load (SHA-256 checked), publish; Hugging Face export.",
        discussion: """
        SOURCE is a folder, a file:// URL, an https:// URL, owner/repo[:ref] (GitHub, cloned with git) or a git URL[#ref]. \
        Loaded files go to $WORKBENCH_HOME/hub (default ~/.cache/workbench/hub). \
        Over https a private certificate authority is trusted with --ca-file FILE or WORKBENCH_CA_FILE (PEM).
        """,
        subcommands: [List.self, Help.self, Load.self, Publish.self, ExportHF.self]
    )

    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as UserError { throw e } catch { throw UserError("\(error)") }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The entrypoints of a hub.")
        @Argument(help: "The hub.") var source: String
        @OptionGroup var trust: CAFileOption
        func run() throws {
            try trust.apply()
            let m = try HubCommand.wrap { try Hub.manifest(try HubSource(source)) }
            for e in m.entries {
                print("\(e.name)  \(e.architecture) \(e.config.architecture.inputShape) → \(e.config.architecture.outputs)  \(e.doc.split(separator: "\n").first ?? "")")
            }
        }
    }

    struct Help: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "help", abstract: "The docstring and configuration of one entry.")
        @Argument(help: "The hub.") var source: String
        @Argument(help: "The entry.") var entry: String
        @OptionGroup var trust: CAFileOption
        func run() throws {
            try trust.apply()
            let e = try HubCommand.wrap { try Hub.manifest(try HubSource(source)).entry(entry, source: source) }
            print(e.doc)
            print("architecture: \(e.architecture), input \(e.config.architecture.inputShape), outputs \(e.config.architecture.outputs), task \(e.config.task.rawValue)")
            if !e.config.classes.isEmpty { print("classes: \(e.config.classes.joined(separator: ", "))") }
            print("requires workbench \(e.requires); files: " + e.files.map { "\($0.path) (\($0.size) bytes, sha256 \($0.sha256.prefix(12))…)" }.joined(separator: ", "))
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "load",
                                                        abstract: "Copy an entry into the cache (hashes checked) and print its weights path.")
        @Argument(help: "The hub.") var source: String
        @Argument(help: "The entry.") var entry: String
        @OptionGroup var trust: CAFileOption
        func run() throws {
            try trust.apply()
            let (url, e) = try HubCommand.wrap { try Hub.load(try HubSource(source), entry: entry) }
            _ = try HubCommand.wrap { try ModelFile.loadModel(from: url) }
            print("Loaded \(e.name) (\(e.architecture)) to \(url.path)")
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "publish",
                                                        abstract: "Add weights to a hub folder as an entry (hub.json updated atomically).")
        @Option(help: ArgumentHelp("Weights file (with metadata, from `train --save`).", valueName: "file")) var weights: String
        @Option(help: "Entry name.") var name: String
        @Option(help: "Docstring.") var doc: String = ""
        @Argument(help: "The hub folder.") var dir: String
        func run() throws {
            let e = try HubCommand.wrap {
                try Hub.publish(weights: URL(fileURLWithPath: weights), name: name, doc: doc, into: URL(fileURLWithPath: dir),
                                version: Workbench.configuration.version)
            }
            print("Published \(e.name) (\(e.architecture), sha256 \(e.files[0].sha256.prefix(12))…) to \(dir)/\(HubManifest.fileName)")
        }
    }

    struct ExportHF: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export-hf",
                                                        abstract: "Write the Hugging Face layout: config.json, model.safetensors, README.md model card.")
        @Option(help: ArgumentHelp("Weights file (with metadata).", valueName: "file")) var weights: String
        @Option(help: "Model card text.") var doc: String = ""
        @Argument(help: "The folder to write.") var dir: String
        func run() throws {
            try HubCommand.wrap { try Hub.exportHuggingFace(weights: URL(fileURLWithPath: weights), into: URL(fileURLWithPath: dir), doc: doc) }
            print("Wrote \(dir)/config.json, model.safetensors, README.md")
        }
    }
}
