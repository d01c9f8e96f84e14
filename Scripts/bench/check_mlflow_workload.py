#!/usr/bin/env python3
"""Checks a store written by generate_mlflow.py with the real MLflow client (run it with a Python that has
mlflow-skinny, SQLAlchemy and alembic, e.g. the venv of Scripts/fixtures/requirements-mlflow.txt).

    check_mlflow_workload.py OUT_DIR

For each store in OUT_DIR (mlruns/, mlflow.db) it reads every run through MlflowClient (search_experiments,
search_runs with ViewType.ALL, get_run, get_metric_history) and compares run names, times, params, tags,
the latest values MLflow reports and every history point (step, value bit for bit, timestamp) with what
generate_mlflow.py meant to write. For SQLite it also checks that every sqlite_master entry (table, index,
trigger) is the same as in an empty store the installed MLflow creates (up to the order of constraints,
which MLflow's own migrations vary). Meant for small sizes (20 runs).
"""

import importlib.util
import json
import os
import sqlite3
import struct
import sys
import tempfile

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"

from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load("generate_mlflow")
schema = load("mlflow_schema")


def bits(x):
    return struct.pack(">d", x)


def check_store(uri, manifest, problems):
    client = MlflowClient(tracking_uri=uri)
    exps = {e.name: e for e in client.search_experiments(view_type=ViewType.ALL)}
    if sorted(exps) != ["Default", gen.EXPERIMENT_NAME]:
        problems.append(f"{uri}: experiments {sorted(exps)}")
        return
    exp = exps[gen.EXPERIMENT_NAME]
    runs = client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=50000)
    by_id = {r.info.run_id: r for r in runs}
    if len(by_id) != manifest["runs"]:
        problems.append(f"{uri}: {len(by_id)} runs, want {manifest['runs']}")
    seed = manifest["seed"]
    for index in range(manifest["runs"]):
        rid = gen.run_id(seed, index)
        if rid not in by_id:
            problems.append(f"{uri}: run {index} ({rid}) missing")
            continue
        run = client.get_run(rid)
        start, end, params, tags, metrics = gen.run_content(
            seed, index, manifest["metrics_per_run"], manifest["steps"], manifest["params_per_run"])
        where = f"{uri} run {index}"
        got = (run.info.run_name, run.info.start_time, run.info.end_time, run.info.status,
               run.info.lifecycle_stage, run.info.user_id)
        want = (gen.run_name(index), start, end, "FINISHED", "active", gen.USER)
        if got != want:
            problems.append(f"{where}: info {got} != {want}")
        if run.data.params != params:
            problems.append(f"{where}: params {run.data.params} != {params}")
        if run.data.tags != tags:
            problems.append(f"{where}: tags {run.data.tags} != {tags}")
        if sorted(run.data.metrics) != sorted(metrics):
            problems.append(f"{where}: metric keys {sorted(run.data.metrics)}")
            continue
        for key, points in metrics.items():
            if bits(run.data.metrics[key]) != bits(points[-1][1]):
                problems.append(f"{where}: latest {key} {run.data.metrics[key]!r} != {points[-1][1]!r}")
            history = [(m.step, m.value, m.timestamp) for m in client.get_metric_history(rid, key)]
            if len(history) != len(points) or any(
                    a[0] != b[0] or a[2] != b[2] or bits(a[1]) != bits(b[1]) for a, b in zip(history, points)):
                problems.append(f"{where}: history of {key} differs")


def check_schema(db_path, problems):
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "fresh.db")
        MlflowClient(tracking_uri="sqlite:///" + fresh).search_experiments()
        query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        want = sqlite3.connect(fresh).execute(query).fetchall()
        want_pragmas = [sqlite3.connect(fresh).execute(f"PRAGMA {p}").fetchone() for p in
                        ("page_size", "journal_mode", "encoding", "auto_vacuum")]
    con = sqlite3.connect(db_path)
    got = con.execute(query).fetchall()
    got_pragmas = [con.execute(f"PRAGMA {p}").fetchone() for p in
                   ("page_size", "journal_mode", "encoding", "auto_vacuum")]
    # Up to the order of the constraints in a CREATE TABLE, which MLflow's migrations vary from run to run.
    got = sorted((t, n, tbl, schema.canonical(sql) if sql else sql) for t, n, tbl, sql in got)
    want = sorted((t, n, tbl, schema.canonical(sql) if sql else sql) for t, n, tbl, sql in want)
    if got != want:
        problems.append(f"{db_path}: sqlite_master differs from a fresh MLflow store: "
                        f"{sorted(set(got) ^ set(want))[:5]}")
    if got_pragmas != want_pragmas:
        problems.append(f"{db_path}: pragmas {got_pragmas} != {want_pragmas}")


def main():
    out = os.path.abspath(sys.argv[1])
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    problems = []
    if "file" in manifest["stores"]:
        check_store("file://" + os.path.join(out, "mlruns"), manifest, problems)
    if "sqlite" in manifest["stores"]:
        check_schema(os.path.join(out, "mlflow.db"), problems)
        check_store("sqlite:///" + os.path.join(out, "mlflow.db"), manifest, problems)
    if problems:
        print("check_mlflow_workload.py: %d problems" % len(problems), file=sys.stderr)
        for p in problems[:50]:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"check_mlflow_workload.py: MLflow read {manifest['runs']} runs, {manifest['points']} points "
          f"from {' and '.join(manifest['stores'])} exactly as generated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
