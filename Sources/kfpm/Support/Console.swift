import FoundationEssentials
import KFPIngest
import KFPMetrics
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the executable writes: data to stdout, diagnostics to stderr (never mixed). Writing never traps: a
/// reader that went away (a closed pipe) ends the output quietly; any other failure is an `OutputFailure`.
enum Console {
    /// Set once stdout turned out to be a closed pipe: the rest of the output is dropped.
    nonisolated(unsafe) private static var stdoutClosed = false

    /// Writes data to stdout as is.
    static func output(_ text: String) throws(OutputFailure) {
        guard !stdoutClosed else { return }
        switch write(text, to: STDOUT_FILENO) {
        case 0: return
        case EPIPE: stdoutClosed = true
        case let code: throw OutputFailure(reason: String(cString: strerror(code)))
        }
    }

    /// Writes one diagnostic line to stderr, control characters escaped (line breaks and tabs kept). A failure
    /// to write a diagnostic has nowhere to be reported, so it is ignored.
    static func diagnostic(_ text: String) {
        _ = write(text.visibleControlCharacters(keeping: ["\n", "\t"]) + "\n", to: STDERR_FILENO)
    }

    /// Writes `kfpm: error: …` to stderr.
    static func error(_ text: String) {
        diagnostic("kfpm: error: \(text)")
    }

    private static func write(_ text: String, to descriptor: Int32) -> Int32 {
        DescriptorOutput.writeAll(text, to: descriptor)
    }

    /// Whether stdout is a terminal and colour is allowed (never with NO_COLOR, https://no-color.org).
    static var colorAllowed: Bool {
        isatty(STDOUT_FILENO) == 1 && Environment.value("NO_COLOR") == nil
    }

    /// Reads all of standard input.
    static func readStandardInput() throws -> [UInt8] {
        try InputCollector.readToEnd(STDIN_FILENO).get()
    }
}

/// The output could not be written (a full disk, an I/O error): the command exits 2 saying so, and what it had
/// already done (an ingest that committed says its run was stored).
struct OutputFailure: Error {
    var reason: String
    /// What the command had done before the output failed, e.g. `run 'r' in experiment 'e' was stored`.
    var done: String?

    var message: String { "cannot write the output: \(reason)" + (done.map { "; \($0)" } ?? "") }
}

/// A failure the command reports and exits 2 on; its message says what and where.
struct CommandFailure: Error {
    var message: String
}
