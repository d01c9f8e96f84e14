import Foundation
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// The format readers and detection, on small inline documents.
struct ReaderTests {
    private func read(_ text: String, _ options: ReadOptions = ReadOptions()) -> FileReading {
        MetricsFileReader.read(Array(text.utf8), file: "m.json", options: options)
    }

    private func errors(_ reading: FileReading) -> [String] {
        reading.diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    private func values(_ reading: FileReading) -> [String: Double] {
        Dictionary(reading.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: - KFP v1

    @Test func kfpV1AcceptsBothSpellingsAndFormats() {
        let reading = read(
            #"{"metrics":[{"name":"accuracy-score","numberValue":0.9,"format":"PERCENTAGE"},"#
                + #"{"name":"loss","number_value":"1.25","format":1},{"name":"n","numberValue":3}], "runId": "x"}"#)
        #expect(reading.format == .kfpV1)
        #expect(errors(reading).isEmpty)
        #expect(values(reading) == ["accuracy-score": 0.9, "loss": 1.25, "n": 3])
        #expect(reading.metrics.map(\.format) == [.percentage, .raw, .unspecified])
    }

    @Test func kfpV1ReportsEveryProblemWithItsPlace() {
        let reading = read(
            """
            {"metrics": [
              {"name": "1st", "numberValue": 1},
              {"name": "ok", "numberValue": "high"},
              {"name": "fmt", "numberValue": 1, "format": "PERCENT"},
              {"name": "extra", "numberValue": 1, "step": 2},
              {"numberValue": 1},
              {"name": "nv"}
            ]}
            """)
        let messages = errors(reading)
        #expect(messages.count == 6)
        #expect(messages[0].hasPrefix("m.json:2:12: error: $.metrics[0].name: name '1st' does not match KFP's pattern"))
        #expect(messages[0].hasSuffix("[kfp-name-pattern]"))
        #expect(messages[1].hasPrefix("m.json:3:33: error: $.metrics[1].numberValue: metric 'ok' must have a numeric value"))
        #expect(messages[2].contains("$.metrics[2].format: unknown format 'PERCENT'"))
        #expect(messages[3].contains("$.metrics[3].step: unknown field 'step'"))
        #expect(messages[4].contains("metric has no 'name'"))
        #expect(messages[5].contains("metric 'nv' has no numberValue"))
        #expect(reading.metrics.isEmpty)
    }

    @Test func kfpV1NameRule() {
        for good in ["a", "ab", "a-b_c9", "A" + String(repeating: "x", count: 63)] { #expect(KFPRules.isValidName(good)) }
        for bad in ["", "1a", "a-", "a_", "a b", "é", "-a", "a" + String(repeating: "x", count: 64)] {
            #expect(!KFPRules.isValidName(bad), "\(bad)")
        }
        let long = String(repeating: "a", count: 70)
        #expect(errors(read(#"{"metrics":[{"name":"\#(long)","numberValue":1}]}"#)).first?.contains("kfp-name-length") == true)
    }

    @Test func kfpV1MetricLimitWarnsOrFailsUnderKFPRules() {
        let metrics = (1...51).map { #"{"name":"m\#($0)","numberValue":\#($0)}"# }.joined(separator: ",")
        let text = #"{"metrics":[\#(metrics)]}"#
        let lenient = read(text)
        #expect(errors(lenient).isEmpty)
        #expect(lenient.diagnostics.contains { $0.severity == .warning && $0.rule == "kfp-metric-limit" })
        #expect(lenient.metrics.count == 51)
        #expect(errors(read(text, ReadOptions(kfpRules: true))).first?.contains("kfp-metric-limit") == true)
    }

    @Test func nonFiniteIsRejectedUnlessAllowed() {
        let text = #"{"metrics":[{"name":"a","numberValue":NaN},{"name":"b","numberValue":"-Infinity"}]}"#
        let rejected = errors(read(text))
        #expect(rejected.count == 2)
        #expect(rejected[0].contains("metric 'a' is NaN; pass --allow-nonfinite"))
        #expect(rejected[1].contains("metric 'b' is -Infinity"))
        let allowed = read(text, ReadOptions(allowNonFinite: true))
        #expect(errors(allowed).isEmpty)
        #expect(allowed.metrics[0].value.isNaN && allowed.metrics[1].value == -.infinity)
        #expect(errors(read(text, ReadOptions(allowNonFinite: true, kfpRules: true))).count == 2)
    }

    @Test func duplicateKeysAreErrors() {
        #expect(errors(read(#"{"metrics":[{"name":"a","name":"b","numberValue":1}]}"#)).first?.contains("duplicate key") == true)
    }

    // MARK: - KFP v2

    @Test func kfpV2NamesMetricsByOutputAndSkipsClassification() {
        let reading = read(
            """
            {"artifacts": {
              "metrics": {"artifacts": [{"name": "metrics", "uri": "/x", "metadata": {"accuracy": 0.9, "display_name": "m"}}]},
              "eval": {"artifacts": [{"name": "eval", "uri": "/y", "metadata": {"accuracy": 0.8}}]},
              "cm": {"artifacts": [{"name": "cm", "uri": "/z", "metadata": {"confusionMatrix": {"rows": []}}}]},
              "model": {"artifacts": [{"name": "model", "uri": "/m", "metadata": {}}]}
            }, "parameterValues": {"n": 3}}
            """)
        #expect(reading.format == .kfpV2)
        #expect(errors(reading).isEmpty)
        #expect(values(reading) == ["metrics/accuracy": 0.9, "eval/accuracy": 0.8])
        #expect(reading.metrics.allSatisfy { $0.format == .raw })
        #expect(reading.diagnostics.contains { $0.severity == .note && $0.message.contains("ClassificationMetrics") })
    }

    @Test func kfpV2NaNNamesTheMetric() {
        let reading = read(#"{"artifacts": {"m": {"artifacts": [{"metadata": {"loss": NaN}}]}}}"#)
        #expect(errors(reading).first?.contains("$.artifacts.m.artifacts[0].metadata.loss: metric 'm/loss' is NaN") == true)
    }

    // MARK: - Flat

    @Test func flatJoinsNestedKeysAndDropsDvcliveStep() {
        let reading = read(#"{"step": 2, "train": {"loss": 0.5, "acc": 0.9}, "val/acc": 0.8}"#)
        #expect(reading.format == .flat)
        #expect(values(reading) == ["train/loss": 0.5, "train/acc": 0.9, "val/acc": 0.8])
    }

    @Test func flatRejectsNonNumbersAndNaNStrings() {
        let messages = errors(read(#"{"a": 1, "b": "x", "c": [1], "d": null, "e": "NaN"}"#))
        #expect(messages.count == 4)
        #expect(messages[0].contains("metric 'b' must be a number, found a string \"x\""))
        #expect(messages[3].contains("metric 'e' is NaN"))
    }

    @Test func jsonWithoutNumbersIsNoMetricsFile() {
        let reading = read(#"{"name": "pipeline", "tags": ["a"]}"#)
        #expect(reading.isNotMetrics)
        #expect(errors(reading).count == 1)
        #expect(errors(reading)[0].contains("not a metrics file"))
    }

    // MARK: - Detection and encodings

    @Test func forcedFormatOverridesDetection() {
        let reading = read(#"{"metrics": 3}"#, ReadOptions(inputFormat: .flat))
        #expect(values(reading) == ["metrics": 3])
    }

    @Test func encodingsAndNonJSONAreExplained() {
        func message(_ bytes: [UInt8]) -> String {
            MetricsFileReader.read(bytes, file: "f", options: ReadOptions()).diagnostics.first?.message ?? ""
        }
        #expect(message([]).contains("empty"))
        #expect(message([0xEF, 0xBB, 0xBF] + Array("{}".utf8)).contains("byte-order mark"))
        #expect(message([0xFF, 0xFE, 0x7B, 0x00]).contains("UTF-16"))
        #expect(message([0x7B, 0x00, 0x7D, 0x00]).contains("UTF-16"))
        #expect(message([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]).contains("binary"))
        #expect(message(Array("# PIPELINE DEFINITION\ncomponents:\n".utf8)).contains("not a metrics file"))
        #expect(message(Array("[1, 2]".utf8)).contains("not a metrics file"))
    }
}
