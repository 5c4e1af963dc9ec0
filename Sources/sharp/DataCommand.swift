import ArgumentParser
import Datasets
import Foundation

/// `sharp data`: inspect datasets.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect datasets (bus-synth phantoms, image folders, MedMNIST .npz).",
        subcommands: [DataPreviewCommand.self]
    )
}

/// `sharp data preview`: a PNG contact sheet of samples, one block of rows per class.
struct DataPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Write a PNG grid of dataset samples, grouped and labelled by class.",
        discussion: """
            DATASET is `bus-synth`, a folder laid out as ROOT/<class>/*.png|jpg, or a MedMNIST-style .npz.
            Example: sharp data preview bus-synth --out grid.png --count 16
            """
    )

    @Argument(help: "bus-synth, a folder ROOT/<class>/, or a .npz file.") var dataset: String
    @Option(help: "Output PNG file.") var out: String
    @Option(help: "Samples to show in total (split evenly between classes).") var count = 16
    @Option(help: "Image size in pixels (generated at, or resized to).") var size = 64
    @Option(help: "bus-synth seed.") var seed: UInt64 = 0
    @Option(help: "bus-synth image count (fewer is faster; the classes keep the 886:1519 ratio).") var images = 2405
    @Option(help: "Magnification of each sample in the grid.") var zoom = 2
    @Flag(help: "Folder datasets: stop at the first unreadable image instead of skipping it.") var strict = false

    func validate() throws {
        guard count > 0, zoom > 0, images >= 2 else {
            throw ValidationError("--count, --zoom and --images must be positive")
        }
    }

    func run() throws {
        let spec: DatasetSpec
        if dataset == "bus-synth" {
            spec = .busSynth(seed: seed, count: images, size: size)
        } else if dataset.lowercased().hasSuffix(".npz") {
            spec = .npz(dataset, size: size)
        } else {
            spec = .folder(dataset, size: size, strict: strict)
        }
        let start = Date()
        let data = try spec.build()  // a DatasetError prints as one line, exit status 1
        let seconds = Date().timeIntervalSince(start)
        for file in data.skippedFiles { print("skipped \(file.path): \(file.reason)") }
        if !data.skippedFiles.isEmpty { print("skipped \(data.skippedFiles.count) unreadable file(s)") }
        let perClass = max(1, (count + data.classNames.count - 1) / data.classNames.count)
        let grid = PreviewGrid.render(data, perClass: perClass, columns: min(perClass, 8), zoom: zoom)
        try Data(grid.png()).write(to: URL(fileURLWithPath: out))
        let counts = zip(data.classNames, data.classCounts).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        print(
            String(
                format: "%@: %d images (%@), %d×%d, built in %.2f s; fingerprint %@",
                data.name, data.count, counts, size, size, seconds, data.fingerprint))
        print(
            "wrote \(out) (\(grid.width)×\(grid.height)): first \(perClass) images of each class, one block per class")
    }
}
