#!/usr/bin/env bash
# Records two windows of real pg_stat_statements rows for the overview's health checks
# (src/analyzer/overview_checks_test.cpp) into this directory:
#
#   pg15_overview_quiet.csv  fast statements on cached data: every check passes
#   pg15_overview_busy.csv   the same after a restart (a cold cache), with scans slower than 100 ms
#                            that read past the buffer cache and a sort spilling to temporary files:
#                            every check warns
#
#   testdata/pg_stat_statements/record_overview.sh
#
# Each window starts with pg_stat_statements_reset(), so the counters are that window's alone, as the
# overview sees them. The cluster is a throwaway one of scripts/pg_cluster.sh in $OVERVIEW_PG_DIR
# (default /tmp/overview-pg, port $OVERVIEW_PG_PORT, default 5441: shared_buffers 128MB,
# track_planning and track_io_timing on); it is stopped and deleted at the end. About 20 s.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
pg_dir=${OVERVIEW_PG_DIR:-/tmp/overview-pg}
cluster="$repo/scripts/pg_cluster.sh"

"$cluster" start "$pg_dir" "${OVERVIEW_PG_PORT:-5441}"
trap '"$cluster" stop "$pg_dir"' EXIT
admin_dsn=$(cat "$pg_dir/dsn")
dsn=${admin_dsn/dbname=postgres/dbname=overview}

psql -X -q -v ON_ERROR_STOP=1 "$admin_dsn" -c 'DROP DATABASE IF EXISTS overview' -c 'CREATE DATABASE overview'
# events is 57 MB, more than a quarter of shared_buffers: once the cache is cold, a sequential scan of
# it goes through a small ring of buffers and reads its blocks again every time.
psql -X -q -v ON_ERROR_STOP=1 "$dsn" <<'SQL'
CREATE TABLE events (id bigint PRIMARY KEY, account_id int NOT NULL, kind text NOT NULL, payload text NOT NULL);
INSERT INTO events
SELECT g, g % 5000, (ARRAY['click', 'view', 'buy'])[g % 3 + 1], repeat(md5(g::text), 3)
FROM generate_series(1, 400000) g;
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, plan text NOT NULL);
INSERT INTO accounts SELECT g, 'account ' || g, (ARRAY['free', 'pro'])[g % 2 + 1] FROM generate_series(1, 5000) g;
VACUUM ANALYZE;
SQL

# The fast statements of both windows: lookups by key on accounts and on the first events.
fast_statements() {
    for i in $(seq 1 300); do echo "SELECT name, plan FROM accounts WHERE id = $(( (i * 37) % 5000 + 1 ));"; done
    for i in $(seq 1 100); do echo "SELECT count(*) FROM events WHERE id BETWEEN $(( (i * 7) % 1000 + 1 )) AND $(( (i * 7) % 1000 + 11 ));"; done
    for i in $(seq 1 20); do echo "UPDATE accounts SET plan = 'pro' WHERE id = $(( i * 101 ));"; done
    for i in $(seq 1 10); do echo "SELECT plan, count(*) FROM accounts GROUP BY plan;"; done
}

busy_statements() {
    for pattern in abc 0f0 123 fed; do
        echo "SELECT kind, count(*) FROM events WHERE payload LIKE '%$pattern%' GROUP BY kind;"
    done
    for offset in 200000 250000; do
        echo "SET work_mem = '64kB';"
        echo "SELECT account_id, payload FROM events ORDER BY payload LIMIT 10 OFFSET $offset;"
        echo "RESET work_mem;"
    done
}

# record FILE: runs the statements on stdin after a reset, then writes this database's rows (but for
# the recorder's own COPY, planned and not yet run: calls = 0).
record() {
    { echo "SELECT pg_stat_statements_reset();"; cat; } | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 "$dsn"
    psql -X -q -v ON_ERROR_STOP=1 "$dsn" > "$here/$1" <<'SQL'
\copy (SELECT userid, dbid, queryid, toplevel, calls, total_exec_time, total_plan_time, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written, temp_blks_read, temp_blks_written, blk_read_time, blk_write_time, query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0 ORDER BY queryid, userid, toplevel) TO STDOUT WITH (FORMAT csv, HEADER)
SQL
    echo "recorded $1: $(($(wc -l < "$here/$1") - 1)) rows"
}

# Once to bring what the fast statements read into shared buffers, then the quiet window.
fast_statements | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 "$dsn"
fast_statements | record pg15_overview_quiet.csv
# A restart empties shared buffers: the busy window starts cold.
"$cluster" keep-stop "$pg_dir"
"$cluster" start "$pg_dir" "${OVERVIEW_PG_PORT:-5441}"
{ fast_statements; busy_statements; } | record pg15_overview_busy.csv
