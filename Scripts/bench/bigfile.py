#!/usr/bin/env python3
"""Writes one large, valid metrics file for the single-file ingest benchmark.

    bigfile.py OUT --format kfp-v2|flat|kfp-v1 [--metrics N] [--seed S]

- kfp-v2: a KFP v2 executor output with one Metrics artifact holding N metadata numbers,
  {"artifacts": {"metrics": {"artifacts": [{"name": "metrics", "uri": ..., "metadata": {...}}]}}};
  at the default N = 805,000 it is 30.8 MB, the size of the outside probe's file;
- flat: the same N numbers as one flat JSON object (dvclive's metrics.json);
- kfp-v1: the same N metrics as a KFP v1 metrics file (KFP keeps 50; kfpm stores them all with a warning).

Names are metric_000000 ... (six digits or more) (valid KFP names), values pseudo-random doubles of mixed scale from
random.Random(seed), written with json.dumps, so the output depends only on the arguments.
"""

import argparse
import json
import random
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--format", choices=["kfp-v2", "flat", "kfp-v1"], default="kfp-v2")
    parser.add_argument("--metrics", type=int, default=805_000)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    width = max(6, len(str(args.metrics - 1)))
    names = [f"metric_{i:0{width}d}" for i in range(args.metrics)]
    values = [rng.gauss(0.0, 1.0) * 10.0 ** ((i % 9) - 4) for i in range(args.metrics)]
    if args.format == "kfp-v1":
        document = {"metrics": [{"name": n, "numberValue": v, "format": "RAW"} for n, v in zip(names, values)]}
    elif args.format == "flat":
        document = dict(zip(names, values))
    else:
        document = {"artifacts": {"metrics": {"artifacts": [{
            "name": "metrics",
            "uri": "gs://bucket/pipeline/run/evaluate/metrics",
            "metadata": dict(zip(names, values)),
        }]}}}
    with open(args.out, "w", encoding="ascii") as f:
        json.dump(document, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
