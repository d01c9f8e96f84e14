/// Where a store lives, as `--store` or `KFPM_STORE` name it: a file path (SQLite, embedded, the default) or a
/// `postgresql://` / `postgres://` connection URI (a team store).
package enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file (`:memory:` for an in-memory store, in tests).
    case file(path: String)
    /// A PostgreSQL database, by its libpq connection URI.
    case postgreSQL(uri: String)

    /// Reads a location: a URI with a PostgreSQL scheme, else a file path.
    package init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            self = .postgreSQL(uri: text)
        } else {
            self = .file(path: text)
        }
    }

    /// How messages name the store: the path, or the URI without any password.
    package var description: String {
        switch self {
        case .file(let path): path
        case .postgreSQL(let uri): Self.withoutPassword(uri)
        }
    }

    /// A URI with the password of its user-info part removed (`postgresql://user:secret@host/db` →
    /// `postgresql://user@host/db`).
    static func withoutPassword(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://") else { return uri }
        let rest = uri[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return uri }
        return String(uri[..<scheme.upperBound]) + authority[..<colon] + rest[at...]
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
    /// process's lock (longer while an import holds it).
    package static func open(
        _ location: StoreLocation, for access: StoreAccess, busyTimeoutMilliseconds: Int32 = defaultBusyTimeoutMilliseconds
    ) throws(StoreError) -> any MetricsStore {
        switch location {
        case .file(let path):
            return try SQLiteStore(path: path, access: access, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        case .postgreSQL:
            throw .failure(store: location.description, detail: "PostgreSQL stores are not supported by this build")
        }
    }
}
