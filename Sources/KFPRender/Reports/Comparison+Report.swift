import KFPModel
import KFPReports

/// `kfpm compare`: a row per metric with each run's value and change against the baseline, and a summary line
/// per compared run.
extension Comparison: Report {
    /// `run-42 vs run-41: 3 better, 1 worse, 5 unchanged, 1 added, 0 removed`, one per run after the baseline.
    package var summaryLines: [String] {
        runs.indices.dropFirst().map { index in
            let c = counts(run: index)
            var text = "\(runs[index].name) vs \(runs[0].name): \(c["better"] ?? 0) better, "
                + "\(c["worse"] ?? 0) worse, \(c["unchanged"] ?? 0) unchanged, \(c["added"] ?? 0) added, "
                + "\(c["removed"] ?? 0) removed"
            if let n = c["incomparable"], n > 0 { text += ", \(n) not comparable (NaN or infinite)" }
            return text
        }
    }

    package func document(_ options: RenderOptions) -> ReportDocument {
        let crossExperiment = Set(runs.map(\.experiment)).count > 1
        let shown = runs.map { crossExperiment ? "\($0.experiment):\($0.name)" : $0.name }
        var columns = [
            Column("Metric"),
            Column("\(shown[0]) (base)", table: "\(shown[0]) (base)", markdown: "\(Markdown.code(runs[0].name)) (base)", .right),
        ]
        for (run, name) in zip(runs, shown).dropFirst() {
            columns += [
                Column(name, table: name, markdown: Markdown.code(run.name), .right), Column("Change", .right),
                Column("Rel.", table: "REL", .right), Column("Verdict", table: "", markdown: ""),
            ]
        }
        columns.append(Column("Status"))
        let rows = rows.map { row -> [Cell] in
            var cells: [Cell] = [.text(row.name), .value(row.values[0], row.format)]
            for (i, change) in row.changes.enumerated() {
                cells += [.value(row.values[i + 1], row.format), .change(change, row.format), .relative(change), .verdict(change?.verdict)]
            }
            cells.append(.text(row.status.rawValue))
            return cells
        }
        return ReportDocument([
            ReportBlock(.title("compare · baseline \(runs[0].name) (experiment \(runs[0].experiment))", markdown: nil)),
            ReportBlock(.grid(Grid(columns, rows: rows, emptyText: "(no metrics)"))),
            ReportBlock(.list(summaryLines.map { [.text($0)] } + notes.map { [.text("note: \($0)")] })),
        ])
    }

    package var json: JSONOutput {
        let others = Array(runs.dropFirst())
        return .object([
            "baseline": .reference(runs[0]),
            "runs": .array(runs.map(JSONOutput.reference)),
            "metrics": .array(
                rows.map { row in
                    .object([
                        "name": .string(row.name), "format": .string(row.format.name),
                        "direction": .string(row.direction.rawValue), "status": .string(row.status.rawValue),
                        "values": .array(row.values.map(JSONOutput.number(orNull:))),
                        "changes": .array(
                            zip(others, row.changes).map { run, change in
                                guard let change else { return .null }
                                return .object([
                                    "experiment": .string(run.experiment), "run": .string(run.name),
                                    "absolute": .number(change.absolute), "relative": .number(orNull: change.relative),
                                    "pp": .number(orNull: change.percentagePoints), "verdict": .string(change.verdict.rawValue),
                                ])
                            }),
                    ])
                }),
            "notes": .array(notes.map(JSONOutput.string)),
            "summary": .array(
                others.indices.map { i in
                    var fields = counts(run: i + 1).mapValues(JSONOutput.integer)
                    fields["experiment"] = .string(others[i].experiment)
                    fields["run"] = .string(others[i].name)
                    return .object(fields)
                }),
        ])
    }

    /// One record per metric and compared run (long form), so that every cell holds one value.
    package var csv: [[String]] {
        var records = [[
            "metric", "format", "direction", "status", "baseline_experiment", "baseline_run", "baseline_value",
            "experiment", "run", "value", "change", "relative_change", "pp_change", "verdict",
        ]]
        let base = runs[0]
        for row in rows {
            for (i, run) in runs.dropFirst().enumerated() {
                let change = row.changes[i]
                records.append([
                    row.name, row.format.name, row.direction.rawValue, row.status.rawValue, base.experiment, base.name,
                    CSVText.exact(row.values[0]), run.experiment, run.name, CSVText.exact(row.values[i + 1]),
                    CSVText.exact(change?.absolute), CSVText.exact(change?.relative), CSVText.exact(change?.percentagePoints),
                    change?.verdict.rawValue ?? "",
                ])
            }
        }
        return records
    }
}
