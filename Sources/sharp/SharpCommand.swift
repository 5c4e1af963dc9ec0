import ArgumentParser

@main
struct SharpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharp",
        abstract: "Train image classifiers and score them by the geometry of their loss landscape.",
        discussion: """
            `sharp train` writes checkpoint archives into a store; `sharp plugins` lists the optimizer
            and metric plugins found; `sharp data preview` shows samples of a dataset.
            """,
        subcommands: [TrainCommand.self, DataCommand.self, ToyCommand.self, PluginsCommand.self, PluginCommand.self]
    )
}
