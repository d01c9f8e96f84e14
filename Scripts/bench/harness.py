#!/usr/bin/env python3
"""Times kfpm against the issue's targets and prints one table (run by Scripts/bench.sh).

    harness.py --kfpm BIN --workload DIR --work DIR [--rss-workload DIR] [--mlflow-workload DIR] [--repeat N]
               [--bigfile-dir DIR] [--commit SHA] [--postgres URI] [--baseline-kfpm BIN]

With --postgres (a database on a local server, reached as a superuser over a unix socket) it adds the PostgreSQL
section: `kfpm import` into a PostgreSQL store against the floor of `psql \copy` of the same rows as CSV into an
unindexed table, then the queries, one CI ingest and the gate on that 5M-row store, and, with --mlflow-workload,
the import of the MLflow SQLite store into PostgreSQL. With --baseline-kfpm (a build
of an earlier kfpm) it runs `kfpm --version` and the SQLite commands with both binaries, alternately, to show that
this build did not get slower.

Every number is a whole-process wall time: time.perf_counter() around os.posix_spawn + os.wait4, stdout
to /dev/null, stderr to a file (shown if the command fails); wait4 also gives the CPU time (user + system),
which a busy machine inflates much less than the wall time. Each row gets one warm-up run, then --repeat
timed runs (default 5); the table gives their median (and min..max). Peak RSS comes from /usr/bin/time -f %M:
the rusage of a child spawned straight from Python is useless here, because Linux folds the parent's
high-water RSS into a vfork'ed child's ru_maxrss at exec (a /bin/true spawned from a 200 MB Python reports
200 MB).

A failing command aborts the whole benchmark with the command, its exit code and its stderr.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# --------------------------------------------------------------------------------------------------------------
# MARK: - Running commands


class BenchError(Exception):
    """A command failed or gave a wrong answer; the benchmark stops with this message."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def spawn(argv, stdin=None, ok=(0,), stdout_path=os.devnull):
    """Runs argv once; returns (wall seconds, CPU seconds). Raises BenchError unless its exit code is in ok.

    The CPU time (user + system, of the process and its children, from wait4) is much less sensitive than
    the wall time to other processes sharing the cores.
    """
    err = tempfile.TemporaryFile()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, stdin or os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
    ]
    start = time.perf_counter()
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    except OSError as error:
        raise BenchError(f"cannot run {shlex.join(argv)}: {error}") from None
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        err.seek(0)
        text = err.read().decode(errors="replace").strip()
        tail = "\n".join(text.splitlines()[-20:])
        where = f" < {stdin}" if stdin else ""
        raise BenchError(f"command failed with exit code {code}: {shlex.join(argv)}{where}\n{tail}")
    err.close()
    return elapsed, cpu


