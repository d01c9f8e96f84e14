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
}
