#!/usr/bin/env bash
# Runs every test: unit, golden and end-to-end (the end-to-end tests run the built kfpm binary).
# This is the command CI runs (.ci/run) and the README gives.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
