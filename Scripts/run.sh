#!/usr/bin/env bash
# The main job: build kfpm, ingest the bundled real fixtures (KFP v1, KFP v1 artifact, KFP v2, dvclive) into the
# default store (kfpm.db in the working directory), and show them. Safe to run again: re-ingesting the same
# content changes nothing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
"$repo/Scripts/ensure-deps.sh"
# The build users install (Scripts/install.sh): release, the Swift runtime linked in.
kfpm="$("$repo/Scripts/build-release.sh")"
fx="$repo/fixtures"

ingest() {  # run-name, then files and flags
    "$kfpm" ingest "$@"
}
ingest kfp-v1-run "$fx/kfp-v1/accuracy.json" --label source=kfp-v1 --label branch=main
ingest kfp-v1-artifact-run "$fx/kfp-v1/mlpipeline-metrics.tgz" --label source=kfp-v1-artifact --label branch=main
ingest kfp-v2-run "$fx/kfp-v2/executor_output_with_classification.json" --label source=kfp-v2 --label branch=dev
ingest kfp-v2-pipeline-run "$(ls -d "$fx"/kfp-v2/local-outputs/*/ | head -n 1)" --label source=kfp-v2-local-runner
ingest dvclive-run "$fx/dvclive/metrics.json" --label source=dvclive

for run in kfp-v1-run kfp-v1-artifact-run kfp-v2-run kfp-v2-pipeline-run dvclive-run; do
    echo
    "$kfpm" show "$run"
done

# A synthetic series in experiment "demo", to show the read side: runs, top metrics, a comparison, a history.
for run in run-40 run-41 run-42; do
    ingest "$run" "$fx/synthetic/$run.json" -e demo --label branch=main
done
echo
"$kfpm" experiments
echo
"$kfpm" runs -e demo --metrics all
echo
"$kfpm" top -e demo
echo
"$kfpm" compare -e demo run-41 run-42
echo
"$kfpm" history -e demo accuracy-score
