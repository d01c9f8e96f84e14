#!/usr/bin/env bash
# The benchmark of kfpm against its performance targets: bulk import vs the sqlite3 CLI's CSV import (the
# floor), one CI ingest, the read commands and the gate on a 5M-row store, peak RSS and store size per row,
# the MLflow imports, and one big file (805,000 metrics) ingested in each format.
# Prints one table of medians (whole-process wall times, 1 warm-up + 5 timed runs each).
#
#   Scripts/bench.sh                          # full size: 100,000 runs x 50 metrics = 5M rows
#   KFPM_BENCH_RUNS=10000 Scripts/bench.sh    # a quick run
#
# Environment:
#   KFPM_BENCH_RUNS=N       runs in the workload (default 100000; 50 metrics each)
#   KFPM_BENCH_REPEAT=N     timed runs per row (default 5, after 1 warm-up)
#   KFPM_BENCH_DIR=DIR      work here instead of a fresh temporary folder; the generated workloads are kept
#                           there and reused by later runs (regenerated only when missing or when
#                           Scripts/bench/generate.py changed)
#   KFPM_BENCH_KEEP=1       keep the temporary folder and the stores at the end
#   KFPM_BENCH_RSS_GB=G     also import a workload of about G GB (e.g. 1) once and report its peak RSS
#   KFPM_BENCH_SCRATCH=DIR  SwiftPM scratch path of the release build (default .build-bench)
#   KFPM_BENCH_BIN=PATH     measure this kfpm binary instead of building one
#   KFPM_BENCH_INGEST_MAX=N without `kfpm import`, build the query store with one `kfpm ingest` per run only
#                           up to N runs (default 5000)
#   KFPM_BENCH_MLFLOW_RUNS=N  runs of the MLflow workload (default 10000: x 10 metrics x 100 steps = 10M points,
#                           a 1.2 GB file store and a 2.4 GB SQLite store); 0 skips the MLflow rows
#   KFPM_BENCH_MLFLOW_DIR=DIR where the MLflow workload is generated once and reused (default
#                           $KFPM_BENCH_DIR, else /tmp/kb-mlflow: it takes minutes to write)
#   KFPM_BENCH_MLFLOW_REPEAT=N timed runs of each MLflow import (default 3, after 1 warm-up)
#   KFPM_BENCH_PG=0         skip the PostgreSQL section (run by default when the server binaries are installed:
#                           a throwaway cluster on a unix socket, Scripts/pg-cluster.sh; kfpm import vs psql \copy,
#                           the queries, one CI ingest and the gate on the 5M-row PostgreSQL store, and the import of
#                           the MLflow workload's mlflow.db into PostgreSQL unless KFPM_BENCH_MLFLOW_RUNS=0)
#   KFPM_BENCH_PG_DIR=DIR   run that cluster in DIR and leave it (with its last store) there for later runs
#   KFPM_BENCH_PG_REPEAT=N  timed runs of the PostgreSQL import and its floor (default 2, after 1 warm-up)
#   KFPM_BENCH_BASELINE_BIN=PATH  an earlier kfpm build (e.g. of main): `kfpm --version` and the SQLite commands are
#                           timed with both binaries, alternately, to show this build did not get slower
#   KFPM_BENCH_BIGFILE_METRICS=N metrics in each big file (default 805000: a 30.8 MB KFP v2 executor output, the
#                           same as flat JSON, and a 64.7 MB KFP v1 file), generated once by
#                           Scripts/bench/bigfile.py into the work folder and reused; 0 skips the big-file rows
#   KFPM_BENCH_BIGFILE_REPEAT=N timed ingests of each big file (default 3, after 1 warm-up)
#
# Where the time goes at full size (measured on the shared 2-core machine, 2026-12-07): from a fresh clone the
# release build ~95 s; generating the workload ~25 s (100,000 folders, 361 MB of JSON, a 166 MB CSV; kept and
# reused with KFPM_BENCH_DIR); 6 floor imports ~7 s each; 6 kfpm imports 13-19 s each (the bulk of it); every query
# row ~7 runs of 5-40 ms, and with KFPM_BENCH_BASELINE_BIN 20 more; the PostgreSQL section ~2.5 min (3 floor
# copies, 3 imports of ~30 s). About 5 min with a cached workload and a built binary. KFPM_BENCH_RSS_GB=1 adds ~45 s
# of generation (cached too) and one import of 13.9M rows (~80-110 s). The big files take ~10 s to write (once:
# they are kept beside the workload) and 12 ingests of 3-4 s (~45 s).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
script_start=$SECONDS
trap 'echo "bench.sh: failed (exit $?) at line $LINENO: ${BASH_COMMAND:0:100}" >&2' ERR

say() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

