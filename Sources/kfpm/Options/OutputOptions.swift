import ArgumentParser
import KFPRender

/// `--format` and `--precision`, shared by every command that prints a report of type `R`.
struct OutputOptions<R: Report>: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Output format: \(R.formats.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var format: OutputFormat = .table

    @OptionGroup var precision: PrecisionOption

    func validate() throws {
        guard R.formats.contains(format) else {
            throw ValidationError(
                "--format \(format.rawValue) is not offered here; use \(R.formats.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The display options: colour only for a table on a terminal.
    var renderOptions: RenderOptions {
        RenderOptions(precision: precision.precision, color: format == .table && Console.colorAllowed)
    }

    /// The report in the chosen format.
    func render(_ report: R) -> String {
        format.render(report, options: renderOptions)
    }
}

/// `--precision`: decimals in the formats people read.
struct PrecisionOption: ParsableArguments {
    @Option(name: .long, help: "Decimals shown in table, Markdown and HTML output (JSON and CSV are always exact).")
    var precision: Int = 3

    func validate() throws {
        guard RenderOptions.precisions.contains(precision) else {
            throw ValidationError(
                "--precision must be between \(RenderOptions.precisions.lowerBound) and \(RenderOptions.precisions.upperBound)")
        }
    }
}
