import KFPModel

/// An operation that could not do its work because of its input: what is wrong, with every problem found.
/// The command prints the diagnostics, then the message, and exits 2.
package struct OperationFailure: Error, Sendable, CustomStringConvertible {
    package var message: String
    /// Problems with their places, printed before the message.
    package var diagnostics: [Diagnostic]

    package init(_ message: String, diagnostics: [Diagnostic] = []) {
        self.message = message
        self.diagnostics = diagnostics
    }

    package var description: String { message }
}
