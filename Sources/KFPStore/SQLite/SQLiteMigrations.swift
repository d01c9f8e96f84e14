import CSQLite
import KFPModel

/// The store's schema, as numbered migrations. `PRAGMA user_version` holds the number of the last one applied;
/// a store with a higher number was written by a newer kfpm and is refused, never altered.
enum SQLiteMigrations {
    /// `PRAGMA application_id` of a kfpm store: "kfpm" in ASCII.
    static let applicationID: Int64 = 0x6B66_706D

    /// One migration: SQL, or code for what SQL alone cannot do (Unicode normalization).
    enum Step: Sendable {
        case sql(String)
        case code(@Sendable (SQLiteDatabase) throws -> Void)
    }

    /// Migration n (1-based) is `steps[n - 1]`. Append only; never edit a released step.
    static let steps: [Step] = [
        // 1: experiments, runs, labels, sources, and metrics keyed by (run, name) with names interned.
        .sql(
            """
            CREATE TABLE experiment (
                id         INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL UNIQUE,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE run (
                id            INTEGER PRIMARY KEY,
                experiment_id INTEGER NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
                name          TEXT    NOT NULL,
                created_at    INTEGER NOT NULL,
                ingested_at   INTEGER NOT NULL,
                UNIQUE (experiment_id, name)
            );
            CREATE INDEX run_by_time ON run(experiment_id, created_at, id);
            CREATE TABLE run_label (
                run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                key    TEXT    NOT NULL,
                value  TEXT    NOT NULL,
                PRIMARY KEY (run_id, key)
            ) WITHOUT ROWID;
            CREATE INDEX run_label_by_value ON run_label(key, value, run_id);
            CREATE TABLE run_source (
                run_id       INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                position     INTEGER NOT NULL,
                path         TEXT    NOT NULL,
                input_format TEXT    NOT NULL,
                step         TEXT    NOT NULL,
                metric_count INTEGER NOT NULL,
                PRIMARY KEY (run_id, position)
            ) WITHOUT ROWID;
            CREATE TABLE metric_name (
                id   INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            CREATE TABLE metric (
                run_id  INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                name_id INTEGER NOT NULL REFERENCES metric_name(id),
                value   REAL,  -- NULL stands for NaN, which SQLite cannot store as a REAL
                format  INTEGER NOT NULL CHECK (format BETWEEN 0 AND 2),  -- not IN (…): that builds a table per row
                PRIMARY KEY (run_id, name_id)
            ) WITHOUT ROWID;
            -- Covering for a metric's history and for sorting runs by a metric (migration 4 replaces it).
            CREATE INDEX metric_by_name ON metric(name_id, run_id, value, format);
            -- Per experiment and metric: prevalence and statistics, kept up to date by every write, so that
            -- `top` reads a few rows instead of every metric row.
            CREATE TABLE metric_stat (
                experiment_id  INTEGER NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
                name_id        INTEGER NOT NULL REFERENCES metric_name(id),
                run_count      INTEGER NOT NULL,
                finite_count   INTEGER NOT NULL,
                finite_sum     REAL    NOT NULL,
                min_value      REAL,
                min_run        INTEGER,
                max_value      REAL,
                max_run        INTEGER,
                latest_created INTEGER NOT NULL,
                latest_run     INTEGER NOT NULL,
                latest_value   REAL,  -- NULL stands for NaN
                latest_format  INTEGER NOT NULL,
                PRIMARY KEY (experiment_id, name_id)
            ) WITHOUT ROWID;
            """),
        // 2: every name in Unicode NFC, the one spelling kfpm keeps (older kfpm stored names as given).
        .code(NameNormalization.apply),
        // 3: per-step series of a run's metrics, and run parameters.
        .sql(
            """
            -- One row per (run, metric) with a series: every point packed in one blob (SeriesCodec), about
            -- 11 bytes a point where a row per point would cost over 40. A rowid table, so that a blob of a
            -- few KB stays on its page (a WITHOUT ROWID table spills rows over about 1 KB to overflow pages).
            CREATE TABLE metric_series (
                id          INTEGER PRIMARY KEY,
                run_id      INTEGER NOT NULL,
                name_id     INTEGER NOT NULL,
                point_count INTEGER NOT NULL,
                points      BLOB    NOT NULL,
                UNIQUE (run_id, name_id),
                FOREIGN KEY (run_id, name_id) REFERENCES metric(run_id, name_id) ON DELETE CASCADE
            );
            -- Which of them a run has (1: parameters, 2: series), so that reading a run without any costs no
            -- lookup at all.
            ALTER TABLE run ADD COLUMN extras INTEGER NOT NULL DEFAULT 0;
            -- A run's parameters, values as written.
            CREATE TABLE run_param (
                run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                key    TEXT    NOT NULL,
                value  TEXT    NOT NULL,
                PRIMARY KEY (run_id, key)
            ) WITHOUT ROWID;
            """),
        // 4: a metric's rows in the order of its values, so that `runs --sort-by M --limit N` reads N index entries,
        // not every run's. Still covering for a metric's history.
        .sql(
            """
            DROP INDEX IF EXISTS metric_by_name;
            \(createMetricByValue);
            """),
    ]

