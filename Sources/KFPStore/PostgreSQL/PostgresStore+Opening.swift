/// Opening a PostgreSQL store: telling kfpm's schema from anything else, refusing a newer one, and creating or
/// migrating it, safely when many processes do it at once.
extension PostgresStore {
    /// What the store's schema holds.
    enum SchemaState: Equatable {
        /// No schema of that name.
        case missing
        /// The schema exists and holds nothing (a DBA may create it for kfpm's role).
        case empty
        /// The schema holds tables, but no `store_version`: another program's.
        case foreign
        /// A kfpm store, as `store_version` says: its rows' application and version.
        case store(application: String, version: Int, rows: Int)
    }

    /// Reads what the schema holds: two catalog and table reads, run inside a transaction or outside one.
    func schemaState() throws -> SchemaState {
        guard let row = try connection.query(PostgresSQL.schemaContents, [.text(location.schema)]).first,
            row.text(0) == "t"
        else { return .missing }
        // Without USAGE on the schema its tables are not even found: say so, rather than "no such table".
        if row.text(3) != "t" {
            throw StoreError.accessDenied(store: location.displayURI, detail: "permission denied for schema \(location.schema)")
        }
        if try row.int64(2) ?? 0 == 0 { return try row.int64(1) ?? 0 == 0 ? .empty : .foreign }
        let rows = try connection.query(PostgresSQL.storeVersion)
        return .store(
            application: rows.first?.text(0) ?? "", version: Int(try rows.first?.int64(1) ?? 0), rows: rows.count)
    }

    /// Checks that the database holds a kfpm store of a schema we know; for writing, creates or migrates it.
    ///
    /// Safe when several processes open (or create) one store at once: the migration takes an advisory lock and
    /// reads the state again under it, in one transaction, so exactly one process migrates and the others find the
    /// store made. A read never changes anything: on no store it says there is none; on an older one, that
    /// `kfpm upgrade` upgrades it.
    func prepare(_ access: StoreAccess) throws(StoreError) {
        try guarded {
            let state = try schemaState()
            let version = try check(state)
            guard version < PostgresMigrations.latest else { return }
            guard access.writes else {
                if version == 0 { throw StoreError.notFound(store: location.displayURI) }
                throw StoreError.olderSchema(store: location.displayURI, found: version, supported: PostgresMigrations.latest)
            }
            if version == 0 && !access.creates { throw StoreError.notFound(store: location.displayURI) }
            let before = try migrate()
            if let before, before > 0 { schema.upgradedFrom = before }
        }
    }

    /// The version a state stands for (0 for no store yet), or the reason it cannot be used; nothing is changed.
    private func check(_ state: SchemaState) throws -> Int {
        let store = location.displayURI
        switch state {
        case .missing, .empty:
            return 0
        case .foreign:
            throw StoreError.notAStore(
                store: store, reason: "its schema '\(location.schema)' holds tables that kfpm did not create; give "
                    + "another schema with the URI parameter schema=NAME")
        case .store(let application, let version, let rows):
            guard rows == 1, application == PostgresMigrations.application else {
                throw StoreError.notAStore(
                    store: store, reason: "the table store_version in its schema '\(location.schema)' was not written by kfpm")
            }
            if version <= 0 {
                throw StoreError.badSchema(
                    store: store, detail: "it has schema version \(version), which no kfpm writes: it was changed by hand "
                        + "or is damaged")
            }
            if version > PostgresMigrations.latest {
                throw StoreError.newerSchema(store: store, found: version, supported: PostgresMigrations.latest)
            }
            return version
        }
    }

    /// Creates the schema if needed and applies the missing migrations, each with the version stamp, in one
    /// transaction under the migration lock. Returns the version it started from (0 for a new store), or nil when
    /// another process had done it meanwhile.
    private func migrate() throws -> Int? {
        try connection.writeTransaction(isolation: .readCommitted) { () throws -> Int? in
            _ = try connection.query(PostgresSQL.exclusiveLock, [.text(lockTimeout), .int64(migrationLockKey)])
            // Read again under the lock: another process may have created or migrated the store meanwhile.
            let state = try schemaState()
            let current = try check(state)
            guard current < PostgresMigrations.latest else { return nil }
            if state == .missing {
                // An identifier cannot be bound; the schema name was checked to be a plain lowercase identifier.
                try connection.execute("CREATE SCHEMA \(location.quotedSchema)")
            }
            for step in PostgresMigrations.steps[current...] { try connection.execute(step) }
            try connection.run(PostgresSQL.stampVersion, [.int64(Int64(PostgresMigrations.latest))])
            return current
        }
    }
}
