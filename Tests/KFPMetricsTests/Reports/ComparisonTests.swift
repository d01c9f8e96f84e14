import Foundation
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Changes, verdicts and statuses of `kfpm compare`, and the metric columns of `kfpm runs`.
struct ComparisonTests {
    @Test func percentagePointsRelativeAndVerdicts() throws {
        let base = Build.storedRun("a", [("accuracy", 0.90, .percentage), ("loss", 0.30, .raw), ("same", 1, .raw), ("gone", 1, .raw)])
        let new = Build.storedRun("b", [("accuracy", 0.92, .percentage), ("loss", 0.25, .raw), ("same", 1, .raw), ("new", 2, .raw)])
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
        #expect(comparison.summaryLines == ["b vs a: 2 better, 0 worse, 1 unchanged, 1 added, 1 removed"])
    }

    @Test func overridesBeatTheName() {
        let base = Build.storedRun("a", [("loss", 0.3, .raw)])
        let new = Build.storedRun("b", [("loss", 0.4, .raw)])
        let flipped = Comparison(runs: [base, new], directions: DirectionPolicy(higherIsBetter: [Glob("lo*")]))
        #expect(flipped.rows[0].changes[0]?.verdict == .better)
    }

    @Test func zeroBaselineAndNonFiniteValues() {
        let zero = MetricChange(from: 0, to: 1, format: .raw, direction: .higherIsBetter)
        #expect(zero.relative == nil)
        #expect(MetricChange(from: .nan, to: 1, format: .raw, direction: .higherIsBetter).verdict == .incomparable)
        #expect(MetricChange(from: .nan, to: .nan, format: .raw, direction: .higherIsBetter).verdict == .unchanged)
    }

    @Test func metricColumnsTheKFPWay() {
        let runs = [
            Build.storedRun("1", [("a", 1, .raw), ("b", 1, .raw), ("c", 1, .raw)]), Build.storedRun("2", [("b", 1, .raw), ("c", 1, .raw)]),
            Build.storedRun("3", [("c", 1, .raw)]),
        ]
        #expect(MetricColumns.top(2).names(for: runs) == ["c", "b"])
        #expect(MetricColumns.all.names(for: runs) == ["c", "b", "a"])
        #expect(MetricColumns(parsing: "a, [bc]") == .matching([Glob("a"), Glob("[bc]")]))
        #expect(MetricColumns(parsing: "a,[bc]")?.names(for: runs) == ["a", "b", "c"])
        #expect(MetricColumns(parsing: "top:x") == nil)
    }


}
