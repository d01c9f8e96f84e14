#!/usr/bin/env bash
# Installs the system libraries kfpm links (SQLite and zlib headers) and libpq's headers (libpq-dev, which brings
# libpq5, loaded when a postgresql:// store is opened), and the sqlite3 shell the tests use, when they are missing
# (Debian/Ubuntu). The PostgreSQL server for the tests (postgresql) is optional locally; CI installs it (.ci/run).
set -euo pipefail
missing=()
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -f /usr/include/postgresql/libpq-fe.h ] || [ -f /usr/include/libpq-fe.h ] || missing+=(libpq-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
# The tests check stores with SQLite's own shell (PRAGMA integrity_check after a crash, corrupted stores).
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
