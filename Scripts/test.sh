#!/usr/bin/env bash
# Runs every test: unit, golden and end-to-end (the end-to-end tests run the built kfpm binary).
# This is the command CI runs (.ci/run) and the README gives.
#
# When the PostgreSQL server binaries are installed (Debian: apt-get install postgresql), a throwaway cluster is
# started for the run (Scripts/pg-cluster.sh: initdb into a temporary folder, a unix socket in it, fsync off, as the
# postgres user when run as root; about 1 s) and stopped on exit, whatever happens. The tests reach it through
# KFPM_TEST_POSTGRES_URI: its database kfpm_test has an en-US ICU collation, and every contract test and golden
# case runs on it as well as on SQLite. Without the binaries the PostgreSQL tests are reported as skipped, with the
# reason; with KFPM_REQUIRE_POSTGRES=1 (CI) a server that cannot start fails the run instead.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/ensure-deps.sh
swift build --build-tests

# MARK: - The throwaway PostgreSQL cluster
no_server() {
    if [ "${KFPM_REQUIRE_POSTGRES:-0}" = 1 ]; then
        echo "test.sh: KFPM_REQUIRE_POSTGRES=1, but $1" >&2
        exit 1
    fi
    echo "test.sh: $1; the PostgreSQL tests will be skipped" >&2
    export KFPM_TEST_POSTGRES_SKIP="$1"
}
unset KFPM_TEST_POSTGRES_URI
if [ -n "${PG_BINDIR:-}" ] || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    pg_dir="$(mktemp -d /tmp/kfpm-pg.XXXXXX)"
    stop_cluster() {
        Scripts/pg-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    }
    trap stop_cluster EXIT
    if Scripts/pg-cluster.sh start "$pg_dir" >/dev/null; then
        export KFPM_TEST_POSTGRES_URI="postgresql://postgres@/kfpm_test?host=$pg_dir"
        echo "test.sh: PostgreSQL tests against a throwaway cluster in $pg_dir" >&2
    else
        no_server "the throwaway PostgreSQL cluster did not start"
    fi
else
    no_server "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
fi

swift test --skip-build "$@"
