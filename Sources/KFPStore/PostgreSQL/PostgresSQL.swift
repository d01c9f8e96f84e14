/// Every statement the PostgreSQL store runs, each written once, named by what it does. Values are always bound
/// (`$1`, `$2`, …; many rows as one array parameter, `unnest($1::bigint[], …)`), never spliced; the only splices
/// are the compile-time fragments below (`runFilter`), reviewed in `SQLBindingTests`. Tables are named without a
/// schema: the connection's `search_path` is the store's schema alone.
///
/// To add a store method: add its statements here, and a method that runs them in `PostgresStore` (reads) or
/// `PostgresRunWriter` (writes).
///
/// A run's row is read as its head (`RunHead`): id, name, created, ingested and extras, in that order.
enum PostgresSQL {
    // MARK: - Schema state and migration

    /// The store's version row (fails with 42P01 when the schema or the table does not exist).
    static let storeVersion = "SELECT application, version FROM store_version"
    /// Whether the schema exists, how many relations it holds, whether `store_version` is one, and whether this role
    /// may use the schema: $1 schema name.
    static let schemaContents = """
        SELECT n.oid IS NOT NULL, (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid),
            (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = 'store_version'),
            n.oid IS NULL OR has_schema_privilege(n.oid, 'USAGE')
        FROM (SELECT $1::text AS name) AS wanted LEFT JOIN pg_namespace n ON n.nspname = wanted.name
        """
    /// Records the last migration applied: $1 version.
    static let stampVersion = "UPDATE store_version SET version = $1"

    // MARK: - Locks

    /// Sets this transaction's lock timeout ($1, e.g. '10000ms'; '0' waits for ever) and tries to take the store's
    /// shared write lock ($2), which an import holds exclusively: true when taken.
    static let tryWriteLock = """
        SELECT set_config('lock_timeout', $1, true), pg_try_advisory_xact_lock_shared($2)
        """
    /// Waits for the store's shared write lock ($2) with the lock timeout $1.
    static let waitWriteLock = "SELECT set_config('lock_timeout', $1, true), pg_advisory_xact_lock_shared($2)"
    /// Takes advisory lock $2 exclusively for this transaction, with the lock timeout $1: the store's write lock for
    /// an import, an experiment's lock for an ingest, the migration's lock.
    static let exclusiveLock = "SELECT set_config('lock_timeout', $1, true), pg_advisory_xact_lock($2)"

    // MARK: - Reading runs

    /// An experiment's id: $1 name.
    static let experimentID = "SELECT id FROM experiment WHERE name = $1"
    /// An experiment's id and one of its runs, if any: $1 experiment name, $2 run name.
    static let experimentAndRun = """
        SELECT e.id, r.id, r.name, r.created_at, r.ingested_at, r.extras FROM experiment e
        LEFT JOIN run r ON r.experiment_id = e.id AND r.name = $2
        WHERE e.name = $1
        """
    /// How many runs an experiment has, and its 20 latest run names (for "no run …; its runs: …"): $1 experiment id.
    static let runCount = "SELECT count(*) FROM run WHERE experiment_id = $1"
    static let recentRunNames = "SELECT name FROM run WHERE experiment_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20"
    /// The labels, sources and metrics of many runs at once: $1 run ids. Metrics are sorted by name in Swift.
    static let labelsOfRuns = "SELECT run_id, key, value FROM run_label WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, key"
    static let sourcesOfRuns = """
        SELECT run_id, path, input_format, step, metric_count FROM run_source WHERE run_id = ANY($1::bigint[])
        ORDER BY run_id, position
        """
    static let metricsOfRuns = """
        SELECT m.run_id, n.name, m.value, m.format FROM metric m JOIN metric_name n ON n.id = m.name_id
        WHERE m.run_id = ANY($1::bigint[])
        """
    /// The metrics named $2 of many runs: $1 run ids.
    static let namedMetricsOfRuns = """
        SELECT m.run_id, n.name, m.value, m.format FROM metric m JOIN metric_name n ON n.id = m.name_id
        WHERE m.run_id = ANY($1::bigint[]) AND n.name = ANY($2::text[])
        """
    /// How many of runs $1 have each metric.
    static let prevalenceOfRuns = """
        SELECT n.name, count(*) FROM metric m JOIN metric_name n ON n.id = m.name_id
        WHERE m.run_id = ANY($1::bigint[]) GROUP BY n.name
        """
    /// The parameters of many runs, and how many points each of their series has: $1 run ids (only of runs whose
    /// `extras` say they have any, so that a run without them costs no statement).
    static let paramsOfRuns = "SELECT run_id, key, value FROM run_param WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, key"
    static let seriesCountsOfRuns = """
        SELECT s.run_id, n.name, s.point_count FROM metric_series s JOIN metric_name n ON n.id = s.name_id
        WHERE s.run_id = ANY($1::bigint[])
        """
    /// Every series of many runs, points included: $1 run ids. Sorted by metric name in Swift.
    static let seriesOfRuns = """
        SELECT s.run_id, n.name, s.points FROM metric_series s JOIN metric_name n ON n.id = s.name_id
        WHERE s.run_id = ANY($1::bigint[])
        """
    /// The series of one run's metrics named $2: $1 run id.
    static let namedSeries = """
        SELECT n.name, s.points FROM metric_series s JOIN metric_name n ON n.id = s.name_id
        WHERE s.run_id = $1 AND n.name = ANY($2::text[])
        """

