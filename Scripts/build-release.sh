#!/usr/bin/env bash
# Builds the kfpm that users install — release, with the Swift runtime linked in (--static-swift-stdlib) — into
# .build-release (KFPM_INSTALL_SCRATCH changes it), and prints the binary's path. Used by install.sh and run.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${KFPM_INSTALL_SCRATCH:-$repo/.build-release}"
swift build -c release --static-swift-stdlib --package-path "$repo" --scratch-path "$scratch" >&2
echo "$(swift build -c release --static-swift-stdlib --package-path "$repo" --scratch-path "$scratch" --show-bin-path)/kfpm"
