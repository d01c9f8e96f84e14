#!/usr/bin/env python3
"""Writes a large MLflow tracking store, for timing `kfpm import mlruns/` and `kfpm import mlflow.db`.

    generate_mlflow.py OUT_DIR [--runs 10000] [--metrics 10] [--steps 100] [--params 5]
                       [--store both|file|sqlite] [--seed S] [--jobs N]

Stdlib only: MLflow is not needed (nor used). OUT_DIR must not exist yet. Into it:

- mlruns/: MLflow's file store, byte for byte in the format mlflow-skinny 3.17.2 writes (see
  fixtures/mlflow/ for a store the real MLflow made): `.trash/`, `0/meta.yaml` (the Default experiment),
  `1/meta.yaml` (experiment "bench"), and per run `1/<run_id>/meta.yaml`, `metrics/<key>` (one
  `<timestamp> <value> <step>` line per point, the value as Python's str() of the double), `params/<key>`
  and `tags/<key>` (the value, no newline; a `/` in a key is a subfolder), and an empty `artifacts/`
  (MLflow refuses a run folder without metrics/, params/ and artifacts/).
- mlflow.db: MLflow's SQLite store, built from Scripts/bench/mlflow-schema.sql (the schema, indexes,
  trigger and initial rows of the empty store the real MLflow makes, dumped by
  Scripts/fixtures/gen_mlflow.py), with rows in experiments, runs, tags, params, metrics and
  latest_metrics as MLflow's SqlAlchemyStore writes them. Page size, journal mode and every
  `sqlite_master` entry are those of a store MLflow made (the constraints in a CREATE TABLE in one of
  the orders MLflow's migrations produce: they vary from run to run).
- manifest.json: the arguments, counts and names (read by Scripts/bench/check_mlflow_workload.py).

Every run logs --metrics metrics over --steps steps (steps 0..N-1, one point each, timestamps strictly
increasing), so MLflow's latest value of a metric is its last point. Values come from
random.Random(seed, run index): the output depends only on the arguments. Run ids are derived from the
seed and the run index (32 hex digits, starting with a letter so that YAML never reads them as numbers).

Work is split between --jobs processes in chunks of runs; each chunk's SQL rows go to a shard database
that the main process copies into mlflow.db in run order (so rowids follow run, step, metric order, the
order in which a training loop logs them). The two secondary indexes on metrics are dropped during the
copy and recreated with MLflow's own statements.
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "mlflow-schema.sql")

T0 = 1735689600000  # 2025-01-01T00:00:00Z in ms (MLflow's unit for every time)
EXPERIMENT_ID = 1
EXPERIMENT_NAME = "bench"
USER = "bench-user"
GIT_COMMIT = "3f1c2b7a9d8e4f60a1b2c3d4e5f60718293a4b5c"
BASE_METRICS = ["train/loss", "train/acc", "val/loss", "val/acc", "lr",
                "grad/norm", "throughput", "epoch_time", "val/f1", "val/auc"]
BASE_PARAMS = ["lr", "batch_size", "epochs", "optimizer", "model/hidden_units"]
CHUNK = 250  # runs per work item
# file store enums in meta.yaml (mlflow.entities): SourceType.LOCAL, RunStatus.FINISHED
SOURCE_TYPE_LOCAL = 4
STATUS_FINISHED = 3


def metric_names(n):
    return (BASE_METRICS + [f"extra/m{k:03d}" for k in range(len(BASE_METRICS), n)])[:n]


def param_names(n):
    return (BASE_PARAMS + [f"p{k:03d}" for k in range(len(BASE_PARAMS), n)])[:n]


def run_id(seed, index):
    h = hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()
    return "abcdef"[int(h[0], 16) % 6] + h[1:32]


def run_name(index):
    return f"run-{index:06d}"


def start_time(index, steps):
    # Runs one after another, each a little longer than its steps.
    return T0 + index * (steps + 10) * 1000


def run_content(seed, index, n_metrics, steps, n_params):
    """Everything about run `index`: params, tags, and per metric the list of (step, value, timestamp)."""
    rng = random.Random(seed * 1_000_003 + index)
    start = start_time(index, steps)
    params = {}
    for k, name in enumerate(param_names(n_params)):
        if name == "lr":
            params[name] = str(round(10 ** rng.uniform(-5, -1), 6))
        elif name == "batch_size":
            params[name] = str(2 ** rng.randint(4, 9))
        elif name == "epochs":
            params[name] = str(steps)
        elif name == "optimizer":
            params[name] = rng.choice(["adam", "sgd", "adamw", "rmsprop"])
        elif name == "model/hidden_units":
            params[name] = str(rng.choice([64, 128, 256, 512]))
        else:
            params[name] = f"value-{rng.randint(0, 999)}"
    tags = {
        "mlflow.runName": run_name(index),
        "mlflow.user": USER,
        "mlflow.source.name": "train.py",
        "mlflow.source.type": "LOCAL",
        "mlflow.source.git.commit": GIT_COMMIT,
        "branch": "main" if index % 10 == 0 else "feature",
    }
    metrics = {}
    for k, name in enumerate(metric_names(n_metrics)):
        scale = rng.lognormvariate(0.0, 0.5)
        rate = rng.uniform(0.01, 0.1)
        points = []
        for step in range(steps):
            noise = rng.gauss(0.0, 0.01)
            if name.endswith("loss"):
                value = scale * 2.718281828459045 ** (-rate * step) + noise
            elif name.endswith(("acc", "f1", "auc")):
                value = 1.0 - 0.5 * 2.718281828459045 ** (-rate * step) + noise
            elif name == "lr":
                value = 0.001 * 0.5 ** (step // 25)
            else:
                value = scale * (1.0 + noise)
            points.append((step, value, start + (step + 1) * 1000 + k))
        metrics[name] = points
    end = start + (steps + 1) * 1000 + n_metrics
    return start, end, params, tags, metrics


# ---------------------------------------------------------------- file store


def experiment_meta_yaml(artifact_location, experiment_id, name, created):
    # yaml.safe_dump(dict(experiment)) as MLflow's FileStore writes it (keys sorted).
    return (f"artifact_location: {artifact_location}\n"
            f"creation_time: {created}\n"
            "effective_trace_archival_retention: null\n"
            f"experiment_id: '{experiment_id}'\n"
            f"last_update_time: {created}\n"
            "lifecycle_stage: active\n"
            f"name: {name}\n"
            "trace_location: null\n"
            "workspace: default\n")


def run_meta_yaml(artifact_uri, end, rid, name, start):
    return (f"artifact_uri: {artifact_uri}\n"
            f"end_time: {end}\n"
            "entry_point_name: ''\n"
            f"experiment_id: '{EXPERIMENT_ID}'\n"
            "lifecycle_stage: active\n"
            f"run_id: {rid}\n"
            f"run_name: {name}\n"
            "source_name: ''\n"
            f"source_type: {SOURCE_TYPE_LOCAL}\n"
            "source_version: ''\n"
            f"start_time: {start}\n"
            f"status: {STATUS_FINISHED}\n"
            "tags: []\n"
            f"user_id: {USER}\n")


def write_key_files(folder, values):
    """params/ and tags/: one file per key, the value without a newline, '/' in a key as subfolders."""
    for key, value in values.items():
        path = os.path.join(folder, key)
        if "/" in key:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(value)


def write_file_run(exp_dir, rid, index, content):
    start, end, params, tags, metrics = content
    run_dir = os.path.join(exp_dir, rid)
    for sub in ("metrics", "params", "tags", "artifacts"):
        os.makedirs(os.path.join(run_dir, sub))
    with open(os.path.join(run_dir, "meta.yaml"), "w", encoding="utf-8") as f:
        f.write(run_meta_yaml(f"file://{run_dir}/artifacts", end, rid, run_name(index), start))
    write_key_files(os.path.join(run_dir, "params"), params)
    write_key_files(os.path.join(run_dir, "tags"), tags)
    metrics_dir = os.path.join(run_dir, "metrics")
    for key, points in metrics.items():
        path = os.path.join(metrics_dir, key)
        if "/" in key:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        # FileStore._log_run_metric: f"{metric.timestamp} {metric.value} {metric.step}\n"
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join([f"{ts} {value} {step}\n" for step, value, ts in points]))


# ---------------------------------------------------------------- SQLite store

SHARD_SCHEMA = """
CREATE TABLE runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
                   end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time);