    /// The runs a `RunQuery` selects: $1 experiment id; its label conditions, one element of each array per
    /// condition (empty arrays: every run passes), those a run must meet (`KEY=VALUE`, `KEY`) in $2 keys, $3 the value
    /// a label must equal or NULL, $4 the regular expression it must match (`~`) or NULL, and those it must not
    /// (`KEY!=VALUE`, `!KEY`) in $5, $6, $7 alike; $8 the name of the run they must be created before, or NULL. A run
    /// has at most one label of a key, so it meets every condition of $2–$4 when its labels that do number as many.
    /// Each condition looks the run's label up by `run_label`'s key, so that a newest-first walk stops after `LIMIT`
    /// runs (a window of 20 looks at some 200 runs, not at every label of the store).
    static let runFilter = """
        r.experiment_id = $1
        AND (cardinality($2::text[]) = 0 OR (SELECT count(*) FROM unnest($2::text[], $3::text[], $4::text[])
                AS wanted(key, value, pattern)
            JOIN run_label l ON l.run_id = r.id AND l.key = wanted.key AND (wanted.value IS NULL OR l.value = wanted.value)
                AND (wanted.pattern IS NULL OR l.value ~ wanted.pattern)) = cardinality($2::text[]))
        AND (cardinality($5::text[]) = 0 OR NOT EXISTS (SELECT 1 FROM unnest($5::text[], $6::text[], $7::text[])
                AS unwanted(key, value, pattern)
            JOIN run_label l ON l.run_id = r.id AND l.key = unwanted.key
                AND (unwanted.value IS NULL OR l.value = unwanted.value) AND (unwanted.pattern IS NULL OR l.value ~ unwanted.pattern)))
        AND ($8::text IS NULL OR (r.created_at, r.id) < (SELECT b.created_at, b.id FROM run b
            WHERE b.experiment_id = $1 AND b.name = $8))
        """
    /// How many runs match: $1–$8 as in `runFilter`.
    static let countRuns = "SELECT count(*) FROM run r WHERE \(runFilter)"
    /// The matching runs, newest first: $1–$8, $9 limit (NULL for all).
    static let newestRuns = """
        SELECT r.id, r.name, r.created_at, r.ingested_at, r.extras FROM run r WHERE \(runFilter)
        ORDER BY r.created_at DESC, r.id DESC LIMIT $9
        """
    /// The matching runs with a number (not NaN) for metric $10, by its value, ties newest first, at most $9:
    /// `metric_by_value` gives them in value order, so that the limit stops the walk. NaN sorts above every number.
    static let runsByMetricAscending = runsByMetric("ASC")
    static let runsByMetricDescending = runsByMetric("DESC")
    private static func runsByMetric(_ order: String) -> String {
        """
        SELECT r.id, r.name, r.created_at, r.ingested_at, r.extras FROM metric m JOIN run r ON r.id = m.run_id
        WHERE m.name_id = (SELECT id FROM metric_name WHERE name = $10) AND m.value < 'NaN' AND \(runFilter)
        ORDER BY m.value \(order), r.created_at DESC, r.id DESC LIMIT $9
        """
    }
    /// The matching runs whose metric $10 is NaN, newest first, at most $9.
    static let runsWithNaNMetric = """
        SELECT r.id, r.name, r.created_at, r.ingested_at, r.extras FROM metric m JOIN run r ON r.id = m.run_id
        WHERE m.name_id = (SELECT id FROM metric_name WHERE name = $10) AND m.value = 'NaN' AND \(runFilter)
        ORDER BY r.created_at DESC, r.id DESC LIMIT $9
        """
    /// The matching runs without metric $10, newest first, at most $9.
    static let runsWithoutMetric = """
        SELECT r.id, r.name, r.created_at, r.ingested_at, r.extras FROM run r WHERE \(runFilter)
        AND NOT EXISTS (SELECT 1 FROM metric m WHERE m.run_id = r.id
            AND m.name_id = (SELECT id FROM metric_name WHERE name = $10))
        ORDER BY r.created_at DESC, r.id DESC LIMIT $9
        """
    /// Up to $3 runs of experiment $1 stored after run id $2, in the order they were stored (for `exportRuns`).
    static let runsAfter = """
        SELECT id, name, created_at, ingested_at, extras FROM run WHERE experiment_id = $1 AND id > $2 ORDER BY id LIMIT $3
        """

