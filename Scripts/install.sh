#!/usr/bin/env bash
# Installs kfpm under PREFIX (default /usr/local): the binary as PREFIX/bin/kfpm — a stripped release build
# with the Swift runtime linked in (--static-swift-stdlib), so that it runs on a machine without the Swift
# toolchain and starts about twice as fast — plus bash, zsh and fish completions and a man page, each in its
# usual place under PREFIX. Run as a user who can write to PREFIX.
#
#   Scripts/install.sh                 # /usr/local/bin/kfpm
#   Scripts/install.sh "$HOME/.local"  # ~/.local/bin/kfpm
#
# The build goes to .build-release (KFPM_INSTALL_SCRATCH changes it); Scripts/run.sh uses the same build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-/usr/local}"
scratch="${KFPM_INSTALL_SCRATCH:-$repo/.build-release}"
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"

"$repo/Scripts/ensure-deps.sh"
kfpm="$("$repo/Scripts/build-release.sh")"

# The binary, stripped of its symbols (a fifth of its size).
install -d "$prefix/bin"
install -m 0755 "$kfpm" "$prefix/bin/kfpm"
strip "$prefix/bin/kfpm"
if ldd "$prefix/bin/kfpm" | grep -q libswift; then
    echo "install.sh: $prefix/bin/kfpm still links a Swift library:" >&2
    ldd "$prefix/bin/kfpm" >&2
    exit 1
fi

# Completions: kfpm writes them itself; they complete run, experiment and metric names from the store too.
install -d "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
    "$prefix/share/fish/vendor_completions.d" "$prefix/share/man/man1"
"$prefix/bin/kfpm" --generate-completion-script bash >"$prefix/share/bash-completion/completions/kfpm"
"$prefix/bin/kfpm" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_kfpm"
"$prefix/bin/kfpm" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/kfpm.fish"

# The man page, made from the commands' own help by argument-parser's generate-manual tool (dated by the last
# commit, so that the page does not change between builds of one version).
swift build --package-path "$repo" --scratch-path "$scratch" --product generate-manual >&2
date="$(git -C "$repo" log -1 --format=%cs 2>/dev/null || date -u +%F)"
manual="$(mktemp -d)"
trap 'rm -rf "$manual"' EXIT
"$(swift build --package-path "$repo" --scratch-path "$scratch" --show-bin-path)/generate-manual" "$prefix/bin/kfpm" \
    --date "$date" --output-directory "$manual" >&2
install -m 0644 "$manual/kfpm.1" "$prefix/share/man/man1/kfpm.1"

echo "installed $prefix/bin/kfpm ($("$prefix/bin/kfpm" --version)), its completions and man page" >&2
