import KFPModel
import KFPReports

/// `kfpm report`: the gate on top when there is one, then the runs, the top metrics, a chart per top metric over
/// the runs shown, and the comparison. Each part is drawn from its own command's document, under its own heading,
/// so the page reads as those commands do.
extension ExperimentReport {
    /// The page as a document (HTML draws its first title as the page's, each later one as a section's).
    package func document(_ options: RenderOptions) -> ReportDocument {
        var facts = [
            Fact("runs", "the latest \(runs.runs.count) of \(runs.totalMatching), newest first"),
            Fact("metrics", "the \(top.entries.count) most prevalent of \(top.totalMetrics)"),
        ]
        if let generatedAt { facts.append(Fact("generated", ValueText.timestamp(generatedAt))) }
        var blocks = [
            ReportBlock(.title("kfpm report · experiment \(experiment)", markdown: "### kfpm report · experiment \(Markdown.code(experiment))")),
            ReportBlock(.facts(facts)),
        ]
        if let gate { blocks += gate.document(options).blocks }
        blocks += Self.retitled(runs.document(options), "runs · \(runs.runs.count) of \(runs.totalMatching)")
        blocks += Self.retitled(top.document(options), "top metrics · \(top.entries.count) of \(top.totalMetrics)")
        if !top.entries.isEmpty {
            blocks.append(ReportBlock(.title("trends · the latest \(runs.runs.count) runs, oldest first", markdown: nil)))
            blocks += top.entries.map { ReportBlock(.chart(chart(of: $0, options))) }
        }
        if let comparison { blocks += comparison.document(options).blocks }
        return ReportDocument(blocks)
    }

    /// A top metric over the runs shown: a point per run (a gap where it lacks the metric), its labels in the
    /// tooltip, the best run by the metric's direction marked.
    private func chart(of entry: TopMetrics.Entry, _ options: RenderOptions) -> Chart {
        let format = entry.statistics.format
        let points = trend(of: entry).map { run, value in
            Chart.Point(run.name, value, notes: run.labels.isEmpty ? [] : [ValueText.labels(run.labels)])
        }
        return Chart(
            title: entry.statistics.name, format: format, direction: entry.direction, points: points,
            caption: Chart.caption(points, format: format, precision: options.precision))
    }

    /// A part's blocks under a heading of the page's own (the part's title names the experiment again).
    private static func retitled(_ document: ReportDocument, _ title: String) -> [ReportBlock] {
        document.blocks.map { block in
            guard case .title = block.content else { return block }
            return ReportBlock(.title(title, markdown: nil), in: block.media)
        }
    }
}
