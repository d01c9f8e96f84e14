import Foundation

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
