/// Statements that read the same tables the same way on every backend, in the SQL both understand: one
/// parameter at most, `$1` (PostgreSQL's form; SQLite binds it as parameter 1).
enum SharedSQL {
    /// An experiment's metric statistics, from `metric_stat` (a few rows, not every metric row): $1 experiment id.
    static let metricStatistics = """
        SELECT n.name, s.run_count, s.finite_sum, s.finite_count, s.min_value, rmin.name, s.max_value, rmax.name,
            s.latest_value, rl.name, s.latest_format
        FROM metric_stat s JOIN metric_name n ON n.id = s.name_id
        JOIN run rl ON rl.id = s.latest_run
        LEFT JOIN run rmin ON rmin.id = s.min_run
        LEFT JOIN run rmax ON rmax.id = s.max_run
        WHERE s.experiment_id = $1
        """
    /// How many runs of experiment $1 have each metric, as the kept statistics say.
    static let experimentPrevalence = """
        SELECT n.name, s.run_count FROM metric_stat s JOIN metric_name n ON n.id = s.name_id WHERE s.experiment_id = $1
        """
    /// Whether the store holds no metric rows at all (then an import builds `metric_by_value` after its rows).
    static let noMetrics = "SELECT NOT EXISTS (SELECT 1 FROM metric)"
}
