import KFPModel
import KFPReports

/// `kfpm compare`: a row per metric with each run's value and change against the baseline (at a point of the
/// series with `--at`, with the step each value was taken at), a summary line per compared run, and the
/// parameters that differ.
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

    /// Whether each value's step gets a column: comparing at the best or last point, where it varies by run.
    private var showsSteps: Bool { at == .best || at == .last }

    package func document(_ options: RenderOptions) -> ReportDocument {
        let crossExperiment = Set(runs.map(\.experiment)).count > 1
        let shown = runs.map { crossExperiment ? "\($0.experiment):\($0.name)" : $0.name }
        let step = showsSteps ? [Column("Step", .right)] : []
        var columns = [
            Column("Metric"),
            Column("\(shown[0]) (base)", table: "\(shown[0]) (base)", markdown: "\(Markdown.code(runs[0].name)) (base)", .right),
        ] + step
        for (run, name) in zip(runs, shown).dropFirst() {
            columns += [Column(name, table: name, markdown: Markdown.code(run.name), .right)] + step + [
                Column("Change", .right), Column("Rel.", table: "REL", .right), Column("Verdict", table: "", markdown: ""),
            ]
        }
        columns.append(Column("Status"))
        let stepCell = { (row: Row, i: Int) -> [Cell] in showsSteps ? [.text(row.steps[i].map(String.init))] : [] }
        let rows = rows.map { row -> [Cell] in
            var cells: [Cell] = [.text(row.name), .value(row.values[0], row.format)] + stepCell(row, 0)
            for (i, change) in row.changes.enumerated() {
                cells += [.value(row.values[i + 1], row.format)] + stepCell(row, i + 1)
                cells += [.change(change, row.format), .relative(change), .verdict(change?.verdict)]
            }
            cells.append(.text(row.status.rawValue))
            return cells
        }
        let position = at == .final ? "" : " · at \(at)"
        var blocks = [
            ReportBlock(.title("compare · baseline \(runs[0].name) (experiment \(runs[0].experiment))\(position)", markdown: nil)),
            ReportBlock(.grid(Grid(columns, rows: rows, emptyText: "(no metrics)"))),
            ReportBlock(.list(summaryLines.map { [.text($0)] } + notes.map { [.text("note: \($0)")] })),
        ]
        if hasParameters { blocks += parameterBlocks(shown) }
        return ReportDocument(blocks)
    }

    /// The parameters grid (when any are shown) and a line saying how many differ.
    private func parameterBlocks(_ shown: [String]) -> [ReportBlock] {
        let differing = parameters.count(where: \.differs)
        var line = "\(differing) parameter\(differing == 1 ? "" : "s") differ\(differing == 1 ? "s" : ""), \(sameParameters) the same"
        if sameParameters > 0 && parameters.count == differing { line += " (--all-params shows them)" }
        guard !parameters.isEmpty else { return [ReportBlock(.list([[.text(line)]]))] }
        let columns = [Column("Parameter")]
            + zip(runs, shown).enumerated().map { i, pair in
                let suffix = i == 0 ? " (base)" : ""
                return Column(pair.1 + suffix, table: pair.1 + suffix, markdown: Markdown.code(pair.0.name) + suffix)
            } + [Column("Differs")]
        let rows = parameters.map { row -> [Cell] in
            [.text(row.name)] + row.values.map { Cell.text($0) } + [.text(row.differs ? "yes" : "no")]
        }
        return [
            ReportBlock(.title("", markdown: "**Parameters**"), in: .markdown),
            ReportBlock(.grid(Grid(columns, rows: rows))),
            ReportBlock(.list([[.text(line)]])),
        ]
    }

    /// The documented shape. Added only when they apply: `at` and each metric's `steps` when comparing at a
    /// point of the series, and `params` when a run has parameters.
    package var json: JSONOutput {
        let others = Array(runs.dropFirst())
        var fields: [String: JSONOutput] = [
            "baseline": .reference(runs[0]),
            "runs": .array(runs.map(JSONOutput.reference)),
            "metrics": .array(
                rows.map { row in
                    var fields: [String: JSONOutput] = [
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
                    ]
                    if at != .final { fields["steps"] = .array(row.steps.map { $0.map { .integer(Int($0)) } ?? .null }) }
                    return .object(fields)
                }),
            "notes": .array(notes.map(JSONOutput.string)),
            "summary": .array(
                others.indices.map { i in
                    var fields = counts(run: i + 1).mapValues(JSONOutput.integer)
                    fields["experiment"] = .string(others[i].experiment)
                    fields["run"] = .string(others[i].name)
                    return .object(fields)
                }),
        ]
        if at != .final { fields["at"] = .string(at.description) }
        if hasParameters {
            fields["params"] = .array(
                parameters.map {
                    .object([
                        "name": .string($0.name), "values": .array($0.values.map(JSONOutput.string(orNull:))),
                        "differs": .bool($0.differs),
                    ])
                })
        }
        return .object(fields)
    }

    /// One record per metric and compared run (long form), so that every cell holds one value; with `--at`,
    /// two more columns give the step of each value.
    package var csv: [[String]] {
        let steps = at != .final
        var records = [[
            "metric", "format", "direction", "status", "baseline_experiment", "baseline_run", "baseline_value",
            "experiment", "run", "value", "change", "relative_change", "pp_change", "verdict",
        ] + (steps ? ["baseline_step", "step"] : [])]
        let base = runs[0]
        for row in rows {
            for (i, run) in runs.dropFirst().enumerated() {
                let change = row.changes[i]
                records.append([
                    row.name, row.format.name, row.direction.rawValue, row.status.rawValue, base.experiment, base.name,
                    CSVText.exact(row.values[0]), run.experiment, run.name, CSVText.exact(row.values[i + 1]),
                    CSVText.exact(change?.absolute), CSVText.exact(change?.relative), CSVText.exact(change?.percentagePoints),
                    change?.verdict.rawValue ?? "",
                ] + (steps ? [row.steps[0].map(String.init) ?? "", row.steps[i + 1].map(String.init) ?? ""] : []))
            }
        }
        return records
    }
}
