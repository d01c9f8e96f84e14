import Foundation

/// Opens an HTML page in a real headless Chromium with `Scripts/browser/pagecheck.py` and returns what it saw:
/// console messages, exceptions, CSP violations, requests, and the DOM after the scripts ran (README "Browser
/// checks of HTML reports").
///
/// Without a browser the tests that need one are skipped, saying why; with `KFPM_REQUIRE_BROWSER=1` (CI sets
/// it) they run and fail instead, so that CI can never pass without having looked.
public enum PageCheck {
    /// Whether a missing browser must fail the tests rather than skip them.
    public static let required = ProcessInfo.processInfo.environment["KFPM_REQUIRE_BROWSER"] == "1"

    /// The Chromium binary pagecheck would choose, or nil: `$PAGECHECK_BROWSER` (nil when it is no executable),
    /// else the first of its candidates found.
    public static let browser: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PAGECHECK_BROWSER"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        let paths = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        let candidates = [
            "/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell", "chrome-headless-shell",
            "/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome-stable", "google-chrome",
        ]
        for candidate in candidates {
            let found = candidate.hasPrefix("/") ? [candidate] : paths.map { $0 + "/" + candidate }
            if let path = found.first(where: FileManager.default.isExecutableFile(atPath:)) { return path }
        }
        return nil
    }()

    /// `python3`, which runs pagecheck (standard library only).
    public static let python: String? = {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { $0 + "/python3" }.first(where: FileManager.default.isExecutableFile(atPath:))
    }()

    /// Whether the browser tests can run here, or must (and will fail for want of a browser).
    public static var shouldRun: Bool { (browser != nil && python != nil) || required }

    /// Why the browser tests are skipped here.
    public static let skipReason =
        "no headless Chromium or python3 here (apt-get install chromium-headless-shell python3); skipped locally, "
        + "a failure under KFPM_REQUIRE_BROWSER=1 (CI)"

    /// Where screenshots go: `.build/test-screenshots/` (git-ignored), for a person to look at.
    public static let screenshots = Fixtures.repositoryRoot.appendingPathComponent(".build/test-screenshots")

    /// The failure when no browser is there to run a check that must run.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String {
            "KFPM_REQUIRE_BROWSER=1 but no headless Chromium or python3 was found; install chromium-headless-shell "
                + "(apt-get install -y --no-install-recommends chromium-headless-shell) or set PAGECHECK_BROWSER"
        }
    }

    /// A pagecheck run that did not produce its JSON.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs pagecheck on `file` with `arguments` (`--select`, `--click`, `--eval`, `--no-js`, …) and returns its
    /// JSON object. Exit 0 and 1 (problems found, with `--strict`) give a result; any other exit is a failure.
    public static func run(_ file: String, _ arguments: [String]) throws -> [String: Any] {
        guard let python, browser != nil else { throw Unavailable() }
        let script = Fixtures.repositoryRoot.appendingPathComponent("Scripts/browser/pagecheck.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, file] + arguments + (browser.map { ["--browser", $0] } ?? [])
        let (data, errorData) = try process.runCapturingOutput()
        guard [0, 1].contains(process.terminationStatus),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw Failure(
                description: "pagecheck \(file) exited \(process.terminationStatus): "
                    + String(decoding: errorData, as: UTF8.self) + String(decoding: data, as: UTF8.self))
        }
        return object
    }
}
