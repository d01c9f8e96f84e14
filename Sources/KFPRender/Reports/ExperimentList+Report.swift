import KFPModel
import KFPReports

/// `kfpm experiments`.
extension ExperimentList: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        ReportDocument([
            // A page needs a heading; a terminal's list does not.
            ReportBlock(.title("experiments · \(experiments.count)", markdown: nil), in: .html),
            ReportBlock(
                .grid(
                    Grid(
                        [Column("Experiment"), Column("Runs", .right), Column("First run"), Column("Latest run")],
                        rows: experiments.map { [.text($0.name), .text(String($0.runCount)), .time($0.firstRun), .time($0.latestRun)] },
                        emptyText: "(no experiments)")))
        ])
    }

    package var json: JSONOutput {
        .object([
            "experiments": .array(
                experiments.map {
                    .object([
                        "name": .string($0.name), "runs": .integer($0.runCount),
                        "first_run": $0.firstRun.map { .string(ValueText.timestamp($0)) } ?? .null,
                        "latest_run": $0.latestRun.map { .string(ValueText.timestamp($0)) } ?? .null,
                    ])
                })
        ])
    }

    package var csv: [[String]] {
        [["experiment", "runs", "first_run", "latest_run"]]
            + experiments.map {
                [$0.name, String($0.runCount), $0.firstRun.map(ValueText.timestamp) ?? "", $0.latestRun.map(ValueText.timestamp) ?? ""]
            }
    }
}