def peak_rss_kb(argv, stdin=None, ok=(0,), stdout_path=os.devnull):
    """Runs argv once under /usr/bin/time; returns ((wall, CPU seconds), peak RSS in KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        # /usr/bin/time passes the child's exit code on; "%x" records it, so an allowed non-zero code is fine.
        wrapped = ["/usr/bin/time", "-f", "%M %x", "-o", out.name] + argv
        times = spawn(wrapped, stdin=stdin, ok=ok, stdout_path=stdout_path)
        fields = out.read().split()
    try:
        return times, int(fields[-2])
    except (IndexError, ValueError):
        raise BenchError(f"/usr/bin/time gave no peak RSS for {shlex.join(argv)}: {fields}") from None


def sql(db, statement):
    """Runs one SQL statement with the sqlite3 CLI and returns its output."""
    done = subprocess.run(["sqlite3", "-batch", db, statement], capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"sqlite3 {db} {statement!r} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def psql(uri, statement):
    """Runs SQL with psql (as the superuser of the bench server) and returns its output (unaligned, tuples only)."""
    done = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", statement],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"psql {statement!r} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def with_schema(uri, schema):
    return uri + ("&" if "?" in uri else "?") + f"schema={schema}"


# --------------------------------------------------------------------------------------------------------------
# MARK: - Measurements


class Sample:
    """The timed runs of one row."""

    def __init__(self, times, cpus, rss_kb=None):
        self.times = times
        self.cpus = cpus
        self.rss_kb = rss_kb

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def cpu(self):
        return statistics.median(self.cpus)

    def spread_ms(self):
        return f"{min(self.times) * 1e3:.1f}..{max(self.times) * 1e3:.1f}"


def settle():
    """Writes what the last import left in the page cache to disk before reads are timed: the kernel's writeback
    of hundreds of MB would otherwise share the two cores with the first commands measured."""
    os.sync()
    time.sleep(1)


def repeat(label, argv, repeat_n, ok=(0,), before=None, stdin=None, rss_in_timed=False, rss_extra=True,
           warmup_stdout=os.devnull):
    """One warm-up and repeat_n timed runs of argv (argv may be a function of the run's number).

    before(i) runs untimed before each run (e.g. to delete the store). With rss_in_timed each timed run goes
    through /usr/bin/time (for long runs, where its ~1 ms does not matter); else, with rss_extra, one more
    untimed run measures the peak RSS. The warm-up's stdout goes to warmup_stdout.
    """
    make = argv if callable(argv) else (lambda i: argv)
    times, cpus, rss = [], [], []
    for i in range(repeat_n + 1):
        if before:
            before(i)
        out = warmup_stdout if i == 0 else os.devnull
        if rss_in_timed:
            (wall, cpu), kb = peak_rss_kb(make(i), stdin=stdin, ok=ok, stdout_path=out)
            rss.append(kb)
        else:
            wall, cpu = spawn(make(i), stdin=stdin, ok=ok, stdout_path=out)
        if i > 0:  # run 0 is the warm-up
            times.append(wall)
            cpus.append(cpu)
    if not rss_in_timed and rss_extra:
        i = repeat_n + 1
        if before:
            before(i)
        rss.append(peak_rss_kb(make(i), stdin=stdin, ok=ok)[1])
    sample = Sample(times, cpus, max(rss) if rss else None)
    log(f"{label}: median {sample.median * 1e3:.1f} ms ({sample.spread_ms()} ms), CPU {sample.cpu * 1e3:.1f} ms")
    return sample


# --------------------------------------------------------------------------------------------------------------
# MARK: - The machine


def machine_facts():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    sqlite_version = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()
    return {
        "nproc": os.cpu_count(),
        "model": model,
        "memory": mem,
        "kernel": platform.release(),
        "sqlite3": " ".join(sqlite_version[:2]) if sqlite_version else "?",
    }


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --------------------------------------------------------------------------------------------------------------
# MARK: - The benchmark


def has_import(kfpm):
    """kfpm has an import subcommand if its --help lists one (`kfpm import --help` falls back to the root help)."""
    out = subprocess.run([kfpm, "--help"], capture_output=True, text=True).stdout
    return re.search(r"^\s+import\s", out, re.MULTILINE) is not None


class Bench:
    def __init__(self, args):
        self.args = args
        self.kfpm = os.path.abspath(args.kfpm)
        self.workload = os.path.abspath(args.workload)
        self.work = os.path.abspath(args.work)
        with open(os.path.join(self.workload, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.exp = self.manifest["experiment"]
        self.runs = self.manifest["runs"]
        self.rows = self.manifest["rows"]
        self.tree = os.path.join(self.workload, "tree")
        self.n = args.repeat
        self.results = []  # (what, median text, target, verdict, peak RSS text)
        self.notes = []

    def run_name(self, index):
        return self.manifest["run_name_format"] % index

    def store_args(self, store):
        return ["--store", store, "-e", self.exp]

    def add(self, what, median, target, met, rss_kb=None, cpu_s=None):
        verdict = "n/a" if met is None else ("met" if met else "MISSED")
        rss = f"{rss_kb / 1024:.1f} MB" if rss_kb else ""
        cpu = "" if cpu_s is None else (f"{cpu_s:.2f} s" if cpu_s >= 1 else f"{cpu_s * 1e3:.1f} ms")
        self.results.append((what, median, target, verdict, cpu, rss))

    # MARK: Floor

    def floor_import(self):
        csv = os.path.join(self.workload, "rows.csv")
        script = os.path.join(self.work, "floor-import.sql")
        with open(script, "w") as f:
            f.write(
                "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n"
                "CREATE TABLE metric(run_id INTEGER, name TEXT, value REAL, format INTEGER);\n"
                f'.mode csv\n.import "{csv}" metric\n'
            )
        db = os.path.join(self.work, "floor.sqlite")
        sqlite3 = shutil.which("sqlite3")
        s = repeat("floor: sqlite3 .import", [sqlite3, db], self.n, stdin=script,
                   before=lambda i: remove_db(db), rss_in_timed=True)
        count = int(sql(db, "SELECT count(*) FROM metric"))
        if count != self.rows:
            raise BenchError(f"the floor imported {count} rows, expected {self.rows}")
        sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        self.floor_bytes_per_row = os.path.getsize(db) / self.rows
        sql(db, "CREATE INDEX metric_by_run ON metric(run_id); PRAGMA wal_checkpoint(TRUNCATE);")
        self.floor_db = db
        return s

    # MARK: Store

    def kfpm_import(self, store):
        summary = os.path.join(self.work, "import-summary.txt")
        s = repeat("kfpm import", [self.kfpm, "import", self.tree, "--store", store], self.n,
                   before=lambda i: remove_db(store), rss_in_timed=True, warmup_stdout=summary)
        with open(summary) as f:
            text = f.read().strip()
        self.notes.append(f"kfpm import said: {text[-300:]!r}")
        return s

    def ingest_loop(self, store):
        """The fallback store: one `kfpm ingest` per run (slow: for small scales only)."""
        log(f"building the store with {self.runs} x kfpm ingest (no kfpm import)")
        remove_db(store)
        start = time.perf_counter()
        for i in range(self.runs):
            folder = os.path.join(self.tree, self.exp, self.run_name(i))
            branch = "main" if i % 10 == 0 else "feature"
            spawn([self.kfpm, "ingest", self.run_name(i), folder, "--label", f"branch={branch}"]
                  + self.store_args(store))
            if i and i % 1000 == 0:
                log(f"  {i} runs ingested")
        log(f"store built in {time.perf_counter() - start:.1f} s")

    def check_store(self, store):
        count = int(sql(store, "SELECT count(*) FROM metric"))
        runs = int(sql(store, "SELECT count(*) FROM run"))
        if count != self.rows or runs != self.runs:
            raise BenchError(f"the store holds {runs} runs and {count} metric rows; expected {self.runs} and {self.rows}")
        labelled = int(sql(store, "SELECT count(*) FROM run_label WHERE key = 'branch'"))
        if labelled == 0:
            # kfpm import takes no labels: put branch=main|feature in with SQL, as the CI ingests would have.
            sql(store, "INSERT INTO run_label(run_id, key, value) SELECT r.id, 'branch', "
                       "CASE WHEN CAST(substr(r.name, 5) AS INTEGER) % 10 = 0 THEN 'main' ELSE 'feature' END "
                       "FROM run r JOIN experiment e ON e.id = r.experiment_id "
                       f"WHERE e.name = '{self.exp}'")
            self.notes.append("kfpm import set no labels; branch=main|feature was added to the store with SQL.")
        sql(store, "PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(store) / self.rows

    # MARK: All rows

    def run(self):
        a = self.args
        facts = machine_facts()
        load_before = loadavg()
        started = time.perf_counter()
        spawn_overhead = repeat("spawn /bin/true", ["/bin/true"], 20, rss_extra=False).median

        store = os.path.join(self.work, "kfpm.db")
        importing = has_import(self.kfpm)

        # Bulk import and its floor.
        floor = self.floor_import()
        floor_rate = self.rows / floor.median
        imp = None
        if importing:
            imp = self.kfpm_import(store)
            rate = self.rows / imp.median
            self.add(f"bulk import: kfpm import, {self.runs:,} runs x {self.manifest['metrics_per_run']} metrics "
                     f"({self.manifest['input_bytes'] / 1e6:.0f} MB of JSON)",
                     f"{rate:,.0f} rows/s ({imp.median:.2f} s; {rate / floor_rate:.2f}x floor)",
                     ">= floor rows/s; aim >= 1,000,000", rate >= floor_rate, imp.rss_kb, imp.cpu)
        else:
            self.add("bulk import: kfpm import", "n/a (kfpm import missing)",
                     ">= floor rows/s; aim >= 1,000,000", None)
        self.add(f"floor: sqlite3 CLI .import of the same {self.rows:,} rows "
                 f"({self.manifest['csv_bytes'] / 1e6:.0f} MB CSV)",
                 f"{floor_rate:,.0f} rows/s ({floor.median:.2f} s)", "(reference)", None, floor.rss_kb, floor.cpu)

        # The query store.
        if not importing:
            if self.runs > a.ingest_max:
                self.notes.append(f"no kfpm import and {self.runs} runs > KFPM_BENCH_INGEST_MAX={a.ingest_max}: "
                                  "the query rows were skipped (building the store with kfpm ingest would take too long).")
                store = None
            else:
                self.ingest_loop(store)
        if store:
            bytes_per_row = self.check_store(store)
            self.add_small_experiment(store)
            settle()
            self.queries(store, spawn_overhead)
            self.add("store size per metric row (after wal_checkpoint(TRUNCATE))",
                     f"{bytes_per_row:.1f} B ({os.path.getsize(store) / 1e6:.0f} MB)", "<= 64 B",
                     bytes_per_row <= 64)
            self.notes.append(f"the sqlite3 floor table takes {self.floor_bytes_per_row:.1f} B per row (no index).")
        else:
            self.add("queries", "n/a (no store)", "", None)

        if a.baseline_kfpm and store:
            self.against_baseline(store)
        if a.postgres:
            self.postgres(a.postgres, spawn_overhead)

        # Peak RSS.
        if imp:
            self.add(f"peak RSS of kfpm import ({self.manifest['input_bytes'] / 1e6:.0f} MB input)",
                     f"{imp.rss_kb / 1024:.1f} MB", "<= 64 MB for a 1 GB import", imp.rss_kb <= 64 * 1024)
        if a.rss_workload:
            if importing:
                self.rss_import()
            else:
                with open(os.path.join(a.rss_workload, "manifest.json")) as f:
                    gb = json.load(f)["input_bytes"] / 1e9
                self.add(f"peak RSS of kfpm import, {gb:.2f} GB input", "n/a (kfpm import missing)",
                         "<= 64 MB for a 1 GB import", None)

        if a.mlflow_workload:
            self.mlflow_imports()

        if a.bigfile_dir:
            self.big_files()

        elapsed = time.perf_counter() - started
        self.report(facts, load_before, loadavg(), spawn_overhead, elapsed)

    def queries(self, store, spawn_overhead):
        n, kfpm, st = self.n, self.kfpm, self.store_args(store)
        last = self.runs - 1
        a_run, b_run = self.run_name(last - 1), self.run_name(last)
        ten = [self.run_name(i * (self.runs - 1) // 9) for i in range(10)]

        outputs = os.path.join(self.work, "outputs")
        os.makedirs(outputs, exist_ok=True)

        # kfpm's own start-up, to tell it apart from each command's work.
        start_up = repeat("kfpm --version", [kfpm, "--version"], n)
        self.add("kfpm --version (start-up, for scale)", f"{start_up.median * 1e3:.1f} ms ({start_up.spread_ms()})",
                 "(reference)", None, start_up.rss_kb, start_up.cpu)
        if self.args.hello:
            self.start_up_against_hello(kfpm, self.args.hello)

        def output_of(what):
            return os.path.join(outputs, re.sub(r"[^A-Za-z0-9]+", "-", what).strip("-")[:60] + ".txt")

        def row(what, argv, target_ms, ok=(0,)):
            # The warm-up's stdout is kept (with KFPM_BENCH_KEEP=1) and must not be empty.
            out = output_of(what)
            s = repeat(what, argv, n, ok=ok, warmup_stdout=out)
            if os.path.getsize(out) == 0:
                raise BenchError(f"{what}: printed nothing on stdout")
            beyond = (s.median - start_up.median) * 1e3
            # Every command also within 64 MB of peak RSS on this store.
            self.add(what, f"{s.median * 1e3:.1f} ms ({s.spread_ms()}; {beyond:+.1f} over start-up)",
                     f"<= {target_ms} ms, <= 64 MB", s.median * 1e3 <= target_ms and (s.rss_kb or 0) <= 64 * 1024,
                     s.rss_kb, s.cpu)
            return s

        row(f"kfpm show {self.run_name(self.runs // 2)}", [kfpm, "show", self.run_name(self.runs // 2)] + st, 10)
        cmp = row(f"kfpm compare {a_run} {b_run}", [kfpm, "compare", a_run, b_run] + st, 10)
        # The floor for the same comparison: sqlite3 on its imported table, with an index on run_id.
        ia, ib = last - 1, last
        floor_sql = ("SELECT name, max(CASE WHEN run_id = {a} THEN value END) AS a, "
                     "max(CASE WHEN run_id = {b} THEN value END) AS b, "
                     "max(CASE WHEN run_id = {b} THEN value END) - max(CASE WHEN run_id = {a} THEN value END) AS change "
                     "FROM metric WHERE run_id IN ({a}, {b}) GROUP BY name ORDER BY name;").format(a=ia, b=ib)
        fc = repeat("floor: sqlite3 two-run comparison", [shutil.which("sqlite3"), self.floor_db, floor_sql], n)
        out = subprocess.run(["sqlite3", self.floor_db, floor_sql], capture_output=True, text=True).stdout
        if len(out.splitlines()) != self.manifest["metrics_per_run"]:
            raise BenchError(f"the floor comparison gave {len(out.splitlines())} rows, not {self.manifest['metrics_per_run']}")
        self.add("floor: sqlite3 CLI, the same two-run comparison (index on run_id)",
                 f"{fc.median * 1e3:.1f} ms ({fc.spread_ms()}); kfpm compare is {cmp.median / fc.median:.2f}x",
                 "(reference)", None, fc.rss_kb, fc.cpu)
        row("kfpm compare, 10 runs", [kfpm, "compare"] + ten + st, 8)
        row("kfpm top", [kfpm, "top"] + st, 100)
        row("kfpm runs --sort-by accuracy --limit 20", [kfpm, "runs", "--sort-by", "accuracy", "--limit", "20"] + st, 15)
        row(f"kfpm runs --limit 0 -e {self.small_exp} (all {self.small_runs:,} runs, 2 metric columns)",
            [kfpm, "runs", "--limit", "0", "--store", store, "-e", self.small_exp], 20)
        row("kfpm history accuracy", [kfpm, "history", "accuracy"] + st, 100)
        rules = ["--rule", "accuracy:sigma=3", "--rule", "*loss:sigma=3"]
        row(f"kfpm gate {b_run} --baseline window:20 (sigma=3 rules)",
            [kfpm, "gate", b_run, "--baseline", "window:20"] + rules + st, 20, ok=(0, 1))
        row(f"kfpm gate {b_run} --baseline window:20:branch=main",
            [kfpm, "gate", b_run, "--baseline", "window:20:branch=main"] + rules + st, 12, ok=(0, 1))
        # The HTML page: the latest 100 runs with the top 20 metrics as columns, their statistics, a chart each.
        report = "kfpm report (the latest 100 runs, the top 20 metrics, a chart each)"
        row(report, [kfpm, "report"] + st, 200)
        page = os.path.getsize(output_of(report))
        self.add("kfpm report: the page's size (100 runs x 20 metrics)", f"{page / 1024:.0f} KB ({page:,} bytes)",
                 "< 300 KB", page < 300_000)
        # Last, because it adds runs: one CI ingest (20 metrics) into the big store, a new run every time.
        ci = os.path.join(self.workload, "ci", "metrics.json")
        row(f"kfpm ingest ci-N ({self.manifest['ci_metrics']} metrics) into the {self.rows / 1e6:g}M-row store",
            lambda i: [kfpm, "ingest", f"ci-{i}", ci, "--label", "branch=feature"] + st, 15)
        self.notes.append(f"process spawn overhead (/bin/true, median of 20): {spawn_overhead * 1e3:.2f} ms, "
                          "included in every wall time.")

    # MARK: PostgreSQL

    def postgres(self, uri, spawn_overhead):
        """The team store: import vs psql \\copy, then the queries, a CI ingest and the gate on the 5M-row store."""
        n, kfpm = self.n, self.kfpm
        csv = os.path.join(self.workload, "rows.csv")
        psql_bin = shutil.which("psql")
        version = psql(uri, "SHOW server_version")
        self.notes.append(f"PostgreSQL {version} on a unix socket, a throwaway cluster (Scripts/pg-cluster.sh: fsync off, "
                          "shared_buffers 64 MB), the same machine as kfpm.")

        # The floor: psql's \copy of the same rows as CSV into a table without key or index.
        floor_table = "public.kfpm_bench_floor"

        def fresh_floor(_):
            psql(uri, f"DROP TABLE IF EXISTS {floor_table}; "
                      f"CREATE TABLE {floor_table} (run_id bigint, name text, value float8, format smallint)")

        copy = f"\\copy {floor_table} FROM '{csv}' WITH (FORMAT csv)"
        repeats = max(1, self.args.pg_import_repeat)
        floor = repeat("floor: psql \\copy", [psql_bin, "-X", "-q", "-d", uri, "-c", copy], repeats,
                       before=fresh_floor, rss_in_timed=True)
        if int(psql(uri, f"SELECT count(*) FROM {floor_table}")) != self.rows:
            raise BenchError("the psql \\copy floor did not load every row")
        floor_bytes = int(psql(uri, f"SELECT pg_total_relation_size('{floor_table}')")) / self.rows
        psql(uri, f"DROP TABLE {floor_table}")
        floor_rate = self.rows / floor.median

        # kfpm import into a new schema each time; the last one stays for the queries.
        schema = "kfpm_bench"
        store = with_schema(uri, schema)
        summary = os.path.join(self.work, "pg-import-summary.txt")
        imp = repeat("kfpm import (PostgreSQL)", [kfpm, "import", self.tree, "--store", store], repeats,
                     before=lambda i: psql(uri, f"DROP SCHEMA IF EXISTS {schema} CASCADE"), rss_in_timed=True,
                     warmup_stdout=summary)
        rate = self.rows / imp.median
        self.add(f"PostgreSQL: kfpm import, {self.runs:,} runs x {self.manifest['metrics_per_run']} metrics",
                 f"{rate:,.0f} rows/s ({imp.median:.2f} s; {rate / floor_rate:.2f}x the psql floor)",
                 ">= 0.5x psql \\copy rows/s", rate >= 0.5 * floor_rate, imp.rss_kb, imp.cpu)
        self.add(f"PostgreSQL floor: psql \\copy of the same {self.rows:,} rows as CSV into an unindexed table",
                 f"{floor_rate:,.0f} rows/s ({floor.median:.2f} s)", "(reference)", None, floor.rss_kb, floor.cpu)

        rows = int(psql(uri, f"SELECT count(*) FROM {schema}.metric"))
        runs = int(psql(uri, f"SELECT count(*) FROM {schema}.run"))
        if rows != self.rows or runs != self.runs:
            raise BenchError(f"the PostgreSQL store holds {runs} runs and {rows} rows; expected {self.runs} and {self.rows}")
        # kfpm import takes no labels: branch=main|feature as the CI ingests would have set them.
        psql(uri, f"INSERT INTO {schema}.run_label (run_id, key, value) SELECT r.id, 'branch', "
                  "CASE WHEN substr(r.name, 5)::int % 10 = 0 THEN 'main' ELSE 'feature' END "
                  f"FROM {schema}.run r")
        psql(uri, "VACUUM ANALYZE")
        settle()
        size = int(psql(uri, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                             f"ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relkind = 'r'"))
        self.notes.append(f"PostgreSQL store: {size / self.rows:.1f} B per metric row with its indexes and TOAST "
                          f"(the psql floor's unindexed table: {floor_bytes:.1f} B).")

        st = ["--store", store, "-e", self.exp]
        last = self.runs - 1
        a_run, b_run = self.run_name(last - 1), self.run_name(last)
        ten = [self.run_name(i * (self.runs - 1) // 9) for i in range(10)]
        outputs = os.path.join(self.work, "outputs")
        os.makedirs(outputs, exist_ok=True)

        def row(what, argv, target_ms, ok=(0,)):
            out = os.path.join(outputs, "pg-" + re.sub(r"[^A-Za-z0-9]+", "-", what).strip("-")[:60] + ".txt")
            sample = repeat("PostgreSQL: " + what, argv, n, ok=ok, warmup_stdout=out)
            if os.path.getsize(out) == 0:
                raise BenchError(f"{what}: printed nothing on stdout")
            met = None if target_ms is None else sample.median * 1e3 <= target_ms
            self.add("PostgreSQL: " + what, f"{sample.median * 1e3:.1f} ms ({sample.spread_ms()})",
                     "(reference)" if target_ms is None else f"<= {target_ms} ms", met, sample.rss_kb, sample.cpu)

        row(f"kfpm show {self.run_name(self.runs // 2)}", [kfpm, "show", self.run_name(self.runs // 2)] + st, None)
        row(f"kfpm compare {a_run} {b_run}", [kfpm, "compare", a_run, b_run] + st, None)
        row("kfpm compare, 10 runs", [kfpm, "compare"] + ten + st, None)
        row("kfpm top", [kfpm, "top"] + st, None)
        row("kfpm runs --sort-by accuracy --limit 20", [kfpm, "runs", "--sort-by", "accuracy", "--limit", "20"] + st, None)
        row("kfpm history accuracy", [kfpm, "history", "accuracy"] + st, None)
        rules = ["--rule", "accuracy:sigma=3", "--rule", "*loss:sigma=3"]
        row(f"kfpm gate {b_run} --baseline window:20 (sigma=3 rules)",
            [kfpm, "gate", b_run, "--baseline", "window:20"] + rules + st, 30, ok=(0, 1))
        row(f"kfpm gate {b_run} --baseline window:20:branch=main",
            [kfpm, "gate", b_run, "--baseline", "window:20:branch=main"] + rules + st, None, ok=(0, 1))
        ci = os.path.join(self.workload, "ci", "metrics.json")
        row(f"kfpm ingest ci-N ({self.manifest['ci_metrics']} metrics) into the {self.rows / 1e6:g}M-row store",
            lambda i: [kfpm, "ingest", f"ci-pg-{i}", ci, "--label", "branch=feature"] + st, 30)
        if self.args.mlflow_workload:
            self.postgres_mlflow(uri)

    def postgres_mlflow(self, uri):
        """`kfpm import` of the MLflow workload's SQLite store into a PostgreSQL store: points per second, checked
        counts, and the series table's bytes per point (with its index and TOAST)."""
        wl = os.path.abspath(self.args.mlflow_workload)
        source = os.path.join(wl, "mlflow.db")
        if not os.path.exists(source):
            return
        with open(os.path.join(wl, "manifest.json")) as f:
            m = json.load(f)
        points, runs = m["points"], m["runs"]
        schema = "kfpm_bench_mlflow"
        store = with_schema(uri, schema)
        s = repeat("kfpm import mlflow.db (PostgreSQL)", [self.kfpm, "import", source, "--store", store],
                   max(1, self.args.pg_import_repeat), before=lambda i: psql(uri, f"DROP SCHEMA IF EXISTS {schema} CASCADE"),
                   rss_in_timed=True)
        stored_runs = int(psql(uri, f"SELECT count(*) FROM {schema}.run"))
        stored_points = int(psql(uri, f"SELECT coalesce(sum(point_count), 0) FROM {schema}.metric_series"))
        if stored_runs != runs or stored_points != points:
            raise BenchError(f"the import of {source} into PostgreSQL stored {stored_runs} runs and {stored_points} "
                             f"points; expected {runs} and {points}")
        rate = points / s.median
        self.add(f"PostgreSQL: MLflow import, SQLite store (mlflow.db): {points / 1e6:g}M points",
                 f"{rate:,.0f} points/s ({s.median:.2f} s)", ">= 500,000 points/s", rate >= 500_000, s.rss_kb, s.cpu)
        size = int(psql(uri, f"SELECT pg_total_relation_size('{schema}.metric_series')"))
        self.add("PostgreSQL: store bytes per series point (metric_series with its index and TOAST)",
                 f"{size / points:.1f} B", "<= 32 B", size / points <= 32)
        psql(uri, f"DROP SCHEMA {schema} CASCADE")

    # MARK: A small experiment beside the big one

    small_exp = "small"
    small_runs = 1000

    def add_small_experiment(self, store):
        """Imports the first 1,000 runs of the workload again as experiment `small` (for listing every run of an
        experiment of 1,000: the issue's `runs` target), after the store was checked."""
        tree = os.path.join(self.work, "small-tree")
        if not os.path.isdir(tree):
            os.makedirs(tree)
            for i in range(self.small_runs):
                shutil.copytree(os.path.join(self.tree, self.exp, self.run_name(i)), os.path.join(tree, self.run_name(i)))
        spawn([self.kfpm, "import", tree, "-e", self.small_exp, "--store", store])
        sql(store, "PRAGMA wal_checkpoint(TRUNCATE)")

    # MARK: Start-up against a Swift "hello world"

    def start_up_against_hello(self, kfpm, hello):
        """`kfpm --version` and a Swift "hello world" built the same way (static, release, the same link flags),
        run alternately so that the machine's load falls on both."""
        n = max(self.n, 20)
        times, cpus = {kfpm: [], hello: []}, {kfpm: [], hello: []}
        for i in range(n + 1):
            for binary in (kfpm, hello) if i % 2 == 0 else (hello, kfpm):
                wall, cpu = spawn([binary] + (["--version"] if binary == kfpm else []))
                if i > 0:
                    times[binary].append(wall)
                    cpus[binary].append(cpu)
        k, h = statistics.median(times[kfpm]), statistics.median(times[hello])
        self.add(f"start-up: kfpm --version against a Swift hello world built the same way ({n} alternating runs each)",
                 f"{k * 1e3:.2f} ms vs {h * 1e3:.2f} ms ({k / h:.2f}x)", "<= 1.3x", k / h <= 1.3, None,
                 statistics.median(cpus[kfpm]))
        self.notes.append(f"start-up CPU: kfpm --version {statistics.median(cpus[kfpm]) * 1e3:.2f} ms, "
                          f"hello world {statistics.median(cpus[hello]) * 1e3:.2f} ms.")

    # MARK: Against an earlier build

    def against_baseline(self, store):
        """`kfpm --version` and the SQLite commands with this build and an earlier one, run alternately."""
        base, kfpm, n = os.path.abspath(self.args.baseline_kfpm), self.kfpm, max(self.n, 10)
        # An earlier build refuses a store of a later schema: it reads a copy taken back to its own schema (4 only
        # replaced an index), each build its own store with the same rows.
        stores = {kfpm: store, base: store}
        if int(sql(store, "PRAGMA user_version")) == 4:
            older = os.path.join(self.work, "schema3.db")
            remove_db(older)
            sql(store, "PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(store, older)
            sql(older, "DROP INDEX metric_by_value; CREATE INDEX metric_by_name ON metric(name_id, run_id, value, format); "
                       "PRAGMA user_version = 3; VACUUM;")
            stores[base] = older
            settle()
            self.notes.append("the earlier build read a copy of the store taken back to schema 3 (its metric_by_name index).")
        st = lambda b: ["--store", stores[b], "-e", self.exp]
        last = self.runs - 1
        ten = [self.run_name(i * (self.runs - 1) // 9) for i in range(10)]
        ci = os.path.join(self.workload, "ci", "metrics.json")
        cases = [
            ("kfpm --version", lambda b, i: [b, "--version"]),
            ("kfpm show (SQLite)", lambda b, i: [b, "show", self.run_name(self.runs // 2)] + st(b)),
            ("kfpm compare, 2 runs (SQLite)", lambda b, i: [b, "compare", self.run_name(last - 1), self.run_name(last)] + st(b)),
            ("kfpm compare, 10 runs (SQLite)", lambda b, i: [b, "compare"] + ten + st(b)),
            ("kfpm runs --sort-by accuracy --limit 20 (SQLite)",
             lambda b, i: [b, "runs", "--sort-by", "accuracy", "--limit", "20"] + st(b)),
            (f"kfpm runs --limit 0 -e {self.small_exp} (SQLite, {self.small_runs:,} runs)",
             lambda b, i: [b, "runs", "--limit", "0", "--store", stores[b], "-e", self.small_exp]),
            ("kfpm gate --baseline window:20 (SQLite)",
             lambda b, i: [b, "gate", self.run_name(last), "--baseline", "window:20", "--rule", "accuracy:sigma=3"] + st(b)),
            ("kfpm gate --baseline window:20:branch=main (SQLite)",
             lambda b, i: [b, "gate", self.run_name(last), "--baseline", "window:20:branch=main",
                           "--rule", "accuracy:sigma=3", "--rule", "*loss:sigma=3"] + st(b)),
            ("kfpm ingest (SQLite, 20 metrics)",
             lambda b, i: [b, "ingest", f"ci-{os.path.basename(b)}-{i}", ci, "--label", "branch=feature"] + st(b)),
        ]
        for what, make in cases:
            times = {kfpm: [], base: []}
            cpus = {kfpm: [], base: []}
            for i in range(n + 1):
                for binary in (kfpm, base) if i % 2 == 0 else (base, kfpm):
                    wall, cpu = spawn(make(binary, i), ok=(0, 1))
                    if i > 0:
                        times[binary].append(wall)
                        cpus[binary].append(cpu)
            new, old = statistics.median(times[kfpm]), statistics.median(times[base])
            new_cpu, old_cpu = statistics.median(cpus[kfpm]), statistics.median(cpus[base])
            log(f"{what}: this build {new * 1e3:.1f} ms, earlier build {old * 1e3:.1f} ms")
            self.add(f"{what}: this build vs the earlier one ({n} alternating runs each)",
                     f"{new * 1e3:.1f} ms vs {old * 1e3:.1f} ms ({(new / old - 1) * 100:+.1f}%)", "not slower",
                     new_cpu <= old_cpu * 1.05 or new <= old * 1.05, None, new_cpu)
            self.notes.append(f"{what}: CPU {new_cpu * 1e3:.1f} ms (this build) vs {old_cpu * 1e3:.1f} ms (earlier build).")

    def rss_import(self):
        wl = os.path.abspath(self.args.rss_workload)
        with open(os.path.join(wl, "manifest.json")) as f:
            m = json.load(f)
        store = os.path.join(self.work, "rss.db")
        remove_db(store)
        log(f"peak-RSS import of {m['input_bytes'] / 1e9:.2f} GB ({m['runs']:,} runs)")
        (elapsed, cpu), kb = peak_rss_kb([self.kfpm, "import", os.path.join(wl, "tree"), "--store", store])
        count = int(sql(store, "SELECT count(*) FROM metric"))
        if count != m["rows"]:
            raise BenchError(f"the 1 GB import stored {count} rows, expected {m['rows']}")
        self.add(f"peak RSS of kfpm import, {m['input_bytes'] / 1e9:.2f} GB input ({m['runs']:,} runs, "
                 f"{m['rows']:,} rows; one run: {elapsed:.1f} s, {m['rows'] / elapsed:,.0f} rows/s)",
                 f"{kb / 1024:.1f} MB", "<= 64 MB for a 1 GB import", kb <= 64 * 1024, cpu_s=cpu)
        remove_db(store)

    # MARK: MLflow stores

    def mlflow_imports(self):
        """`kfpm import` of the MLflow workload's two stores (Scripts/bench/generate_mlflow.py): points per second
        against the target, checked counts, and the store's bytes per series point (dbstat)."""
        wl = os.path.abspath(self.args.mlflow_workload)
        with open(os.path.join(wl, "manifest.json")) as f:
            m = json.load(f)
        points, runs = m["points"], m["runs"]
        shape = f"{runs:,} runs x {m['metrics_per_run']} metrics x {m['steps']} steps = {points / 1e6:g}M points"
        n = self.args.mlflow_repeat
        for kind, source in (("file store (mlruns/)", os.path.join(wl, "mlruns")), ("SQLite store (mlflow.db)", os.path.join(wl, "mlflow.db"))):
            if not os.path.exists(source):
                continue
            store = os.path.join(self.work, "mlflow-import.db")
            before = os.path.getsize(source) if os.path.isfile(source) else None
            s = repeat(f"kfpm import {kind}", [self.kfpm, "import", source, "--store", store], n,
                       before=lambda i: remove_db(store), rss_in_timed=True)
            if before is not None and os.path.getsize(source) != before:
                raise BenchError(f"{source} changed size during the import")
            stored_runs = int(sql(store, "SELECT count(*) FROM run"))
            stored_points = int(sql(store, "SELECT coalesce(sum(point_count), 0) FROM metric_series"))
            if stored_runs != runs or stored_points != points:
                raise BenchError(f"the import of {source} stored {stored_runs} runs and {stored_points} points; "
                                 f"expected {runs} and {points}")
            rate = points / s.median
            self.add(f"MLflow import, {kind}: {shape}",
                     f"{rate:,.0f} points/s ({s.median:.2f} s; {s.spread_ms()} ms)", ">= 500,000 points/s",
                     rate >= 500_000, s.rss_kb, s.cpu)
            sql(store, "PRAGMA wal_checkpoint(TRUNCATE)")
            series_bytes = int(sql(store, "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                                          "('metric_series', 'sqlite_autoindex_metric_series_1')"))
            self.add(f"store bytes per series point ({kind} import; the series table and its index)",
                     f"{series_bytes / points:.1f} B (whole store file: {os.path.getsize(store) / points:.1f} B)",
                     "<= 32 B", series_bytes / points <= 32)
            remove_db(store)

    # MARK: One big file

    def big_files(self):
        """`kfpm ingest` of one big file (Scripts/bench/bigfile.py) in each format into a new store: metrics per
        second and peak RSS against the targets (>= 300,000 metrics/s; peak RSS < 4x the file's size)."""
        folder = os.path.abspath(self.args.bigfile_dir)
        n = self.args.bigfile_repeat
        store = os.path.join(self.work, "bigfile.db")
        titles = {"kfp-v2": "KFP v2 executor output", "flat": "flat JSON", "kfp-v1": "KFP v1 metrics file"}
        for fmt, title in titles.items():
            path = os.path.join(folder, f"{fmt}.json")
            if not os.path.exists(path):
                continue
            size = os.path.getsize(path)
            argv = [self.kfpm, "ingest", f"big-{fmt}", path, "--store", store, "-e", "bigfile",
                    "--max-file-bytes", str(size)]
            s = repeat(f"kfpm ingest of the big {fmt} file", argv, n, before=lambda i: remove_db(store),
                       rss_in_timed=True)
            metrics = int(sql(store, "SELECT count(*) FROM metric"))
            remove_db(store)
            rate = metrics / s.median
            rss_bytes = s.rss_kb * 1024
            self.add(f"one big file: kfpm ingest of a {title}, {size / 1e6:.1f} MB, {metrics:,} metrics",
                     f"{rate:,.0f} metrics/s ({s.median:.2f} s; {s.spread_ms()} ms); peak RSS "
                     f"{rss_bytes / size:.1f}x the file",
                     f">= 300,000 metrics/s; peak RSS < 4x the file ({4 * size / 1e6:.0f} MB)",
                     rate >= 300_000 and rss_bytes < 4 * size, s.rss_kb, s.cpu)

    def report(self, facts, load_before, load_after, spawn_overhead, elapsed):
        a = self.args
        print()
        print(f"kfpm benchmark — {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')}")
        print(f"machine: {facts['nproc']} CPUs, {facts['model']}, {facts['memory']} RAM, Linux {facts['kernel']}")
        print(f"sqlite3: {facts['sqlite3']}; kfpm: {a.commit or '?'}")
        print(f"workload: {self.runs:,} runs x {self.manifest['metrics_per_run']} metrics = {self.rows:,} rows "
              f"in experiment '{self.exp}' (seed {self.manifest['seed']}); branch=main on every 10th run")
        print(f"method: whole-process wall time, median of {self.n} timed runs after 1 warm-up "
              f"(min..max in brackets); stdout to /dev/null; CPU = user + system time of the process (less "
              f"sensitive to a busy machine than wall time); peak RSS by /usr/bin/time")
        print(f"load average: before {load_before}, after {load_after}")
        busiest = max(float(x) for x in (load_before + " " + load_after).split())
        if busiest > 0.5 * (os.cpu_count() or 1):
            print(f"WARNING: the machine was busy (load average up to {busiest:g} on {os.cpu_count()} CPUs): "
                  f"other processes shared the cores, so these times are inflated; compare with the spawn "
                  f"overhead below (/bin/true takes ~0.6 ms on an idle machine).")
        print()
        header = ("what", "median wall time", "target", "result", "CPU (median)", "peak RSS")
        widths = [max(len(str(r[i])) for r in self.results + [header]) for i in range(len(header))]
        line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
        print(line(header))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in self.results:
            print(line(r))
        print()
        for note in self.notes:
            print(f"- {note}")
        print(f"- the timed part took {elapsed:.0f} s.")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kfpm", required=True)
    p.add_argument("--workload", required=True)
    p.add_argument("--work", required=True, help="a scratch folder for stores")
    p.add_argument("--rss-workload")
    p.add_argument("--mlflow-workload", help="a folder written by generate_mlflow.py (mlruns/, mlflow.db)")
    p.add_argument("--mlflow-repeat", type=int, default=3, help="timed runs of each MLflow import")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--bigfile-dir", help="a folder of big files written by bigfile.py (kfp-v2.json, flat.json, kfp-v1.json)")
    p.add_argument("--bigfile-repeat", type=int, default=3, help="timed ingests of each big file")
    p.add_argument("--commit", default="")
    p.add_argument("--postgres", help="a database URI on a local PostgreSQL server (superuser): adds the PostgreSQL section")
    p.add_argument("--pg-import-repeat", type=int, default=2,
                   help="timed runs of the PostgreSQL import and its floor (after 1 warm-up)")
    p.add_argument("--hello", help='a Swift "hello world" built as kfpm is: kfpm --version is timed against it')
    p.add_argument("--baseline-kfpm", help="an earlier kfpm build: --version and SQLite commands are timed against it")
    p.add_argument("--ingest-max", type=int, default=5000,
                   help="without kfpm import, build the query store with kfpm ingest only up to this many runs")
    args = p.parse_args()
    try:
        Bench(args).run()
    except BenchError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
