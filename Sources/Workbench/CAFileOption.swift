import ArgumentParser
import Foundation
import Tensors

/// `--ca-file FILE`: trust a private certificate authority for https hub sources and
/// downloads (the same as setting `WORKBENCH_CA_FILE`; see `CertificateTrust`).
struct CAFileOption: ParsableArguments {
    @Option(name: .customLong("ca-file"),
            help: ArgumentHelp("PEM file of certificate authorities to trust over https (default: $WORKBENCH_CA_FILE; else the system's).",
                               valueName: "file"))
    var caFile: String?

    /// Makes the option take effect for this process's downloads.
    func apply() throws {
        guard let caFile else { return }
        guard FileManager.default.isReadableFile(atPath: caFile) else { throw UserError("--ca-file: cannot read \(caFile)") }
        setenv(CertificateTrust.environmentVariable, URL(fileURLWithPath: caFile).path, 1)
    }
}
