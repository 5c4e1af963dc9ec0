import ArgumentParser

@main
struct SharpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharp",
        abstract: "Train image classifiers and score them by the geometry of their loss landscape.",
        discussion: """
            The trainer, checkpoints, plugins and metrics are being built (see the README's status).
            Today `sharp toy` trains the mlp on a toy image problem and measures its sharpness.
            """,
        subcommands: [ToyCommand.self, DataCommand.self]
    )
}
