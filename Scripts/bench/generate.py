#!/usr/bin/env python3
"""Writes the deterministic synthetic workload of Scripts/bench.sh.

    generate.py OUT_DIR --runs N [--experiment NAME] [--seed S] [--no-csv] [--target-bytes B]

Into OUT_DIR (which must not exist yet; the caller renames it into place, so a half-written workload is
never taken for a finished one) it writes:

- tree/<experiment>/run-NNNNNNN/metrics.json: one KFP v1 metrics file per run, 50 metrics each (5 of them
  PERCENTAGE), written the way the KFP SDK writes them (`json.dumps`), with pseudo-random doubles;
- rows.csv: the same metric rows for the sqlite3 CLI floor: run_id,name,value,format (run_id is the run's
  index, format is KFP's enum number: 1 RAW, 2 PERCENTAGE), no header;
- ci/metrics.json: one CI run's KFP v1 file with 20 of the same metrics;
- labels.csv: run index and its branch label (main on every 10th run, feature otherwise);
- manifest.json: what was written (runs, rows, input bytes, names), read by harness.py.

Every value comes from random.Random(seed, run index), so the output depends only on the arguments, not on
how the work was split between processes. With --target-bytes the number of runs is raised until the
metrics files hold at least that many bytes (the 1 GB peak-RSS workload).
"""

import argparse
import json
import math
import multiprocessing
import os
import random
import sys

# 50 metric names: 5 PERCENTAGE (10%), 10 named RAW ones with inferable directions, 35 generic ones.
PERCENTAGE_NAMES = ["accuracy", "val_accuracy", "precision", "recall", "f1_score"]
RAW_NAMES = ["loss", "val_loss", "auc", "roc_auc", "mse", "mae", "rmse", "latency_ms", "train_time_s", "perplexity"]
GENERIC_NAMES = [f"m{i:02d}" for i in range(35)]
NAMES = PERCENTAGE_NAMES + RAW_NAMES + GENERIC_NAMES
FORMATS = {name: ("PERCENTAGE" if name in PERCENTAGE_NAMES else "RAW") for name in NAMES}
FORMAT_NUMBER = {"RAW": 1, "PERCENTAGE": 2}
CI_NAMES = NAMES[:20]  # 5 PERCENTAGE + the 10 named RAW + m00..m04
CHUNK = 500  # runs per work item


def values_for(seed: int, index: int) -> list:
    """The 50 values of run `index`: fractions near 0.9 for PERCENTAGE, losses, and doubles of mixed scale."""
    rng = random.Random(seed * 1_000_003 + index)
    out = []
    for k, name in enumerate(NAMES):
        if FORMATS[name] == "PERCENTAGE":
            out.append(0.80 + 0.19 * rng.random())
        elif k < len(PERCENTAGE_NAMES) + len(RAW_NAMES):
            out.append(rng.lognormvariate(-1.0, 0.5))
        else:
            out.append(rng.gauss(0.0, 1.0) * 10.0 ** ((k % 9) - 4))
    return out


def metrics_json(names: list, values: list) -> str:
    """A KFP v1 metrics file, byte for byte what `json.dumps` gives (the KFP v1 SDK's way)."""
    return json.dumps({"metrics": [
        {"name": n, "numberValue": v, "format": FORMATS[n]} for n, v in zip(names, values)
    ]})


def run_name(index: int) -> str:
    return f"run-{index:07d}"


def write_chunk(job):
    """Writes runs [start, stop) and returns their CSV text (or None) and the bytes of their metrics files."""
    root, seed, start, stop, want_csv = job
    csv_lines = []
    total = 0
    for index in range(start, stop):
        values = values_for(seed, index)
        text = metrics_json(NAMES, values)
        folder = os.path.join(root, run_name(index))
        os.mkdir(folder)
        with open(os.path.join(folder, "metrics.json"), "w", encoding="ascii") as f:
            f.write(text)
        total += len(text)
        if want_csv:
            # repr() is the shortest round-trip text, the same digits json.dumps wrote.
            csv_lines.extend(f"{index},{n},{v!r},{FORMAT_NUMBER[FORMATS[n]]}\n" for n, v in zip(NAMES, values))
    return ("".join(csv_lines) if want_csv else None), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--experiment", default="bench")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--no-csv", action="store_true", help="skip rows.csv (the peak-RSS workload)")
    parser.add_argument("--target-bytes", type=int, default=0, help="raise --runs until the files hold this much")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    runs = args.runs
    if args.target_bytes:
        # Every run's file has the same names and formats, so its size varies only with the digits of its
        # values; estimate from the first 200 runs, then top up below if the estimate fell short.
        sample = sum(len(metrics_json(NAMES, values_for(args.seed, i))) for i in range(200)) / 200
        runs = max(runs, math.ceil(args.target_bytes / sample))
    if runs < 20:
        sys.exit("generate.py: --runs must be at least 20 (the gate's window)")

    os.makedirs(args.out)  # fails if it exists: the caller gives a fresh staging folder
    root = os.path.join(args.out, "tree", args.experiment)
    os.makedirs(root)
    want_csv = not args.no_csv
    total_bytes = 0
    csv_path = os.path.join(args.out, "rows.csv")
    csv_file = open(csv_path, "w", encoding="ascii") if want_csv else None
    start = 0
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        while True:
            jobs = [(root, args.seed, s, min(s + CHUNK, runs), want_csv) for s in range(start, runs, CHUNK)]
            for csv_text, size in pool.imap(write_chunk, jobs):  # in order, so the CSV is in run order
                total_bytes += size
                if csv_file:
                    csv_file.write(csv_text)
            start = runs
            if total_bytes >= args.target_bytes:
                break
            runs += max(CHUNK, math.ceil((args.target_bytes - total_bytes) / (total_bytes / runs)))
    if csv_file:
        csv_file.close()

    os.makedirs(os.path.join(args.out, "ci"))
    ci_values = values_for(args.seed, 10**9)[: len(CI_NAMES)]
    with open(os.path.join(args.out, "ci", "metrics.json"), "w", encoding="ascii") as f:
        f.write(metrics_json(CI_NAMES, ci_values))
    with open(os.path.join(args.out, "labels.csv"), "w", encoding="ascii") as f:
        f.writelines(f"{i},{'main' if i % 10 == 0 else 'feature'}\n" for i in range(runs))

    manifest = {
        "experiment": args.experiment,
        "seed": args.seed,
        "runs": runs,
        "metrics_per_run": len(NAMES),
        "rows": runs * len(NAMES),
        "input_bytes": total_bytes,
        "csv_bytes": os.path.getsize(csv_path) if want_csv else None,
        "percentage_metrics": PERCENTAGE_NAMES,
        "ci_metrics": len(CI_NAMES),
        "run_name_format": "run-%07d",
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="ascii") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
