/// The store's schema, as numbered migrations. `PRAGMA user_version` holds the number of the last one applied;
/// a store with a higher number was written by a newer kfpm and is refused, never altered.
enum SQLiteMigrations {
    /// `PRAGMA application_id` of a kfpm store: "kfpm" in ASCII.
    static let applicationID: Int64 = 0x6B66_706D

    /// Migration n (1-based) is `steps[n - 1]`. Append only; never edit a released step.
    static let steps: [String] = [
        // 1: experiments, runs, labels, sources, and metrics keyed by (run, name) with names interned.
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
        -- Covering for a metric's history and for sorting runs by a metric.
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
        """
    ]

    /// The schema version this kfpm writes and reads.
    static var latest: Int { steps.count }

    /// Marks a file as a kfpm store. A PRAGMA takes no bound parameters, so the integer constant is spliced.
    static let stampApplicationID = "PRAGMA application_id = \(applicationID)"

    /// Records that every migration is applied (the integer constant is spliced, as for `stampApplicationID`).
    static let stampLatestVersion = "PRAGMA user_version = \(latest)"
}
