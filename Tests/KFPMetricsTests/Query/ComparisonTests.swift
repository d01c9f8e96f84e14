import Foundation
import Testing

@testable import KFPMetrics

/// Changes, verdicts and statuses of `kfpm compare`, and direction inference.
struct ComparisonTests {
    private func run(_ name: String, _ metrics: [(String, Double, MetricFormat)]) -> StoredRun {
        StoredRun(
            experiment: "e", name: name, labels: [],
            metrics: metrics.map { Metric(name: $0.0, value: $0.1, format: $0.2) }.sorted { $0.name < $1.name },
            sources: [], createdAt: Date(), ingestedAt: Date())
    }

    @Test func percentagePointsRelativeAndVerdicts() throws {
        let base = run("a", [("accuracy", 0.90, .percentage), ("loss", 0.30, .raw), ("same", 1, .raw), ("gone", 1, .raw)])
        let new = run("b", [("accuracy", 0.92, .percentage), ("loss", 0.25, .raw), ("same", 1, .raw), ("new", 2, .raw)])
        let comparison = Comparison(runs: [base, new], directions: DirectionPolicy())
        let rows = Dictionary(uniqueKeysWithValues: comparison.rows.map { ($0.name, $0) })
        let accuracy = try #require(rows["accuracy"]?.changes[0])
        #expect(abs(accuracy.absolute - 0.02) < 1e-12)
        #expect(abs((accuracy.percentagePoints ?? 0) - 2) < 1e-9)
        #expect(abs((accuracy.relative ?? 0) - 0.02 / 0.9) < 1e-12)
        #expect(accuracy.verdict == .better)
        let loss = try #require(rows["loss"]?.changes[0])
        #expect(loss.percentagePoints == nil)
        #expect(loss.verdict == .better)  // lower is better for a loss
        #expect(rows["same"]?.status == .unchanged)
        #expect(rows["gone"]?.status == .removed)
        #expect(rows["new"]?.status == .added)
        #expect(rows["new"]?.changes[0] == nil)
        #expect(Comparison(runs: [base, new], directions: DirectionPolicy(), onlyChanged: true).rows.count == 4)
        #expect(ComparisonSummary.lines(comparison) == ["b vs a: 2 better, 0 worse, 1 unchanged, 1 added, 1 removed"])
    }

    @Test func overridesBeatTheName() {
        let base = run("a", [("loss", 0.3, .raw)])
        let new = run("b", [("loss", 0.4, .raw)])
        let flipped = Comparison(runs: [base, new], directions: DirectionPolicy(higherIsBetter: [Glob("lo*")]))
        #expect(flipped.rows[0].changes[0]?.verdict == .better)
    }

    @Test func zeroBaselineAndNonFiniteValues() {
        let zero = MetricChange(from: 0, to: 1, format: .raw, direction: .higherIsBetter)
        #expect(zero.relative == nil)
        #expect(MetricChange(from: .nan, to: 1, format: .raw, direction: .higherIsBetter).verdict == .incomparable)
        #expect(MetricChange(from: .nan, to: .nan, format: .raw, direction: .higherIsBetter).verdict == .unchanged)
    }

    @Test(arguments: [
        ("val_loss", Direction.lowerIsBetter), ("logloss", .lowerIsBetter), ("error_rate", .lowerIsBetter),
        ("rmse", .lowerIsBetter), ("eval/wer", .lowerIsBetter), ("inferenceTimeMs", .lowerIsBetter),
        ("p95-latency", .lowerIsBetter), ("perplexity", .lowerIsBetter), ("step_duration", .lowerIsBetter),
        ("accuracy", .higherIsBetter), ("power", .higherIsBetter), ("f1-score", .higherIsBetter),
        ("timestamp_count", .higherIsBetter),
    ])
    func directionFromName(_ name: String, _ direction: Direction) {
        #expect(Direction.inferred(from: name) == direction)
    }

    @Test func globs() {
        #expect(Glob("acc*").matches("accuracy"))
        #expect(Glob("*/loss").matches("train/loss"))
        #expect(Glob("eval/*").matches("eval/a/b"))
        #expect(Glob("m?").matches("m1"))
        #expect(!Glob("m?").matches("m12"))
        #expect(Glob("[ab]x").matches("bx"))
        #expect(!Glob("acc").matches("accuracy"))
    }

    @Test func metricColumnsTheKFPWay() {
        let runs = [
            run("1", [("a", 1, .raw), ("b", 1, .raw), ("c", 1, .raw)]), run("2", [("b", 1, .raw), ("c", 1, .raw)]),
            run("3", [("c", 1, .raw)]),
        ]
        #expect(MetricColumns.top(2).names(for: runs) == ["c", "b"])
        #expect(MetricColumns.all.names(for: runs) == ["c", "b", "a"])
        #expect(MetricColumns(parsing: "a, [bc]") == .matching([Glob("a"), Glob("[bc]")]))
        #expect(MetricColumns(parsing: "a,[bc]")?.names(for: runs) == ["a", "b", "c"])
        #expect(MetricColumns(parsing: "top:x") == nil)
    }

    @Test func barsAndSparklines() {
        #expect(Blocks.bar(1) == "████████")
        #expect(Blocks.bar(0) == "        ")
        #expect(Blocks.bar(0.5) == "████    ")
        #expect(Blocks.bar(1.0 / 16) == "▌       ")
        #expect(Blocks.sparkline([1, 2, 3, .nan, 8]) == "▁▂▃ █")
        #expect(Blocks.sparkline([2, 2]) == "▄▄")
    }
}
