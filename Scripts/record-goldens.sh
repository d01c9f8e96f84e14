#!/usr/bin/env bash
# Re-records the golden files under fixtures/expected/ from the current renderers. Run it only on purpose,
# then review `git diff fixtures/expected` before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
KFPM_RECORD=1 swift test --skip-build --filter 'Golden|RenderTests' "$@"
git status --short fixtures/expected