    // MARK: - Reading summaries

    /// Every experiment's name, in byte order.
    static let experimentNames = "SELECT name FROM experiment ORDER BY name"
    /// Every experiment with its run count and time span.
    static let experimentSummaries = """
        SELECT e.name, count(r.id), min(r.created_at), max(r.created_at)
        FROM experiment e LEFT JOIN run r ON r.experiment_id = e.id
        GROUP BY e.id, e.name ORDER BY e.name
        """
    /// Every label key and value of experiment $1's runs with how many runs have it, by key then value (byte order).
    static let labelCounts = """
        SELECT l.key, l.value, count(*) FROM run_label l JOIN run r ON r.id = l.run_id
        WHERE r.experiment_id = $1 GROUP BY l.key, l.value ORDER BY l.key, l.value
        """
    /// A metric's values in an experiment, newest first, at most $3 (NULL for all): $1 metric name, $2 experiment id.
    static let history = """
        SELECT r.name, r.created_at, m.value, m.format FROM metric m JOIN run r ON r.id = m.run_id
        WHERE m.name_id = (SELECT id FROM metric_name WHERE name = $1) AND r.experiment_id = $2
        ORDER BY r.created_at DESC, r.id DESC LIMIT $3
        """

    // MARK: - Writing runs

    /// Adds an experiment: $1 name, $2 time.
    static let addExperiment = "INSERT INTO experiment (name, created_at) VALUES ($1, $2) RETURNING id"
    /// The stored runs among names $2 of experiment $1.
    static let existingRuns = """
        SELECT id, name, created_at, ingested_at, extras FROM run WHERE experiment_id = $1 AND name = ANY($2::text[])
        """
    /// The ids of metric names $1 that exist.
    static let metricNameIDs = "SELECT name, id FROM metric_name WHERE name = ANY($1::text[])"
    /// Adds metric names $1 in the order given (callers sort them, so that concurrent writers wait for each other
    /// in one order instead of deadlocking); names another writer added meanwhile are skipped.
    static let addMetricNames = """
        INSERT INTO metric_name (name) SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS added(name, position)
        ORDER BY position ON CONFLICT (name) DO NOTHING RETURNING name, id
        """
    /// Adds runs, in the order given (so ids follow it): $1 experiment ids, $2 names, $3 created, $4 ingested,
    /// $5 extras (`RunExtras`). Returns each new run's id with its experiment id and name.
    static let addRuns = """
        INSERT INTO run (experiment_id, name, created_at, ingested_at, extras)
        SELECT e, n, c, i, x FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::smallint[])
            WITH ORDINALITY AS added(e, n, c, i, x, position)
        ORDER BY position RETURNING id, experiment_id, name
        """
    /// Moves the ingest time of replaced runs and sets what they now have: $1 run ids, $2 times, $3 extras.
    static let touchRuns = """
        UPDATE run SET ingested_at = t.time, extras = t.extras
        FROM unnest($1::bigint[], $2::bigint[], $3::smallint[]) AS t(id, time, extras) WHERE run.id = t.id
        """
    /// Removes the content of replaced or deleted runs: $1 run ids. The rows without a foreign key (metrics,
    /// parameters, series) go explicitly, also for a deleted run; the metrics' rows say which statistics to recompute.
    static let deleteMetrics = "DELETE FROM metric WHERE run_id = ANY($1::bigint[]) RETURNING name_id"
    static let deleteParams = "DELETE FROM run_param WHERE run_id = ANY($1::bigint[])"
    static let deleteSeries = "DELETE FROM metric_series WHERE run_id = ANY($1::bigint[])"
    static let deleteLabels = "DELETE FROM run_label WHERE run_id = ANY($1::bigint[])"
    static let deleteSources = "DELETE FROM run_source WHERE run_id = ANY($1::bigint[])"
    /// Adds labels: $1 run ids, $2 keys, $3 values.
    static let addLabels = """
        INSERT INTO run_label (run_id, key, value) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
        """
    /// Adds sources: $1 run ids, $2 positions, $3 paths, $4 input formats, $5 steps, $6 metric counts.
    static let addSources = """
        INSERT INTO run_source (run_id, position, path, input_format, step, metric_count)
        SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::integer[])
        """
    /// Metric rows, parameter rows and series rows (points as `bytea`, `SeriesCodec`'s blob), streamed in COPY's
    /// text format.
    static let copyMetrics = "COPY metric (run_id, name_id, value, format) FROM STDIN"
    static let copyParams = "COPY run_param (run_id, key, value) FROM STDIN"
    static let copySeries = "COPY metric_series (run_id, name_id, point_count, points) FROM STDIN"

