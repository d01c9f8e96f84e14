import Foundation

/// The result of running the built `kfpm` binary (or another command).
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Runs a configured process, feeding `stdin`, and returns its exit status and everything it wrote.
    public static func capture(_ process: Process, stdin: [UInt8] = []) throws -> ProcessResult {
        let (outputData, errorData) = try process.runCapturingOutput(stdin: stdin)
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self))
    }
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
    /// KFPM_* and NO_COLOR, plus `environment`. A `launcher` (such as `setpriv …`) runs kfpm through it.
    public static func run(
        _ arguments: [String], in directory: String, stdin: [UInt8] = [], environment: [String: String] = [:],
        launcher: [String] = []
    ) throws -> ProcessResult {
        let process = Process()
        if let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + [url.path] + arguments
        } else {
            process.executableURL = url
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KFPM_") && $0.key != "NO_COLOR" }
        env.merge(environment) { _, new in new }
        process.environment = env
        return try ProcessResult.capture(process, stdin: stdin)
    }
}

extension Process {
    /// Runs the process to its end, feeding it `stdin`, and returns all it wrote to stdout and stderr. Both pipes
    /// are read fully before waiting, on separate threads, so that a large output cannot block.
    public func runCapturingOutput(stdin: [UInt8] = []) throws -> (stdout: Data, stderr: Data) {
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        standardInput = input
        standardOutput = output
        standardError = errors
        try run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        waitUntilExit()
        return (outputData, errorData)
    }
}