    /// The schema version this kfpm writes and reads.
    static var latest: Int { steps.count }

    /// The index of migration 4, which an import into a store without metrics builds after its rows
    /// (`SQLiteStore.withMetricIndexAfterRows`): inserted in value order, row by row, it would touch a page per row.
    static let createMetricByValue = "CREATE INDEX IF NOT EXISTS metric_by_value ON metric(name_id, value, run_id, format)"

    /// Marks a file as a kfpm store. A PRAGMA takes no bound parameters, so the integer constant is spliced.
    static let stampApplicationID = "PRAGMA application_id = \(applicationID)"

    /// Records that every migration is applied (the integer constant is spliced, as for `stampApplicationID`).
    static let stampLatestVersion = "PRAGMA user_version = \(latest)"
}

extension String {
    /// Whether the text is in NFC already, byte for byte (Swift's `==` cannot tell: it compares canonically).
    fileprivate var isNFC: Bool { utf8.elementsEqual(nfc.utf8) }
}

/// Migration 2: rewrites every stored name in NFC. Two stored names that differ only in normalization would
/// become one; then the upgrade is refused with both named, and the transaction leaves the store as it was.
enum NameNormalization {
    /// Two stored names that would become one.
    struct Clash: Error {
        var detail: String
    }

    static func apply(_ database: SQLiteDatabase) throws {
        // Names unique in a scope: experiments, metric names, runs in an experiment, label keys in a run.
        try normalize(
            database, what: "experiment names", select: "SELECT id, name, 0 FROM experiment",
            update: "UPDATE experiment SET name = ? WHERE id = ?")
        try normalize(
            database, what: "metric names", select: "SELECT id, name, 0 FROM metric_name",
            update: "UPDATE metric_name SET name = ? WHERE id = ?")
        try normalize(
            database, what: "run names", select: "SELECT id, name, experiment_id FROM run",
            update: "UPDATE run SET name = ? WHERE id = ?")
        // A label key is part of its row's key: each row is rewritten whole.
        let labels = try database.prepare("SELECT run_id, key, value FROM run_label")
            .rows([]) { (run: $0.int64(at: 0), key: $0.text(at: 1), value: $0.text(at: 2)) }
        try refuseClashes(labels.map { (scope: $0.run, name: $0.key) }, what: "label keys")
        let relabel = try database.prepare("UPDATE run_label SET key = ?, value = ? WHERE run_id = ? AND key = ?")
        for label in labels where !label.key.isNFC || !label.value.isNFC {
            try relabel.run([.text(label.key.nfc), .text(label.value.nfc), .integer(label.run), .text(label.key)])
        }
        let steps = try database.prepare("SELECT run_id, position, step FROM run_source")
            .rows([]) { (run: $0.int64(at: 0), position: $0.int64(at: 1), step: $0.text(at: 2)) }
        let restep = try database.prepare("UPDATE run_source SET step = ? WHERE run_id = ? AND position = ?")
        for source in steps where !source.step.isNFC {
            try restep.run([.text(source.step.nfc), .integer(source.run), .integer(source.position)])
        }
    }

    /// Rewrites one unique name column (rows of id, name, scope) in NFC, after checking that no two names of a
    /// scope become one.
    private static func normalize(_ database: SQLiteDatabase, what: String, select: String, update: String) throws {
        let rows = try database.prepare(select).rows([]) { (id: $0.int64(at: 0), name: $0.text(at: 1), scope: $0.int64(at: 2)) }
        try refuseClashes(rows.map { (scope: $0.scope, name: $0.name) }, what: what)
        let statement = try database.prepare(update)
        for row in rows where !row.name.isNFC {
            try statement.run([.text(row.name.nfc), .integer(row.id)])
        }
    }

    /// Throws `Clash` naming the first two names of one scope that NFC makes one.
    private static func refuseClashes(_ names: [(scope: Int64, name: String)], what: String) throws {
        // Keyed by bytes: Swift's String equality already treats two spellings as one.
        var seen: [[UInt8]: String] = [:]
        for (scope, name) in names {
            let key = Array("\(scope)/".utf8) + Array(name.nfc.utf8)
            if let other = seen[key], !other.utf8.elementsEqual(name.utf8) {
                throw Clash(
                    detail: "the \(what) '\(escaped(other))' and '\(escaped(name))' differ only in Unicode normalization "
                        + "and would become one. Rename one by hand (for example with the sqlite3 shell), or keep this "
                        + "store with the kfpm that wrote it")
            }
            seen[key] = name
        }
    }

    /// A name with its non-ASCII characters as `\u{…}`, so that two spellings look different.
    private static func escaped(_ name: String) -> String {
        name.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
    }
}
