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

/// Shell scripts run beside the tests (`/bin/sh -c`), for loops of many `kfpm` invocations and for
/// setups such as a umask, with a time bound so that a hang fails the test instead of stalling the suite.
public enum Shell {
    /// Starts `/bin/sh -c script` in `directory`, with `$KFPM` set to the built binary; stdout and stderr go to
    /// `/dev/null` unless the script redirects them.
    public static func start(
        _ script: String, in directory: String, environment: [String: String] = [:]
    ) throws -> Process {
        let process = Process()
        // In a session of its own (setsid), so that a timeout can kill the script with everything it started;
        // --wait keeps setsid there until the script ends, should it have to fork.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = ["--wait", "/bin/sh", "-c", script]
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KFPM_") && $0.key != "NO_COLOR" }
        env["KFPM"] = KFPMBinary.url.path
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for every process until `timeout` has passed; then kills (SIGKILL) those still running, with the
    /// processes they started, and returns false.
    public static func wait(for processes: [Process], timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while processes.contains(where: \.isRunning) {
            if ContinuousClock.now >= deadline {
                for process in processes where process.isRunning {
                    kill(-process.processIdentifier, SIGKILL)
                    kill(process.processIdentifier, SIGKILL)
                }
                for process in processes { process.waitUntilExit() }
                return false
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// Runs a script to its end (bounded by `timeout`) and returns its exit status, or nil when it timed out.
    public static func run(
        _ script: String, in directory: String, environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) throws -> Int32? {
        let process = try start(script, in: directory, environment: environment)
        guard wait(for: [process], timeout: timeout) else { return nil }
        return process.terminationStatus
    }
}

/// Running kfpm as a user without root's powers, for the cases that root would slip past: an unreadable file,
/// a read-only folder (root reads and writes through `chmod 000` and `chmod 555`).
public enum Unprivileged {
    /// How to launch kfpm unprivileged: nothing when the tests do not run as root; `setpriv` to the user nobody
    /// when they do and nobody can run the binary; nil when neither works (those cases are then skipped).
    public static let launcher: [String]? = {
        guard geteuid() == 0 else { return [] }
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else { return nil }
        let launcher = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        let probe = try? KFPMBinary.run(["--version"], in: "/", launcher: launcher)
        return probe?.status == 0 ? launcher : nil
    }()
}

/// The sqlite3 command-line shell: SQLite's own view of a store (integrity checks, checkpoints), independent of
/// kfpm's wrapper. CI installs it (.ci/run: apt-get install sqlite3).
public enum SQLiteShell {
    /// The shell's path, or nil when it is not installed.
    public static let path: String? = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/bin/sqlite3"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs SQL on a database file and returns the output (stdout and stderr), trimmed.
    public static func run(_ database: String, _ sql: String) throws -> String {
        guard let path else { throw CocoaError(.executableNotLoadable) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [database, sql]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
