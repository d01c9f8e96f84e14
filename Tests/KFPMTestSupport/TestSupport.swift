import Foundation

/// The repository's `fixtures/` folder and helpers to read from it.
public enum Fixtures {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `fixtures/` in the repository.
    public static let root = repositoryRoot.appendingPathComponent("fixtures")

    /// The absolute path of a fixture, given relative to `fixtures/`.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// A fixture's bytes.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    /// Every file below a fixtures folder, relative to `fixtures/`, sorted.
    public static func files(under folder: String) -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var result: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: base.appendingPathComponent(relative).path, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                result.append(folder + "/" + relative)
            }
        }
        return result.sorted()
    }
}

/// Golden files under `fixtures/expected/`, re-recorded only on purpose with `KFPM_RECORD=1` (Scripts/record-goldens.sh).
public enum Golden {
    /// Compares `actual` with the golden file; returns a description of the difference, or nil when equal.
    /// With `KFPM_RECORD=1` it writes the file instead and returns nil.
    public static func mismatch(_ actual: String, file name: String) -> String? {
        let url = Fixtures.root.appendingPathComponent("expected").appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["KFPM_RECORD"] == "1" {
            try? FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Data(actual.utf8).write(to: url)
            return nil
        }
        guard let data = try? Data(contentsOf: url) else {
            return "no golden file fixtures/expected/\(name); record it with Scripts/record-goldens.sh"
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected == actual { return nil }
        let a = expected.components(separatedBy: "\n")
        let b = actual.components(separatedBy: "\n")
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        let want = line < a.count ? a[line] : "(end)"
        let got = line < b.count ? b[line] : "(end)"
        return "fixtures/expected/\(name) differs at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)"
    }
}

/// A fresh temporary folder, removed by `remove()`.
public struct TemporaryFolder {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kfpm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The result of running the built `kfpm` binary.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built `kfpm` binary, as a user or a CI job would.
public enum KFPMBinary {
    /// The binary: `$KFPM_BINARY`, else next to the test bundle, else `.build/debug/kfpm`.
    public static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["KFPM_BINARY"] { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kfpm"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kfpm"),
            Bundle.main.bundleURL.appendingPathComponent("kfpm"),
            Fixtures.repositoryRoot.appendingPathComponent(".build/debug/kfpm"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[3]
    }()

    /// Runs `kfpm` with arguments in `directory`, feeding `stdin`; the environment is the test's, minus
    /// KFPM_* and NO_COLOR, plus `environment`.
    public static func run(
        _ arguments: [String], in directory: String, stdin: [UInt8] = [], environment: [String: String] = [:]
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KFPM_") && $0.key != "NO_COLOR" }
        env.merge(environment) { _, new in new }
        process.environment = env
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, on separate threads, so that a large output cannot block.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self))
    }
}
