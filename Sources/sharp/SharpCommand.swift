import ArgumentParser
import BuildInfo
import CommandLineSupport
import MachineCheck
import Tensor

@main
struct SharpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharp",
        abstract: "Train image classifiers and score them by the geometry of their loss landscape.",
        discussion: """
            `sharp train` writes checkpoint archives into a store, `sharp score` scores them, and \
            `sharp study` reruns the whole study (train, score, report). `sharp plugin list` lists the optimizer \
            and metric plugins found; `sharp data preview` shows samples of a dataset; `sharp doctor` checks \
            this machine (CPU, BLAS kernel, plugins).
            """,
        version: BuildInfo.description,
        subcommands: [
            TrainCommand.self, ImportCommand.self, ScoreCommand.self, DataCommand.self, PluginCommand.self, ToyCommand.self,
            StudyCommand.self, LandscapeCommand.self, DoctorCommand.self,
        ]
    )

    /// Runs with exit codes 0 / 1 / 2 (ok / failure / usage).
    static func main() {
        KernelRestart.useBestKernel()
        ExitCodes.run(Self.self)
    }
}
