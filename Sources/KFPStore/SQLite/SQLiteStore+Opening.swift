import CSQLite
import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opening a store file: telling a kfpm store from anything else, refusing a newer schema, migrating, and
/// setting the connection up (WAL, foreign keys), safely when many processes do it at once.
extension SQLiteStore {
    /// Maps a SQLite failure to what it means for the user.
    static func storeError(_ error: SQLiteError, path: String) -> StoreError {
        switch error.code {
        case SQLITE_NOTADB: .notAStore(store: path, reason: "the file is not an SQLite database")
        case SQLITE_CORRUPT: .corrupt(store: path, detail: error.message)
        case SQLITE_BUSY, SQLITE_LOCKED: .busy(store: path)
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM:
            .cannotWrite(store: path, detail: whyNotWritable(path) ?? error.message)
        case SQLITE_FULL, SQLITE_IOERR:
            .cannotWrite(store: path, detail: error.message)
        default: .failure(store: path, detail: error.description)
        }
    }

    /// Why a store path cannot be opened for writing, from the file system: SQLite's own "unable to open database
    /// file" does not say, and the last system error it saw can mislead (it retries read-only after EACCES).
    private static func whyNotWritable(_ path: String) -> String? {
        guard path != ":memory:" else { return nil }
        var isFolder = false
        let folder = PathText.folder(of: path)
        func reason() -> String { String(cString: strerror(errno)) }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder { return "it is a folder, not a file" }
            if access(path, R_OK | W_OK) != 0 { return "the file is not writable (\(reason()))" }
            if access(folder, W_OK | X_OK) != 0 {
                return "its folder '\(folder)' is not writable (\(reason())), and SQLite needs to create the -wal and "
                    + "-shm files beside the store"
            }
            return nil
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder else {
            return "the folder '\(folder)' does not exist"
        }
        if access(folder, W_OK | X_OK) != 0 { return "the folder '\(folder)' is not writable (\(reason()))" }
        return nil
    }

    /// Refuses, before SQLite touches it, what cannot be a store: a folder, a FIFO or device (`/dev/null`), and
    /// for reading, a missing or empty file (a read command never creates a store).
    static func checkFile(_ path: String, access: StoreAccess) throws(StoreError) {
        guard path != ":memory:" else { return }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if !access.creates { throw .notFound(store: path) }
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            if access == .read && info.st_size == 0 { throw .notAStore(store: path, reason: "the file is empty") }
        case S_IFDIR:
            if access.writes { throw .cannotWrite(store: path, detail: "it is a folder, not a file") }
            throw .notAStore(store: path, reason: "it is a folder, not a file")
        case S_IFIFO: throw .notAStore(store: path, reason: "it is a FIFO, not a regular file")
        case S_IFCHR, S_IFBLK: throw .notAStore(store: path, reason: "it is a device, not a regular file")
        case S_IFSOCK: throw .notAStore(store: path, reason: "it is a socket, not a regular file")
        default: throw .notAStore(store: path, reason: "it is not a regular file")
        }
    }

    // MARK: - Schema

    /// Checks that the file is a kfpm store of a schema we know; for writing, migrates it and makes sure it is
    /// in WAL mode; then sets the connection up.
    ///
    /// Safe when several processes open (or create) one store at once: what the file is gets read in one read
    /// transaction, and a migration re-reads it under the write lock, so only one process migrates and none
    /// takes another's half-made store for a foreign database. Every step retries on `SQLITE_BUSY`.
    func prepare(_ access: StoreAccess) throws(StoreError) {
        try guarded {
            let state = try database.readTransaction { try schemaState() }
            try check(state)
            if state.version < SQLiteMigrations.latest {
                guard access.writes else {
                    if state.isEmpty { throw StoreError.notAStore(store: path, reason: "it holds no kfpm tables") }
                    throw StoreError.olderSchema(store: path, found: Int(state.version), supported: SQLiteMigrations.latest)
                }
                try migrate()
                if !state.isEmpty { schema.upgradedFrom = Int(state.version) }
            }
            try database.execute("PRAGMA foreign_keys = ON")
            if access.writes {
                // Switching to WAL needs a moment of exclusive access, which another process may hold.
                try database.retryingOnBusy {
                    if try database.prepare("PRAGMA journal_mode").rows([], { $0.text(at: 0) }).first != "wal" {
                        try database.execute("PRAGMA journal_mode = WAL")
                    }
                }
            }
            try database.execute("PRAGMA synchronous = NORMAL")
        }
    }

    /// What the opened file holds: its schema version, application id, and whether it has any schema at all.
    private struct SchemaState {
        var version: Int64
        var applicationID: Int64
        var isEmpty: Bool
    }

    /// Reads the schema state; call it inside a transaction so that the three reads agree.
    private func schemaState() throws -> SchemaState {
        let tables = try database.prepare("SELECT count(*) FROM sqlite_master").rows([]) { $0.int(at: 0) }.first ?? 0
        return SchemaState(
            version: try database.pragmaInteger("user_version"),
            applicationID: try database.pragmaInteger("application_id"), isEmpty: tables == 0)
    }

    /// Refuses a file that another program made, that a newer kfpm wrote, or whose version no kfpm writes; none
    /// is ever changed.
    private func check(_ state: SchemaState) throws {
        if state.applicationID != SQLiteMigrations.applicationID && !(state.isEmpty && state.version == 0) {
            throw StoreError.notAStore(store: path, reason: "it is an SQLite database, but not one that kfpm created")
        }
        if state.version < 0 {
            throw StoreError.badSchema(
                store: path, detail: "it has schema version \(state.version), which no kfpm writes: it was changed by "
                    + "hand or is damaged")
        }
        if state.version == 0 && !state.isEmpty {
            throw StoreError.badSchema(
                store: path, detail: "it has kfpm's tables but schema version 0, which no kfpm writes: it was changed "
                    + "by hand or is damaged")
        }
        if state.version > SQLiteMigrations.latest {
            throw StoreError.newerSchema(store: path, found: Int(state.version), supported: SQLiteMigrations.latest)
        }
    }

    /// Applies the missing migrations, each with its version bump, in one write transaction.
    private func migrate() throws {
        try database.writeTransaction {
            // Another process may have created or migrated the store while this one waited for the lock.
            let state = try schemaState()
            try check(state)
            let current = Int(state.version)
            guard current < SQLiteMigrations.latest else { return }
            for step in SQLiteMigrations.steps[current...] {
                switch step {
                case .sql(let sql): try database.execute(sql)
                case .code(let apply):
                    do {
                        try apply(database)
                    } catch let clash as NameNormalization.Clash {
                        throw StoreError.cannotUpgrade(store: path, detail: clash.detail)
                    }
                }
            }
            try database.execute(SQLiteMigrations.stampApplicationID)
            try database.execute(SQLiteMigrations.stampLatestVersion)
        }
    }
}
