import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// The KFP v1 artifact: a gzip'd tar holding exactly one regular file, read in memory only.
struct ArchiveTests {
    /// Builds a .tgz with the system's tar from a folder prepared by `setUp`, with extra tar arguments.
    private func tgz(_ arguments: [String], setUp: (String) throws -> Void) throws -> [UInt8] {
        try withTemporaryFolder { folder in
            let content = folder.file("content")
            try FileManager.default.createDirectory(atPath: content, withIntermediateDirectories: true)
            try setUp(content)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/tar")
            process.arguments = ["-czf", folder.file("a.tgz"), "-C", content] + arguments
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder.file("a.tgz"))))
        }
    }

    private let metrics = #"{"metrics":[{"name":"a","numberValue":1}]}"#

    private func failure(_ bytes: [UInt8], maxBytes: Int = 1 << 20) -> String? {
        do {
            _ = try MetricsArchive.singleFile(fromTgz: bytes, maxBytes: maxBytes)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func realFixtureHoldsOneFile() throws {
        let file = try MetricsArchive.singleFile(fromTgz: try Fixtures.bytes("kfp-v1/mlpipeline-metrics.tgz"), maxBytes: 1 << 20)
        #expect(!file.name.isEmpty)
        #expect(String(decoding: file.bytes, as: UTF8.self).contains("\"metrics\""))
    }

    @Test func tarWithALongNameAndADotFolder() throws {
        let long = String(repeating: "n", count: 150) + ".json"
        let bytes = try tgz(["."]) { try Data(metrics.utf8).write(to: URL(fileURLWithPath: $0 + "/" + long)) }
        let file = try MetricsArchive.singleFile(fromTgz: bytes, maxBytes: 1 << 20)
        #expect(file.name.hasSuffix(long))
        #expect(String(decoding: file.bytes, as: UTF8.self) == metrics)
    }

    @Test func linksFoldersAndSeveralFilesAreRefused() throws {
        let link = try tgz(["data"]) { try FileManager.default.createSymbolicLink(atPath: $0 + "/data", withDestinationPath: "/etc/passwd") }
        #expect(failure(link)?.contains("is a link") == true)
        let folder = try tgz(["sub"]) { try FileManager.default.createDirectory(atPath: $0 + "/sub", withIntermediateDirectories: true) }
        #expect(failure(folder)?.contains("is a folder") == true)
        let two = try tgz(["a", "b"]) {
            try Data(metrics.utf8).write(to: URL(fileURLWithPath: $0 + "/a"))
            try Data(metrics.utf8).write(to: URL(fileURLWithPath: $0 + "/b"))
        }
        #expect(failure(two)?.contains("more than one file") == true)
    }

    @Test func truncatedCorruptAndNonTarDataAreRefused() throws {
        let good = try Fixtures.bytes("kfp-v1/mlpipeline-metrics.tgz")
        #expect(failure(Array(good.prefix(good.count / 2)))?.contains("truncated") == true)
        var corrupt = good
        corrupt[12] ^= 0xFF
        corrupt[20] ^= 0xFF
        #expect(failure(corrupt) != nil)
        #expect(failure(try gzip(Array(metrics.utf8)))?.contains("no tar archive") == true)
    }

    @Test func decompressionIsCapped() throws {
        let bomb = try gzip([UInt8](repeating: 0, count: 4 << 20))
        #expect(bomb.count < 20_000)
        #expect(failure(bomb, maxBytes: 1 << 20)?.contains("decompresses to more than") == true)
    }

    /// gzip via the system tool.
    private func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try withTemporaryFolder { folder in
            try Data(bytes).write(to: URL(fileURLWithPath: folder.file("x")))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/gzip")
            process.arguments = [folder.file("x")]
            try process.run()
            process.waitUntilExit()
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder.file("x.gz"))))
        }
    }
}
