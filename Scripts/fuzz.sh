#!/usr/bin/env bash
# Fuzzes everything that reads untrusted bytes (format detection, gzip, tar, the JSON parser, the KFP v1,
# KFP v1 artifact, KFP v2 and flat readers, the YAML reader, dvclive's series and params.yaml, MLflow's metric
# files) with libFuzzer + AddressSanitizer for a fixed time budget.
#
#   Scripts/fuzz.sh            # 60 seconds
#   Scripts/fuzz.sh 600        # or KFPM_FUZZ_SECONDS=600 Scripts/fuzz.sh
#
# The target (Fuzz/FuzzIngest.swift) is compiled with swiftc together with the two layers the readers live in,
# Sources/KFPModel and Sources/KFPIngest, as one module (their `import KFPModel` lines dropped), so it is not a
# SwiftPM target and `swift build` never sees it. The corpus starts from every file under
# fixtures/ plus the tars inside the .tgz fixtures, and is kept in $KFPM_FUZZ_WORK/corpus between runs.
# A crash, trap, sanitizer report or hang (over 10 s for one input) stops the run with exit code 1 and leaves
# the input in $KFPM_FUZZ_WORK/artifacts; turn it into a fixture under fixtures/bad-input/ and fix the bug.
# Other settings: KFPM_FUZZ_WORK (default .build-fuzz, git-ignored), KFPM_FUZZ_SANITIZERS (default
# fuzzer,address; "fuzzer" alone if ASan is unavailable), KFPM_FUZZ_JOBS (parallel fuzzers, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

budget="${1:-${KFPM_FUZZ_SECONDS:-60}}"
work="${KFPM_FUZZ_WORK:-.build-fuzz}"
sanitizers="${KFPM_FUZZ_SANITIZERS:-fuzzer,address}"
jobs="${KFPM_FUZZ_JOBS:-1}"
case "$budget" in '' | *[!0-9]*) echo "fuzz.sh: the budget must be whole seconds, not '$budget'" >&2; exit 64 ;; esac

Scripts/ensure-deps.sh >/dev/null
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"

# MARK: - Build
# The sources are copied first, so that an edit in the work tree during the build cannot break it, and the
# target is rebuilt only when their content changed.
sources=(Sources/KFPModel/*.swift $(find Sources/KFPIngest -name '*.swift' | sort) Fuzz/FuzzIngest.swift)
binary="$work/fuzz-ingest"
rm -rf "$work/src" && mkdir -p "$work/src"
for file in "${sources[@]}"; do grep -v '^import KFPModel$' "$file" >"$work/src/$(printf '%s' "$file" | tr '/' '_')"; done
# KFPModel's C helper (CNumberFormat): its header with a module map of its own, and its object file.
mkdir -p "$work/cnumberformat"
cp Sources/CNumberFormat/include/CNumberFormat.h Sources/CNumberFormat/NumberFormat.c "$work/cnumberformat/"
printf 'module CNumberFormat {\n    header "CNumberFormat.h"\n    export *\n}\n' >"$work/cnumberformat/module.modulemap"
stamp="$(cat "$work"/src/*.swift "$work"/cnumberformat/* | sha256sum | cut -d' ' -f1)-$sanitizers"
if [ ! -x "$binary" ] || [ "$(cat "$binary.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "fuzz.sh: building $binary (-sanitize=$sanitizers)" >&2
    rm -f "$binary" "$binary.stamp"
    clang -O2 -g -c "$work/cnumberformat/NumberFormat.c" -I "$work/cnumberformat" -o "$work/cnumberformat/NumberFormat.o"
    swiftc -sanitize="$sanitizers" -parse-as-library -module-name KFPIngest -package-name kfpm -O -g \
        -I Sources/CZlib -I Sources/CSQLite -I "$work/cnumberformat" "$work"/src/*.swift \
        "$work/cnumberformat/NumberFormat.o" -lz -lsqlite3 -o "$binary" 2>&1 \
        | { grep -v -e 'Cannot export local symbol' -e '^warning: ' || true; }
    [ -x "$binary" ] || { echo "fuzz.sh: the build failed" >&2; exit 2; }
    printf '%s' "$stamp" >"$binary.stamp"
fi

# MARK: - Seeds
rm -f "$work"/seeds/*
while IFS= read -r -d '' file; do
    name="$(printf '%s' "${file#fixtures/}" | tr '/' '_')"
    cp "$file" "$work/seeds/$name"
    case "$file" in
        *.tgz | *.tar.gz) gzip -dc "$file" >"$work/seeds/$name.tar" 2>/dev/null || rm -f "$work/seeds/$name.tar" ;;
    esac
done < <(find fixtures -type f ! -path 'fixtures/expected/*' ! -name '*.md' -size -1000k -print0)

# MARK: - Run
echo "fuzz.sh: fuzzing for ${budget}s with $(ls "$work/seeds" | wc -l) seeds and $(ls "$work/corpus" | wc -l) corpus inputs" >&2
args=(-max_total_time="$budget" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -dict=Fuzz/metrics.dict
    -artifact_prefix="$work/artifacts/" -print_final_stats=1)
if [ "$jobs" -gt 1 ]; then args+=(-jobs="$jobs" -workers="$jobs"); fi
# Swift's own crash backtracer is off: libFuzzer reports the crash and saves the input itself.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" \
    "$binary" "${args[@]}" "$work/corpus" "$work/seeds"
