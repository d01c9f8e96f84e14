/// Where a store lives, as `--store` or `KFPM_STORE` name it: a file path (SQLite, embedded, the default) or a
/// `postgresql://` / `postgres://` connection URI (a team store).
package enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file (`:memory:` for an in-memory store, in tests).
    case file(path: String)
    /// A PostgreSQL database, by its libpq connection URI.
    case postgreSQL(uri: String)

    /// Reads a location: a URI with a PostgreSQL scheme (in any case), else a file path.
    package init(_ text: String) {
        if PostgresLocation.isPostgresURI(text) {
            self = .postgreSQL(uri: text)
        } else {
            self = .file(path: text)
        }
    }

    /// How messages name the store: the path, or the URI as `PostgresLocation` displays it, without the password or
    /// any parameter but a unix-socket folder (`postgresql://user@host:5432/db`).
    package var description: String {
        switch self {
        case .file(let path): path
        case .postgreSQL(let uri): (try? PostgresLocation(uri, environment: { _ in nil }))?.displayURI ?? "postgresql://(invalid URI)"
        }
    }
}

/// What a command will do with a store: a read command never creates or changes one.
package enum StoreAccess: Sendable {
    /// Read only: the store must exist at this kfpm's schema.
    case read
    /// Read and write: a missing store is created, an older one upgraded.
    case write
    /// Upgrade an existing store to this kfpm's schema (`kfpm upgrade`): it must exist.
    case upgrade

    /// Whether the store may be written (and so upgraded).
    package var writes: Bool { self != .read }
    /// Whether a missing store is created.
    package var creates: Bool { self == .write }
}

/// Opens the store at a location with the backend its kind names.
package enum StoreFactory {
    /// How long a write waits for another process's lock before it gives up, unless told otherwise.
    package static let defaultBusyTimeoutMilliseconds: Int32 = 10_000

    /// The store at `location`, opened for `access`. A write waits up to `busyTimeoutMilliseconds` for another
    /// process's lock (longer while an import holds it). A PostgreSQL store loads libpq here, on first use.
    package static func open(
        _ location: StoreLocation, for access: StoreAccess, busyTimeoutMilliseconds: Int32 = defaultBusyTimeoutMilliseconds
    ) throws(StoreError) -> any MetricsStore {
        switch location {
        case .file(let path):
            return try SQLiteStore(path: path, access: access, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        case .postgreSQL(let uri):
            return try PostgresStore(uri: uri, access: access, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
    }
}
