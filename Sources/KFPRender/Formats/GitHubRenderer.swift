import FoundationEssentials
import KFPModel

/// Renders checks as GitHub Actions workflow commands (`::error`, `::warning`, `::notice`), so that they show as
/// annotations on the run and the pull request.
enum GitHubRenderer {
    /// Escapes a workflow command's message (GitHub's own rules: `%`, CR and LF).
    static func escapeData(_ text: String) -> String {
        text.replacingBytes(of: "%", with: "%25").replacingBytes(of: "\r", with: "%0D")
            .replacingBytes(of: "\n", with: "%0A")
    }

    /// Escapes a workflow command's property value (also `:` and `,`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingBytes(of: ":", with: "%3A").replacingBytes(of: ",", with: "%2C")
    }

    /// One workflow command per annotation; control characters are shown escaped (`\u001b`), so that a name
    /// cannot drive the log viewer's terminal.
    static func render(_ suite: CheckSuite) -> String {
        suite.annotations.map {
            "::\($0.level.rawValue) title=\(escapeProperty($0.title))::\(escapeData($0.message))\n"
        }.joined().visibleControlCharacters(keeping: ["\n"])
    }
}
