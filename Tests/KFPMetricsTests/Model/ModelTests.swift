import Foundation
import Testing

@testable import KFPModel

/// Names, directions, globs, labels and values: the model every layer shares.
struct ModelTests {
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

    /// What SQL's GLOB is given: a `[` that opens no set as the set `[[]`; a set, with a `[` among its members,
    /// copied as it is.
    @Test func globsForSQL() {
        #expect(Glob("a[b").sqlGlob == "a[[]b")
        #expect(Glob("a[[]b").sqlGlob == "a[[]b")
        #expect(Glob("[[]x[").sqlGlob == "[[]x[[]")
        #expect(Glob("[]]*").sqlGlob == "[]]*")
        #expect(Glob("feat-*").sqlGlob == "feat-*")
    }

    @Test func labelsParseKeyEqualsValue() throws {
        #expect(try Label(parsing: "branch=feature=x") == Label(key: "branch", value: "feature=x"))
        #expect(try Label(parsing: "empty=") == Label(key: "empty", value: ""))
        #expect(throws: LabelError.self) { try Label(parsing: "novalue") }
        #expect(throws: LabelError.self) { try Label(parsing: "=x") }
        #expect(throws: LabelError.self) { try Label(parsing: "a b=x") }
    }

    @Test func metricsCompareContentBitForBit() {
        #expect(Metric(name: "m", value: .nan, format: .raw).sameContent(as: Metric(name: "m", value: .nan, format: .raw)))
        #expect(Metric(name: "m", value: -0.0, format: .raw).value.sign == .plus)
        #expect(!Metric(name: "m", value: 1, format: .raw).sameContent(as: Metric(name: "m", value: 1, format: .percentage)))
    }

    @Test func numbersAsText() {
        #expect(NumberText.exact(0.1 + 0.2) == "0.30000000000000004")
        #expect(NumberText.exact(-.infinity) == "-Infinity")
        #expect(NumberText.compact(0.044055) == "0.044055")
        #expect(NumberText.compact(1250) == "1250")
        #expect(NumberText.compact(-0.0) == "0")
    }
}
