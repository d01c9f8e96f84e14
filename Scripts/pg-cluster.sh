#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, reached only through a unix socket in its own folder (no TCP port).
#
#   pg-cluster.sh start DIR   initialise DIR on first use, start the server, print its connection URI
#   pg-cluster.sh stop DIR    stop the server (fast shutdown); does nothing when it is not running
#   pg-cluster.sh kill DIR    stop the server at once (immediate shutdown, as a crash), for fault tests
#   pg-cluster.sh env DIR     print shell exports (PGHOST, PGUSER, …) and the URIs for the cluster in DIR
#
# A new cluster also gets the database `kfpm_test`, created with an en-US ICU collation, which sorts text unlike
# byte order (`a` < `B`): kfpm's output must not depend on a database's collation, and the tests check that there.
#
# The superuser is `postgres` (trust authentication over the socket); the role `kfpm_pw` needs its password
# ($PG_CLUSTER_PASSWORD, default kfpm-test-password, SCRAM). Durability is off (fsync, full-page writes): a
# machine crash may lose the cluster, which is fine for a scratch one. Run as root, the server runs as the
# `postgres` user (created, as a system user, when missing), and DIR is handed to it. The server binaries are
# taken from $PG_BINDIR, or else the newest /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql).
set -euo pipefail

usage() { echo "usage: $0 start|stop|kill|env DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=$2
password=${PG_CLUSTER_PASSWORD:-kfpm-test-password}
port=5432

# MARK: - Locate the server binaries and the user to run them as

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "pg-cluster: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)" >&2
    exit 1
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
data="$dir/data"
log="$dir/server.log"
# A unix socket path holds at most 107 bytes.
if [ $(( ${#dir} + 15 )) -gt 107 ]; then
    echo "pg-cluster: $dir is too long a path for the server's unix socket (at most 92 characters)" >&2
    exit 1
fi

# as_server CMD…: runs CMD as the user that owns the cluster (the postgres user when we are root).
if [ "$(id -u)" -eq 0 ]; then
    server_user=postgres
    if ! id "$server_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$server_user"
    fi
    as_server() { (cd / && runuser -u "$server_user" -- "$@"); }
else
    server_user=$(id -un)
    as_server() { "$@"; }
fi

uri="postgresql://postgres@/postgres?host=$dir"
password_uri="postgresql://kfpm_pw:$password@/postgres?host=$dir"

# start_server: pg_ctl start, with every inherited descriptor above stderr closed first, so that the long-lived
# server keeps none of the caller's pipes or sockets open (Foundation's Process, for one, waits for EOF on a socket
# its child inherits, and would hang until the server stopped). 255 is bash's handle on this script.
start_server() (
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    as_server "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
)

is_running() { [ -f "$data/PG_VERSION" ] && as_server "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# MARK: - Commands

case $command in
start)
    if [ ! -f "$data/PG_VERSION" ]; then
        rm -rf "$data"
        chown "$server_user" "$dir"
        chmod 0700 "$dir"
        if ! as_server test -w "$dir"; then
            echo "pg-cluster: the $server_user user cannot write $dir (is a parent folder closed to it?)" >&2
            exit 1
        fi
        as_server "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
        cat >>"$data/postgresql.conf" <<CONF
# pg-cluster.sh: a scratch cluster on a unix socket only, without durability.
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
full_page_writes = off
max_connections = 100
shared_buffers = 64MB
log_min_messages = warning
CONF
        cat >"$data/pg_hba.conf" <<HBA
# TYPE  DATABASE  USER     METHOD
local   all       kfpm_pw  scram-sha-256
local   all       all      trust
HBA
        fresh=1
    fi
    if ! is_running; then
        start_server || { tail -n 20 "$log" >&2; exit 1; }
    fi
    if [ "${fresh:-0}" = 1 ]; then
        as_server "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
            -c "CREATE ROLE kfpm_pw LOGIN PASSWORD '$password'" \
            -c "CREATE DATABASE kfpm_test TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'" >/dev/null
    fi
    echo "$uri"
    ;;
stop | kill)
    mode=fast
    [ "$command" = kill ] && mode=immediate
    if is_running; then
        as_server "$bindir/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null
    else
        echo "pg-cluster: no server running in $dir" >&2
    fi
    ;;
env)
    echo "export PGHOST='$dir' PGPORT=$port PGUSER=postgres PGDATABASE=postgres"
    echo "export PG_CLUSTER_URI='$uri'"
    echo "export PG_CLUSTER_PASSWORD_URI='$password_uri'"
    echo "export PG_BINDIR='$bindir'"
    ;;
*)
    usage
    ;;
esac
