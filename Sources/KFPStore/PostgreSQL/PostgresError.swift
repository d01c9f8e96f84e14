// MARK: - Errors

/// Every failure of a PostgreSQL store: a server error with its SQLSTATE, a connection that could not be made or
/// was lost, a URI that does not parse, or a missing libpq.
///
/// No field ever holds a password: the store appears only in its display form (`PostgresLocation.displayURI`), and
/// messages that libpq writes while connecting are scrubbed of the URI's password before they get here.
package struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in the terms a caller acts on.
    package enum Kind: Sendable, Equatable {
        /// libpq.so.5 is not installed, or lacks a function kfpm needs.
        case libraryMissing
        /// The store URI was rejected before any connection was tried.
        case invalidLocation
        /// No session could be started: server down or unreachable, timeout, authentication or authorization.
        case connect
        /// The server reported an error for a statement; the connection is still usable.
        case server
        /// The connection broke (server stopped or killed, backend terminated, network): whatever transaction was
        /// open is lost and was not committed, and the connection cannot be used again.
        case connectionLost
        /// A call PGStore refuses before sending it (a NUL character in text, a value of the wrong type).
        case misuse
    }

    package var kind: Kind
    /// The five-character SQLSTATE the server sent (`40001`, `23505`, …); nil for errors libpq or kfpm made.
    package var sqlState: String?
    /// The primary message, without the "ERROR:" prefix or a trailing newline.
    package var message: String
    /// The server's DETAIL (or libpq's secondary lines), when there is one.
    package var detail: String?
    /// The server's HINT, when there is one.
    package var hint: String?
    /// The statement that failed (never with parameter values: they are sent apart from the SQL).
    package var sql: String?
    /// The store's display form (no password), for connection failures and losses.
    package var store: String?

    package init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        sql: String? = nil, store: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.sql = sql
        self.store = store
    }

    // MARK: - Classification

    /// True when the connection is gone (`PQstatus` was `CONNECTION_BAD` after the failure): the open transaction,
    /// if any, was not committed (except for a loss during COMMIT itself, whose outcome is unknown).
    package var isConnectionLost: Bool { kind == .connectionLost }
    /// SQLSTATE 40001: the transaction could not be serialized with concurrent ones; running it again may succeed.
    package var isSerializationFailure: Bool { sqlState == "40001" }
    /// SQLSTATE 40P01: the server broke a deadlock by failing this transaction.
    package var isDeadlock: Bool { sqlState == "40P01" }
    /// True for the failures that `PostgresConnection` retries by running the whole transaction again.
    package var isRetryable: Bool { kind == .server && (isSerializationFailure || isDeadlock) }
    /// SQLSTATE 42501 (insufficient_privilege): the role lacks a privilege on the object.
    package var isPermissionDenied: Bool { sqlState == "42501" }

    // MARK: - Text

    /// One line for the user: the message with the store, the detail and the statement it came from.
    package var description: String {
        var text: String
        switch kind {
        case .connect:
            text = "cannot connect to the store at \(store ?? "postgresql://"): \(message)"
        case .connectionLost:
            text = "lost the connection to the store at \(store ?? "postgresql://"): \(message)"
        default:
            text = message
        }
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        if let sql { text += " (in: \(sql))" }
        return text
    }
}
