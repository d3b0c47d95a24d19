#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for tests, benchmarks and the demo.
#
#   scripts/pg_cluster.sh start DIR [PORT]   initdb (if needed) and start; writes DIR/dsn
#   scripts/pg_cluster.sh stop DIR           stop and delete the cluster
#   scripts/pg_cluster.sh keep-stop DIR      stop, keep the data (the demo reuses it)
#
# OPTISCHEMA_PG_PRELOAD (default pg_stat_statements) sets shared_preload_libraries; set it empty for
# a server without pg_stat_statements. The cluster listens only on a unix socket inside DIR, runs with fsync off, preloads
# pg_stat_statements and has pg_stat_statements and hypopg created in template1, so every database
# created from it has both. As root, the server runs as the postgres user (initdb refuses root).
#
# PG_BINDIR picks the server (default: Debian's newest); PG_LIBDIR is put on LD_LIBRARY_PATH of the
# server's programs (scripts/pg_versions.sh's packaged servers); OPTISCHEMA_PG_HYPOPG=0 leaves HypoPG
# out. psql comes from PG_BINDIR when it has one, else from PATH.
set -euo pipefail

cmd=${1:?usage: pg_cluster.sh start|stop|keep-stop DIR [PORT]}
dir=${2:?usage: pg_cluster.sh start|stop|keep-stop DIR [PORT]}
port=${3:-5432}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pg_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR"; return; fi
    local best
    best=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$best" ]] || { echo "pg_cluster.sh: no PostgreSQL server found; run scripts/setup.sh" >&2; exit 1; }
    echo "$best"
}
BIN=$(pg_bindir)
PSQL="$BIN/psql"
[[ -x "$PSQL" ]] || PSQL=$(command -v psql) || { echo "pg_cluster.sh: psql is missing: run scripts/setup.sh" >&2; exit 1; }
HYPOPG_SQL="CREATE EXTENSION IF NOT EXISTS hypopg;"
[[ "${OPTISCHEMA_PG_HYPOPG:-1}" == 0 ]] && HYPOPG_SQL=""

as_owner() {
    local env=()
    [[ -n "${PG_LIBDIR:-}" ]] && env=(env "LD_LIBRARY_PATH=$PG_LIBDIR")
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "${env[@]}" "$@"; else "${env[@]}" "$@"; fi
}

# Where the cluster lives: inside DIR when the server's user can reach it and the socket path is
# short enough (107 bytes), else in a private directory under /tmp recorded in DIR/cluster_home.
cluster_home() {
    if [[ -f "$dir/cluster_home" ]]; then cat "$dir/cluster_home"; return; fi
    local home="$dir/cluster"
    local ok=1
    if (( ${#home} > 80 )); then ok=0; fi
    if [[ $ok -eq 1 && $(id -u) -eq 0 ]]; then
        mkdir -p "$home"
        chown postgres: "$home"
        runuser -u postgres -- test -w "$home" || ok=0
    fi
    if [[ $ok -eq 0 ]]; then
        rm -rf "$home"
        home=$(mktemp -d /tmp/optischema-pg.XXXXXX)
        [[ $(id -u) -eq 0 ]] && chown postgres: "$home"
    fi
    mkdir -p "$home"
    echo "$home" > "$dir/cluster_home"
    echo "$home"
}

start() {
    local home data sock
    home=$(cluster_home)
    data="$home/data"
    sock="$home/socket"
    if [[ -f "$data/postmaster.pid" ]]; then
        # A previous run died without stopping its server: stop it before reusing the directory.
        as_owner "$BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        rm -rf "$data"
        as_owner mkdir -p "$data" "$sock"
        as_owner "$BIN/initdb" --nosync -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -D "$data" >"$home/initdb.log" 2>&1 \
            || { cat "$home/initdb.log" >&2; exit 1; }
        as_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 128MB
password_encryption = scram-sha-256
shared_preload_libraries = '${OPTISCHEMA_PG_PRELOAD-pg_stat_statements}'
pg_stat_statements.track = all
pg_stat_statements.max = 10000
pg_stat_statements.track_planning = on
track_io_timing = on
datestyle = 'iso, ymd'
timezone = 'UTC'
lc_messages = 'C'
log_min_messages = warning
CONF
        # One role must authenticate with a password, so tests can provoke a wrong-password error.
        as_owner sed -i '0,/^local/s//local   all             optischema_pw                           scram-sha-256\n&/' "$data/pg_hba.conf"
    fi
    as_owner mkdir -p "$sock"
    as_owner "$BIN/pg_ctl" -D "$data" -l "$home/server.log" -w -t 60 start >/dev/null \
        || { cat "$home/server.log" >&2; exit 1; }
    local dsn="host=$sock port=$port user=postgres dbname=postgres"
    "$PSQL" -X -q -v ON_ERROR_STOP=1 "host=$sock port=$port user=postgres dbname=template1" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
$HYPOPG_SQL
SQL
    "$PSQL" -X -q -v ON_ERROR_STOP=1 "$dsn" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
$HYPOPG_SQL
SQL
    echo "$dsn" > "$dir/dsn"
    echo "PostgreSQL $(as_owner "$BIN/postgres" --version | awk '{print $3}') running: $dsn"
}

stop() {
    local keep=$1
    [[ -f "$dir/cluster_home" ]] || return 0
    local home
    home=$(cat "$dir/cluster_home")
    if [[ -f "$home/data/postmaster.pid" ]]; then
        # A cluster about to be deleted needs no shutdown checkpoint.
        local mode=fast
        [[ $keep -eq 0 ]] && mode=immediate
        as_owner "$BIN/pg_ctl" -D "$home/data" -m "$mode" -w stop >/dev/null 2>&1 \
            || as_owner "$BIN/pg_ctl" -D "$home/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [[ $keep -eq 0 ]]; then
        rm -rf "$home" "$dir/cluster_home" "$dir/dsn"
    fi
}

case "$cmd" in
    start) start ;;
    stop) stop 0 ;;
    keep-stop) stop 1 ;;
    *) echo "usage: pg_cluster.sh start|stop|keep-stop DIR [PORT]" >&2; exit 2 ;;
esac
