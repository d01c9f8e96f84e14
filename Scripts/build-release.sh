#!/usr/bin/env bash
# Builds the kfpm that users install into .build-release (KFPM_INSTALL_SCRATCH changes it), and prints the
# binary's path. Used by install.sh, run.sh and bench.sh. Release, and built for start-up time (README
# "Performance"): every command pays it, and `kfpm --version` takes ~1.1x a Swift "hello world" built this way
# against ~2x with SwiftPM's defaults.
#   --static-swift-stdlib         the Swift runtime linked in: no dynamic Swift libraries to load and bind.
#   the system's libsqlite3.a     linked in when libsqlite3-dev ships it (Debian does): the shared library's
#                                 ~1,600 symbol bindings at every start are half of what the loader does.
#                                 The SQLite is the system's, as in the debug build, fixed at build time.
#   -no-pie                       a position-dependent executable: a PIE makes the loader apply ~79,000
#                                 relocations at every start. The executable's own code then loads at a fixed
#                                 address (shared libraries, stack and heap are still randomised).
#   --no-export-dynamic           the static Swift runtime's link flags export every symbol of ours (~4,900) to
#                                 the dynamic symbol table; nothing loads against them.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${KFPM_INSTALL_SCRATCH:-$repo/.build-release}"
mkdir -p "$scratch"
scratch="$(cd "$scratch" && pwd)"
flags=(-c release --static-swift-stdlib --package-path "$repo" --scratch-path "$scratch"
    -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xlinker --no-export-dynamic)

# SwiftPM asks pkg-config how to link sqlite3: a sqlite3.pc of ours, first on PKG_CONFIG_PATH, names a folder
# that holds only the system's libsqlite3.a, so the linker takes the archive.
libdir="$(pkg-config --variable=libdir sqlite3 2>/dev/null || true)"
static_sqlite=""
if [ "$(uname -s)" = Linux ] && [ -n "$libdir" ] && [ -f "$libdir/libsqlite3.a" ]; then
    static_sqlite="$scratch/static-sqlite"
    mkdir -p "$static_sqlite"
    ln -sf "$libdir/libsqlite3.a" "$static_sqlite/libsqlite3.a"
    {
        echo "Name: SQLite"
        echo "Description: the system's SQLite, linked statically into kfpm"
        echo "Version: $(pkg-config --modversion sqlite3)"
        echo "Libs: -L$static_sqlite -lsqlite3 $(pkg-config --libs-only-l --static sqlite3 | sed 's/-lsqlite3//')"
        echo "Cflags: $(pkg-config --cflags sqlite3)"
    } >"$static_sqlite/sqlite3.pc"
    export PKG_CONFIG_PATH="$static_sqlite${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
else
    echo "build-release.sh: no libsqlite3.a beside the system's libsqlite3; linking the shared library" >&2
fi

swift build "${flags[@]}" >&2
kfpm="$(swift build "${flags[@]}" --show-bin-path)/kfpm"
if [ -n "$static_sqlite" ] && readelf -d "$kfpm" 2>/dev/null | grep -q 'NEEDED.*libsqlite3'; then
    echo "build-release.sh: warning: kfpm still loads libsqlite3.so (SwiftPM did not link $static_sqlite)" >&2
fi
echo "$kfpm"
