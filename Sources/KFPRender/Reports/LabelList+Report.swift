import KFPModel
import KFPReports

/// `kfpm labels`: a row per label key and value with its run count.
extension LabelList: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        let rows = keys.flatMap { key in
            key.values.map { value -> [Cell] in [.text(key.key), .text(value.value), .text(String(value.runCount))] }
        }
        return ReportDocument([
            ReportBlock(.title("labels · experiment \(experiment) · \(keys.count) keys", markdown: nil)),
            ReportBlock(
                .grid(Grid([Column("Key"), Column("Value"), Column("Runs", .right)], rows: rows, emptyText: "(no labels)"))),
        ])
    }

    package var json: JSONOutput {
        .object([
            "experiment": .string(experiment),
            "labels": .array(
                keys.map { key in
                    .object([
                        "key": .string(key.key), "runs": .integer(key.runCount),
                        "values": .array(key.values.map { .object(["value": .string($0.value), "runs": .integer($0.runCount)]) }),
                    ])
                }),
        ])
    }

    package var csv: [[String]] {
        [["key", "value", "runs"]] + keys.flatMap { key in key.values.map { [key.key, $0.value, String($0.runCount)] } }
    }
}
