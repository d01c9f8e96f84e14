import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// The readers on hostile input, in process: what the fuzzer and the bad-input corpus found stays fixed.
struct HostileInputTests {
    /// Every way a file is read: detected, each forced format, strict KFP rules, non-finite values allowed.
    static let allOptions: [ReadOptions] =
        [ReadOptions(), ReadOptions(allowNonFinite: true), ReadOptions(kfpRules: true)]
        + InputFormat.metricsFileFormats.map { ReadOptions(inputFormat: $0) }

    /// The committed bad inputs (the valid edge cases and the manifest left out, and the folders of folder
    /// cases, where only some files are broken: the corpus test runs those whole).
    static let corpus = Fixtures.files(under: "bad-input").filter {
        !$0.hasSuffix("cases.json") && !$0.dropFirst("bad-input/".count).contains("/")
    }

    @Test(arguments: corpus)
    func everyCorpusFileIsRefusedWithoutATrap(_ file: String) throws {
        let bytes = try Fixtures.bytes(file)
        if file.hasSuffix(".tsv") {
            #expect(SeriesFileReader.read(bytes, file: file).hasErrors, "\(file)")
            return
        }
        for var options in Self.allOptions {
            // depth-3.json is too deep only under --max-depth 2, as its case runs it.
            if file.hasSuffix("depth-3.json") { options.limits.maxDepth = 2 }
            let reading = MetricsFileReader.read(bytes, file: file, options: options)
            if file.hasSuffix("bare-nan-flat.json") && options.allowNonFinite { continue }  // what the flag is for
            #expect(reading.hasErrors, "\(file) with \(options.inputFormat?.rawValue ?? "detection")")
        }
    }

    @Test func aHugeNumericKFPFormatIsAnErrorNotATrap() {
        // Int(1e20) traps: the reader converted the number before checking it (found by fuzzing).
        for format in ["1e20", "-1e20", "1e300", "9.3e18", "2.5", "3"] {
            let reading = MetricsFileReader.read(
                Array(#"{"metrics":[{"name":"a","numberValue":1,"format":\#(format)}]}"#.utf8), file: "m.json",
                options: ReadOptions())
            #expect(reading.diagnostics.contains { $0.rule == "kfp-format" }, "\(format)")
        }
        let two = MetricsFileReader.read(
            Array(#"{"metrics":[{"name":"a","numberValue":1,"format":2}]}"#.utf8), file: "m.json", options: ReadOptions())
        #expect(two.metrics.first?.format == .percentage)
    }

    @Test func nesting100000DeepIsReadOnAStackSizedForIt() {
        var options = ReadOptions()
        options.limits.maxDepth = 100_000
        let arrays = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        let refusedArrays = MetricsFileReader.read(arrays, file: "deep.json", options: options)
        #expect(refusedArrays.diagnostics.contains { $0.rule == "not-metrics" })

        let objects = Array(
            (String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8)
        let start = ContinuousClock.now
        let refusedObjects = MetricsFileReader.read(objects, file: "deep.json", options: options)
        #expect(refusedObjects.diagnostics.contains { $0.rule == "name-length" })
        #expect(ContinuousClock.now - start < .seconds(20), "names are not rebuilt level by level")

        // Within the name cap, a deep object is a metric like any other.
        let name = Array(repeating: "k", count: 300).joined(separator: "/")
        let deep = Array(
            (String(repeating: "{\"k\":", count: 299) + "{\"k\":0.5" + String(repeating: "}", count: 300)).utf8)
        #expect(MetricsFileReader.read(deep, file: "deep.json", options: options).metrics.map(\.name) == [name])
    }

    @Test func deepWorkGetsAThreadWithALargeStack() {
        #expect(DeepStack.stackBytes(forDepth: 100_000) >= 100_000 * 2_600)
        // Up to the default depth the work runs on the calling thread; deeper, on a thread of its own.
        let caller = pthread_self()
        #expect(DeepStack.run(depth: JSONParser.defaultMaxDepth) { pthread_equal(pthread_self(), caller) != 0 })
        #expect(DeepStack.run(depth: 10_000) { pthread_equal(pthread_self(), caller) == 0 })
    }

    @Test func trailingDataAfterGzipAndBadTarChecksumsSayWhatTheyAre() throws {
        let good = try Fixtures.bytes("kfp-v1/mlpipeline-metrics.tgz")
        #expect {
            try MetricsArchive.gunzip(good + Array("junk".utf8), maxBytes: 1 << 20)
        } throws: { error in
            (error as? MetricsArchive.Failure)?.message
                == "unexpected data after the end of the gzip stream, at byte \(good.count)"
        }
        // Two gzip members in a row are one stream, as gzip itself reads them.
        let twice = try MetricsArchive.gunzip(good + good, maxBytes: 1 << 20)
        let once = try MetricsArchive.gunzip(good, maxBytes: 1 << 20)
        #expect(twice == once + once)
    }
}
