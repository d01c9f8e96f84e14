import ArgumentParser
import KFPModel

/// `--lower-is-better` / `--higher-is-better`: override the direction inferred from metric names.
struct DirectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Metrics matching this glob are better when lower (repeatable).", valueName: "glob"))
    var lowerIsBetter: [String] = []

    @Option(name: .long, help: ArgumentHelp("Metrics matching this glob are better when higher (repeatable).", valueName: "glob"))
    var higherIsBetter: [String] = []

    var policy: DirectionPolicy {
        DirectionPolicy(lowerIsBetter: lowerIsBetter.map(Glob.init), higherIsBetter: higherIsBetter.map(Glob.init))
    }
}
