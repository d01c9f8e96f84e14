import Foundation

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

    /// Starts writer and reader scripts in `directory`, releases them together (the file `go`, which the scripts wait
    /// for), waits up to `timeout` for the writers, then tells the readers to stop (the file `done`) and waits for
    /// them. Returns how long the writers took, or nil when they (or the readers) did not finish in time.
    public static func writersAndReaders(
        _ writers: [String], _ readers: [String], in directory: String, environment: [String: String],
        timeout: Duration
    ) throws -> Duration? {
        let started = try writers.map { try start($0, in: directory, environment: environment) }
        let reading = try readers.map { try start($0, in: directory, environment: environment) }
        let folder = URL(fileURLWithPath: directory)
        FileManager.default.createFile(atPath: folder.appendingPathComponent("go").path, contents: nil)
        let clock = ContinuousClock.now
        let finished = wait(for: started, timeout: timeout)
        let elapsed = ContinuousClock.now - clock
        FileManager.default.createFile(atPath: folder.appendingPathComponent("done").path, contents: nil)
        let readersDone = wait(for: reading, timeout: .seconds(30))
        return finished && readersDone ? elapsed : nil
    }

    /// The lines of a text file the scripts wrote (none when it does not exist).
    public static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
