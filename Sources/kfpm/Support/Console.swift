import Foundation

/// Where the executable writes: data to stdout, diagnostics to stderr (never mixed).
enum Console {
    /// Writes data to stdout as is.
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes one diagnostic line to stderr.
    static func diagnostic(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes `kfpm: error: …` to stderr.
    static func error(_ text: String) {
        diagnostic("kfpm: error: \(text)")
    }

    /// Whether stdout is a terminal and colour is allowed (never with NO_COLOR, https://no-color.org).
    static var colorAllowed: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// Reads all of standard input.
    static func readStandardInput() throws -> [UInt8] {
        [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }
}

/// A failure the command reports and exits 2 on; its message says what and where.
struct CommandFailure: Error {
    var message: String
}
