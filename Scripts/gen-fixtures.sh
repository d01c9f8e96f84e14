#!/usr/bin/env bash
# Regenerates fixtures/ with the real Python SDKs (see fixtures/README.md).
#
#   Scripts/gen-fixtures.sh
#
# Environment:
#   KFPM_FIXTURE_VENVS  directory for the four virtualenvs (kept and reused);
#                       default: a temp dir that is removed afterwards.
#   PYTHON              interpreter used to create the venvs (default python3;
#                       the pins in Scripts/fixtures/requirements-*.txt are for 3.11).
#
# Writes only fixtures/{kfp-v1,kfp-v2,dvclive,dvclive-params,mlflow,invalid}/,
# fixtures/expected.json and fixtures/README.md. Everything is built in a
# scratch dir first and checked (Scripts/fixtures/finalize.py) before it
# replaces the old files. It also checks that Scripts/bench/mlflow-schema.sql
# is still the schema the pinned MLflow makes (if not, it writes the new one
# there and stops), and that the real MLflow reads a small store written by
# Scripts/bench/generate_mlflow.py exactly.
set -euo pipefail

start=$SECONDS
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GEN="$REPO_ROOT/Scripts/fixtures"
PYTHON="${PYTHON:-python3}"

# Pinned top-level versions (full environments: Scripts/fixtures/requirements-*.txt).
KFP_V1_VERSION=1.8.22
KFP_V2_VERSION=2.17.3
DVCLIVE_VERSION=3.49.1
MLFLOW_VERSION=3.17.2   # mlflow-skinny, plus SQLAlchemy and alembic for the sqlite: store

py_version="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
case "$py_version" in
  3.11.*) ;;
  *) echo "warning: $PYTHON is Python $py_version; the pinned environments were resolved for 3.11" >&2 ;;
esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kfpm-fixtures.XXXXXX")"
if [[ -n "${KFPM_FIXTURE_VENVS:-}" ]]; then
  VENVS="$KFPM_FIXTURE_VENVS"
  mkdir -p "$VENVS"
else
  VENVS="$WORK/venvs"
fi
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

export PYTHONNOUSERSITE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 DVC_NO_ANALYTICS=1
unset PYTHONPATH VIRTUAL_ENV || true

make_venv() { # name requirements-file
  local dir="$VENVS/$1"
  if [[ ! -x "$dir/bin/python" ]]; then
    echo "==> creating venv $dir"
    "$PYTHON" -m venv "$dir"
  fi
  echo "==> installing $(grep -E '^(kfp|dvclive|mlflow-skinny)==' "$2" | tr '\n' ' ')into $dir"
  "$dir/bin/python" -m pip install --quiet -r "$2"
}

make_venv kfp-v1  "$GEN/requirements-kfp1.txt"
make_venv kfp-v2  "$GEN/requirements-kfp2.txt"
make_venv dvclive "$GEN/requirements-dvclive.txt"
make_venv mlflow  "$GEN/requirements-mlflow.txt"

pkg_version() { "$VENVS/$1/bin/python" -c 'import sys, importlib.metadata as m; print(m.version(sys.argv[1]))' "$2"; }
got_v1="$(pkg_version kfp-v1 kfp)"
got_v2="$(pkg_version kfp-v2 kfp)"
got_dvclive="$(pkg_version dvclive dvclive)"
got_mlflow="$(pkg_version mlflow mlflow-skinny)"
for pair in "$got_v1:$KFP_V1_VERSION" "$got_v2:$KFP_V2_VERSION" "$got_dvclive:$DVCLIVE_VERSION" "$got_mlflow:$MLFLOW_VERSION"; do
  [[ "${pair%%:*}" == "${pair#*:}" ]] || { echo "version mismatch: got ${pair%%:*}, pinned ${pair#*:}" >&2; exit 1; }
done
echo "==> versions: python $py_version, kfp $got_v1 (v1), kfp $got_v2 (v2, kfp-pipeline-spec $(pkg_version kfp-v2 kfp-pipeline-spec)), dvclive $got_dvclive (dvc $(pkg_version dvclive dvc)), mlflow-skinny $got_mlflow (SQLAlchemy $(pkg_version mlflow SQLAlchemy), alembic $(pkg_version mlflow alembic))"