CREATE TABLE tags ("key", value, run_uuid);
CREATE TABLE params ("key", value, run_uuid);
CREATE TABLE metrics ("key", value, timestamp, run_uuid, step, is_nan);
CREATE TABLE latest_metrics ("key", value, timestamp, step, is_nan, run_uuid);
"""
SHARD_TABLES = ["runs", "tags", "params", "metrics", "latest_metrics"]


def write_chunk(job):
    out, seed, first, stop, n_metrics, steps, n_params, stores = job
    shard = None
    if "sqlite" in stores:
        shard_path = os.path.join(out, "shards", f"{first:09d}.db")
        shard = sqlite3.connect(shard_path)
        shard.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SHARD_SCHEMA)
    exp_dir = os.path.join(out, "mlruns", str(EXPERIMENT_ID))
    artifact_root = os.path.join(out, "mlartifacts", str(EXPERIMENT_ID))
    points = 0
    for index in range(first, stop):
        rid = run_id(seed, index)
        content = run_content(seed, index, n_metrics, steps, n_params)
        start, end, params, tags, metrics = content
        points += sum(len(p) for p in metrics.values())
        if "file" in stores:
            write_file_run(exp_dir, rid, index, content)
        if shard is not None:
            # SqlAlchemyStore.create_run: source_type UNKNOWN and '' for the source fields when the
            # client creates the run; status/end_time from set_terminated.
            shard.execute("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                rid, run_name(index), "UNKNOWN", "", "", USER, "FINISHED", start, end, "",
                "active", f"{artifact_root}/{rid}/artifacts", EXPERIMENT_ID, None))
            shard.executemany("INSERT INTO tags VALUES (?,?,?)", [(k, v, rid) for k, v in tags.items()])
            shard.executemany("INSERT INTO params VALUES (?,?,?)", [(k, v, rid) for k, v in params.items()])
            # Rows in logging order: step by step, every metric at each step.
            names = list(metrics)
            shard.executemany("INSERT INTO metrics VALUES (?,?,?,?,?,0)", [
                (name, metrics[name][i][1], metrics[name][i][2], rid, metrics[name][i][0])
                for i in range(steps) for name in names])
            # latest = max by (step, timestamp, value): the last point here.
            shard.executemany("INSERT INTO latest_metrics VALUES (?,?,?,?,0,?)", [
                (name, p[-1][1], p[-1][2], p[-1][0], rid) for name, p in metrics.items() if p])
    if shard is not None:
        shard.commit()
        shard.close()
    return points


def build_sqlite(out, shard_paths, created):
    db_path = os.path.join(out, "mlflow.db")
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = f.read()
    con = sqlite3.connect(db_path, isolation_level=None)
    con.executescript(schema)
    con.execute("UPDATE experiments SET artifact_location = ?, creation_time = ?, last_update_time = ? "
                "WHERE experiment_id = 0", (os.path.join(out, "mlartifacts", "0"), created, created))
    con.execute("INSERT INTO experiments VALUES (?,?,?,?,?,?,?)", (
        EXPERIMENT_ID, EXPERIMENT_NAME, os.path.join(out, "mlartifacts", str(EXPERIMENT_ID)),
        "active", created, created, "default"))
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;")
    secondary = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics' "
                            "AND sql IS NOT NULL ORDER BY name").fetchall()
    con.execute("BEGIN")
    for name, _ in secondary:
        con.execute(f'DROP INDEX "{name}"')
    for path in shard_paths:
        con.execute("ATTACH DATABASE ? AS shard", (path,))
        for table in SHARD_TABLES:
            con.execute(f'INSERT INTO main."{table}" SELECT * FROM shard."{table}"')
        con.execute("COMMIT")
        con.execute("DETACH DATABASE shard")
        con.execute("BEGIN")
    for _, sql in secondary:
        con.execute(sql)
    con.execute("COMMIT")
    con.execute("PRAGMA journal_mode=DELETE")  # what MLflow's store has
    con.close()
    return db_path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--metrics", type=int, default=10, help="metrics per run")
    parser.add_argument("--steps", type=int, default=100, help="points per metric")
    parser.add_argument("--params", type=int, default=5, help="params per run")
    parser.add_argument("--store", choices=["both", "file", "sqlite"], default="both")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if min(args.runs, args.metrics, args.steps) < 1 or args.params < 0:
        sys.exit("generate_mlflow.py: --runs, --metrics and --steps must be at least 1")
    stores = ["file", "sqlite"] if args.store == "both" else [args.store]
    began = time.monotonic()

    out = os.path.abspath(args.out)
    os.makedirs(out)  # fails if it exists: the caller gives a fresh folder
    created = T0
    if "file" in stores:
        root = os.path.join(out, "mlruns")
        os.makedirs(os.path.join(root, ".trash"))
        for exp_id, name in ((0, "Default"), (EXPERIMENT_ID, EXPERIMENT_NAME)):
            os.makedirs(os.path.join(root, str(exp_id)))
            with open(os.path.join(root, str(exp_id), "meta.yaml"), "w", encoding="utf-8") as f:
                f.write(experiment_meta_yaml(f"file://{root}/{exp_id}", exp_id, name, created))
    if "sqlite" in stores:
        os.makedirs(os.path.join(out, "shards"))

    jobs = [(out, args.seed, s, min(s + CHUNK, args.runs), args.metrics, args.steps, args.params, stores)
            for s in range(0, args.runs, CHUNK)]
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        points = sum(pool.imap(write_chunk, jobs))
    files_done = time.monotonic()

    if "sqlite" in stores:
        shard_paths = [os.path.join(out, "shards", f"{job[2]:09d}.db") for job in jobs]
        build_sqlite(out, shard_paths, created)
        shutil.rmtree(os.path.join(out, "shards"))

    manifest = {
        "seed": args.seed,
        "runs": args.runs,
        "metrics_per_run": args.metrics,
        "steps": args.steps,
        "params_per_run": args.params,
        "points": points,
        "stores": stores,
        "experiment": {"id": EXPERIMENT_ID, "name": EXPERIMENT_NAME},
        "metric_names": metric_names(args.metrics),
        "param_names": param_names(args.params),
        "run_name_format": "run-%06d",
        "seconds": {"chunks": round(files_done - began, 1), "total": round(time.monotonic() - began, 1)},
    }
    if "sqlite" in stores:
        manifest["sqlite_bytes"] = os.path.getsize(os.path.join(out, "mlflow.db"))
    with open(os.path.join(out, "manifest.json"), "w", encoding="ascii") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"generate_mlflow.py: {args.runs} runs, {points} points, {', '.join(stores)} "
          f"in {time.monotonic() - began:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
