import ArgumentParser
import KFPMetrics

/// `--format` and `--precision`, shared by every read command.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json, csv or markdown.")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Decimals shown in table and Markdown output (JSON and CSV are always exact).")
    var precision: Int = 3

    func validate() throws {
        guard (0...17).contains(precision) else { throw ValidationError("--precision must be between 0 and 17") }
    }

    /// The renderer for the chosen format.
    var renderer: any Renderer {
        format.renderer(RenderOptions(precision: precision, color: format == .table && Console.colorAllowed))
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