runs="${KFPM_BENCH_RUNS:-100000}"
repeat="${KFPM_BENCH_REPEAT:-5}"
rss_gb="${KFPM_BENCH_RSS_GB:-}"
scratch="${KFPM_BENCH_SCRATCH:-.build-bench}"
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 20 ]] || { echo "bench.sh: KFPM_BENCH_RUNS must be a number >= 20" >&2; exit 2; }
[[ "$repeat" =~ ^[0-9]+$ && "$repeat" -ge 1 ]] || { echo "bench.sh: KFPM_BENCH_REPEAT must be a number >= 1" >&2; exit 2; }
[[ -z "$rss_gb" || "$rss_gb" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench.sh: KFPM_BENCH_RSS_GB must be a number of GB" >&2; exit 2; }

# MARK: - Dependencies: the -dev packages, then the sqlite3 CLI, python3 and GNU time.
"$repo/Scripts/ensure-deps.sh"
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v python3 >/dev/null || missing+=(python3)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# MARK: - Build
build_start=$SECONDS
if [ -n "${KFPM_BENCH_BIN:-}" ]; then
    kfpm="$(cd "$(dirname "$KFPM_BENCH_BIN")" && pwd)/$(basename "$KFPM_BENCH_BIN")"
    say "measuring $kfpm (KFPM_BENCH_BIN; no build)"
else
    # The build users install (Scripts/build-release.sh).
    say "building kfpm as Scripts/build-release.sh does (scratch path $scratch)"
    kfpm="$(KFPM_INSTALL_SCRATCH="$scratch" "$repo/Scripts/build-release.sh")"
fi
[ -x "$kfpm" ] || { echo "bench.sh: no kfpm binary at $kfpm" >&2; exit 1; }
build_secs=$((SECONDS - build_start))
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit+uncommitted changes"
fi
[ -z "${KFPM_BENCH_BIN:-}" ] || commit="$kfpm (KFPM_BENCH_BIN; the repo is at $commit)"

# MARK: - Work folder
if [ -n "${KFPM_BENCH_DIR:-}" ]; then
    bench_dir="$KFPM_BENCH_DIR"
    mkdir -p "$bench_dir"
    bench_dir="$(cd "$bench_dir" && pwd)"
    owned=0
else
    bench_dir="$(mktemp -d "${TMPDIR:-/tmp}/kfpm-bench.XXXXXX")"
    owned=1
fi
work="$bench_dir/stores.$$"
mkdir -p "$work"
pg_dir=""
pg_owned=0
cleanup() {
    if [ -n "$pg_dir" ]; then
        "$repo/Scripts/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true
        [ "$pg_owned" = 1 ] && rm -rf "$pg_dir"
    fi
    if [ "${KFPM_BENCH_KEEP:-0}" = 1 ]; then
        say "kept $bench_dir"
    elif [ "$owned" = 1 ]; then
        rm -rf "$bench_dir"
    else
        rm -rf "$work" "$bench_dir"/.staging.*
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A Swift "hello world" built the way build-release.sh builds kfpm (release, the runtime linked in, -no-pie,
# nothing exported): the floor `kfpm --version` is timed against.
hello="$work/hello"
printf 'print("hello, world")\n' >"$work/hello.swift"
swiftc -O -static-stdlib -Xclang-linker -no-pie -Xlinker --no-export-dynamic "$work/hello.swift" -o "$hello" \
    -module-cache-path "$work/module-cache" >&2

free_kb="$(df -Pk "$bench_dir" | awk 'NR==2 {print $4}')"
need_kb=$((runs * 12 + 2000000))  # ~8 KB of disk per run folder, the CSV, and 2 stores
need_kb=$((need_kb + ${KFPM_BENCH_BIGFILE_METRICS:-805000} / 2))  # the 3 big files and a store of one (~500 B a metric)
# The peak-RSS workload: ~2.3 GB of folders and files per GB of JSON, and its store.
[ -z "$rss_gb" ] || need_kb=$((need_kb + $(python3 -c "print(int(float('$rss_gb') * 4_000_000))")))
if [ "$free_kb" -lt "$need_kb" ]; then
    echo "bench.sh: $bench_dir has $((free_kb / 1024)) MB free; this workload needs about $((need_kb / 1024)) MB" >&2
    exit 1
fi

# MARK: - Workloads (deterministic; reused when present)
gen_version="$(sha256sum "$repo/Scripts/bench/generate.py" | cut -c1-12)"
gen_start=$SECONDS
# workload NAME ARGS...: generates into $bench_dir/NAME unless it is already complete (has manifest.json).
workload() {
    local name="$1"; shift
    local dir="$bench_dir/$name"
    if [ -f "$dir/manifest.json" ]; then
        say "reusing the workload $dir"
    else
        rm -rf "$dir"
        local staging="$bench_dir/.staging.$$"
        rm -rf "$staging"
        say "generating the workload $name"
        python3 "$repo/Scripts/bench/generate.py" "$staging" "$@"
        mv "$staging" "$dir"
    fi
}
workload "workload-r$runs-$gen_version" --runs "$runs"
rss_args=()
if [ -n "$rss_gb" ]; then
    target_bytes="$(python3 -c "print(int(float('$rss_gb') * 1e9))")"
    workload "rss-${rss_gb}gb-$gen_version" --runs 20 --target-bytes "$target_bytes" --no-csv
    rss_args=(--rss-workload "$bench_dir/rss-${rss_gb}gb-$gen_version")
fi
mlflow_runs="${KFPM_BENCH_MLFLOW_RUNS:-10000}"
mlflow_args=()
if [ "$mlflow_runs" != 0 ]; then
    [[ "$mlflow_runs" =~ ^[0-9]+$ ]] || { echo "bench.sh: KFPM_BENCH_MLFLOW_RUNS must be a number" >&2; exit 2; }
    mlflow_root="${KFPM_BENCH_MLFLOW_DIR:-${KFPM_BENCH_DIR:-/tmp/kb-mlflow}}"
    mkdir -p "$mlflow_root"
    mlflow_version="$(sha256sum "$repo/Scripts/bench/generate_mlflow.py" | cut -c1-12)"
    mlflow_dir="$mlflow_root/mlflow-r$mlflow_runs-$mlflow_version"
    if [ -f "$mlflow_dir/manifest.json" ]; then
        say "reusing the MLflow workload $mlflow_dir"
    else
        rm -rf "$mlflow_dir" "$mlflow_root/.staging-mlflow.$$"
        say "generating the MLflow workload ($mlflow_runs runs) into $mlflow_dir"
        python3 "$repo/Scripts/bench/generate_mlflow.py" "$mlflow_root/.staging-mlflow.$$" --runs "$mlflow_runs"
        mv "$mlflow_root/.staging-mlflow.$$" "$mlflow_dir"
    fi
    mlflow_args=(--mlflow-workload "$mlflow_dir" --mlflow-repeat "${KFPM_BENCH_MLFLOW_REPEAT:-3}")
fi
# One big file in each format (a few seconds each to write; kept beside the other workloads).
bigfile_metrics="${KFPM_BENCH_BIGFILE_METRICS:-805000}"
bigfile_args=()
if [ "$bigfile_metrics" != 0 ]; then
    [[ "$bigfile_metrics" =~ ^[0-9]+$ ]] || { echo "bench.sh: KFPM_BENCH_BIGFILE_METRICS must be a number" >&2; exit 2; }
    bigfile_version="$(sha256sum "$repo/Scripts/bench/bigfile.py" | cut -c1-12)"
    bigfile_dir="$bench_dir/bigfile-m$bigfile_metrics-$bigfile_version"
    for format in kfp-v2 flat kfp-v1; do
        if [ ! -f "$bigfile_dir/$format.json" ]; then
            mkdir -p "$bigfile_dir"
            say "generating the big file ($format, $bigfile_metrics metrics)"
            python3 "$repo/Scripts/bench/bigfile.py" "$bigfile_dir/.staging.$$" --format "$format" --metrics "$bigfile_metrics"
            mv "$bigfile_dir/.staging.$$" "$bigfile_dir/$format.json"
        fi
    done
    bigfile_args=(--bigfile-dir "$bigfile_dir" --bigfile-repeat "${KFPM_BENCH_BIGFILE_REPEAT:-3}")
fi
gen_secs=$((SECONDS - gen_start))

# MARK: - PostgreSQL: a throwaway cluster on a unix socket (fsync off), stopped at the end
pg_args=()
if [ "${KFPM_BENCH_PG:-1}" != 0 ] && { [ -n "${PG_BINDIR:-}" ] || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }; then
    if [ -n "${KFPM_BENCH_PG_DIR:-}" ]; then
        pg_dir="$KFPM_BENCH_PG_DIR"
    else
        pg_dir="$(mktemp -d /tmp/kfpm-bench-pg.XXXXXX)"
        pg_owned=1
    fi
    say "starting a PostgreSQL cluster in $pg_dir"
    pg_uri="$("$repo/Scripts/pg-cluster.sh" start "$pg_dir")"
    pg_args=(--postgres "$pg_uri" --pg-import-repeat "${KFPM_BENCH_PG_REPEAT:-2}")
else
    say "no PostgreSQL section (KFPM_BENCH_PG=0, or no server binaries: apt-get install postgresql)"
fi
[ -z "${KFPM_BENCH_BASELINE_BIN:-}" ] || pg_args+=(--baseline-kfpm "$KFPM_BENCH_BASELINE_BIN")

# MARK: - Measure
say "measuring (this takes a while at full size; progress below)"
harness_start=$SECONDS
python3 "$repo/Scripts/bench/harness.py" --kfpm "$kfpm" --workload "$bench_dir/workload-r$runs-$gen_version" \
    --work "$work" --repeat "$repeat" --commit "$commit" --ingest-max "${KFPM_BENCH_INGEST_MAX:-5000}" --hello "$hello" \
    "${rss_args[@]}" "${mlflow_args[@]}" "${pg_args[@]}" "${bigfile_args[@]}"
echo "- bench.sh took $((SECONDS - script_start)) s: build ${build_secs} s, workload generation ${gen_secs} s, measuring $((SECONDS - harness_start)) s."