    // MARK: - Managing runs

    /// Deletes runs (their labels and sources cascade): $1 run ids.
    static let deleteRuns = "DELETE FROM run WHERE id = ANY($1::bigint[])"
    /// Renames run $1 to $2.
    static let renameRun = "UPDATE run SET name = $2 WHERE id = $1"
    /// Removes the labels with keys $2 from runs $1.
    static let removeLabels = "DELETE FROM run_label WHERE run_id = ANY($1::bigint[]) AND key = ANY($2::text[])"
    /// Sets labels on runs, a key they have getting the new value: $1 run ids, $2 keys, $3 values (keys unique).
    static let setLabels = """
        INSERT INTO run_label (run_id, key, value)
        SELECT runs.id, labels.key, labels.value FROM unnest($1::bigint[]) AS runs(id)
            CROSS JOIN unnest($2::text[], $3::text[]) AS labels(key, value)
        ORDER BY runs.id, labels.key
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value
        """

    // MARK: - Statistics

    /// Merges gathered statistics (one row per element of the 13 arrays, in key order so that writers lock rows in
    /// one order) into the stored rows, or inserts them. On the right of SET, `s.` is the stored row and `excluded.`
    /// the new one.
    static let mergeStatistics = """
        INSERT INTO metric_stat AS s (experiment_id, name_id, run_count, finite_count, finite_sum, min_value, min_run,
            max_value, max_run, latest_created, latest_run, latest_value, latest_format)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::integer[], $5::float8[], $6::float8[],
            $7::bigint[], $8::float8[], $9::bigint[], $10::bigint[], $11::bigint[], $12::float8[], $13::smallint[])
            AS k(e, n, rc, fc, fs, mnv, mnr, mxv, mxr, lc, lr, lv, lf)
        ORDER BY e, n
        ON CONFLICT (experiment_id, name_id) DO UPDATE SET
            run_count = s.run_count + excluded.run_count,
            finite_count = s.finite_count + excluded.finite_count,
            finite_sum = s.finite_sum + excluded.finite_sum,
            min_value = CASE WHEN excluded.min_value < s.min_value OR s.min_value IS NULL
                THEN excluded.min_value ELSE s.min_value END,
            min_run = CASE WHEN excluded.min_value < s.min_value OR s.min_value IS NULL
                THEN excluded.min_run ELSE s.min_run END,
            max_value = CASE WHEN excluded.max_value > s.max_value OR s.max_value IS NULL
                THEN excluded.max_value ELSE s.max_value END,
            max_run = CASE WHEN excluded.max_value > s.max_value OR s.max_value IS NULL
                THEN excluded.max_run ELSE s.max_run END,
            latest_value = CASE WHEN (excluded.latest_created, excluded.latest_run) > (s.latest_created, s.latest_run)
                THEN excluded.latest_value ELSE s.latest_value END,
            latest_format = CASE WHEN (excluded.latest_created, excluded.latest_run) > (s.latest_created, s.latest_run)
                THEN excluded.latest_format ELSE s.latest_format END,
            latest_run = CASE WHEN (excluded.latest_created, excluded.latest_run) > (s.latest_created, s.latest_run)
                THEN excluded.latest_run ELSE s.latest_run END,
            latest_created = greatest(s.latest_created, excluded.latest_created)
        """
    /// Removes the statistics rows to recompute: $1 experiment ids, $2 name ids.
    static let deleteStatistics = """
        DELETE FROM metric_stat s USING unnest($1::bigint[], $2::bigint[]) AS k(e, n)
        WHERE s.experiment_id = k.e AND s.name_id = k.n
        """
    /// Every stored value behind the statistics rows to recompute, in the order runs were stored: $1 experiment ids,
    /// $2 name ids.
    static let statisticsRows = """
        SELECT r.experiment_id, m.name_id, m.run_id, r.created_at, m.value, m.format
        FROM unnest($1::bigint[], $2::bigint[]) AS k(e, n)
        JOIN metric m ON m.name_id = k.n JOIN run r ON r.id = m.run_id AND r.experiment_id = k.e
        ORDER BY m.run_id
        """
}
