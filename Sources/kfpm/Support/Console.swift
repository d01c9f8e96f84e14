import Foundation
import KFPModel

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

    /// Writes all of `text` to a file descriptor, through short writes, interruptions and a non-blocking
    /// descriptor; returns 0, or the `errno` that stopped it.
    private static func write(_ text: String, to descriptor: Int32) -> Int32 {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return 0 }
            var written = 0
            while written < raw.count {
                let count = Foundation.write(descriptor, base + written, raw.count - written)
                if count >= 0 {
                    written += count
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                } else {
                    return errno
                }
            }
            return 0
        }
    }

    /// Whether stdout is a terminal and colour is allowed (never with NO_COLOR, https://no-color.org).
    static var colorAllowed: Bool {
        isatty(STDOUT_FILENO) == 1 && Environment.value("NO_COLOR") == nil
    }

    /// Reads all of standard input.
    static func readStandardInput() throws -> [UInt8] {
        [UInt8](try FileHandle.standardInput.readToEnd() ?? Data())
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