OUT="$WORK/fixtures"
META="$WORK/meta"
mkdir -p "$OUT" "$META" "$WORK/scratch" "$WORK/tmp"
# The components' own command lines call mktemp (v1: the program file, v2: a
# dir with ephemeral_component.py) and the kfp local runner makes a
# kfp-workspace-* dir; keep all of that inside $WORK so it is cleaned up.
export TMPDIR="$WORK/tmp"
cd "$WORK/scratch"   # generators never run inside the repo

run_gen() { # venv-name script
  echo "==> $2 ($1)"
  "$VENVS/$1/bin/python" "$GEN/$2" --out "$OUT" --work "$WORK/scratch" --meta "$META" \
    > "$WORK/$2.log" 2>&1 || { cat "$WORK/$2.log" >&2; echo "$2 failed" >&2; exit 1; }
}
run_gen kfp-v1  gen_kfp_v1.py
run_gen kfp-v2  gen_kfp_v2.py
run_gen dvclive gen_dvclive.py
run_gen mlflow  gen_mlflow.py

echo "==> Scripts/bench/mlflow-schema.sql vs the empty store mlflow-skinny $got_mlflow makes"
# Compared up to the order of constraints and indexes, which MLflow's own
# migrations change from run to run (Scripts/bench/mlflow_schema.py).
if ! "$PYTHON" "$REPO_ROOT/Scripts/bench/mlflow_schema.py" "$REPO_ROOT/Scripts/bench/mlflow-schema.sql" "$META/mlflow-schema.sql"; then
  cp "$META/mlflow-schema.sql" "$REPO_ROOT/Scripts/bench/mlflow-schema.sql"
  echo "MLflow's SQLite schema changed: Scripts/bench/mlflow-schema.sql is now the new one." \
       "Review the diff, check Scripts/bench/generate_mlflow.py against it, and run this again." >&2
  exit 1
fi
echo "==> Scripts/bench/generate_mlflow.py (20 runs) read back by MLflow"
"$PYTHON" "$REPO_ROOT/Scripts/bench/generate_mlflow.py" "$WORK/bench-mlflow" --runs 20 --steps 30 --jobs 1 \
  > "$WORK/bench-mlflow.log" 2>&1 || { cat "$WORK/bench-mlflow.log" >&2; exit 1; }
"$VENVS/mlflow/bin/python" "$REPO_ROOT/Scripts/bench/check_mlflow_workload.py" "$WORK/bench-mlflow" \
  > "$WORK/bench-mlflow-check.log" 2>&1 || { cat "$WORK/bench-mlflow-check.log" >&2; exit 1; }
grep -v 'INFO mlflow' "$WORK/bench-mlflow-check.log"
echo "==> gen_misc.py ($PYTHON)"
"$PYTHON" "$GEN/gen_misc.py" --out "$OUT" --work "$WORK/scratch" --meta "$META"

echo "==> finalize.py (write expected.json + READMEs, check every file)"
"$PYTHON" "$GEN/finalize.py" --out "$OUT" --meta "$META" \
  --version "python=$py_version" --version "kfp_v1=$got_v1" \
  --version "kfp_v2=$got_v2" --version "dvclive=$got_dvclive" --version "mlflow=$got_mlflow"

DEST="$REPO_ROOT/fixtures"
mkdir -p "$DEST"
rm -rf "$DEST/kfp-v1" "$DEST/kfp-v2" "$DEST/dvclive" "$DEST/dvclive-params" "$DEST/mlflow" \
       "$DEST/invalid" "$DEST/expected.json" "$DEST/README.md"
cp -R "$OUT/." "$DEST/"

echo "==> wrote $(find "$OUT" -type f | wc -l | tr -d ' ') files under fixtures/ in $((SECONDS - start))s"
echo "    kfp==$got_v1  kfp==$got_v2  dvclive==$got_dvclive  mlflow-skinny==$got_mlflow  (python $py_version)"
