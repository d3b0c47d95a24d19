#!/usr/bin/env bash
# Records, from a real server of every supported PostgreSQL major (scripts/pg_versions.sh), what
# OptiSchema reads differently from one major to the next, as test fixtures in this directory:
#
#   pgMM_pg_stat_statements_columns.txt   the columns of the pg_stat_statements view, one a line
#   pgMM_cold_scan.json                   EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, FORMAT JSON) of a
#                                         scan right after a restart (shared reads with I/O timings)
#   pgMM_generic_plan.json                EXPLAIN (GENERIC_PLAN, VERBOSE, FORMAT JSON) (16 and later)
#   pgMM_serialize_memory.json            EXPLAIN (ANALYZE, BUFFERS, SERIALIZE, MEMORY, FORMAT JSON) (17+)
#   pgMM_version.txt                      the server's version()
#
#   testdata/versions/record.sh [MAJOR...]     all majors by default; ~5 s a major once downloaded
#
# Each major runs in a throwaway cluster under $VERSIONS_PG_DIR (default /tmp/optischema-versions),
# stopped and deleted afterwards. The statements are in this script; a re-run changes timings and
# buffer counts, not the keys.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
versions="$repo/scripts/pg_versions.sh"
base=${VERSIONS_PG_DIR:-/tmp/optischema-versions}
(( $# > 0 )) || set -- $("$versions" majors)

schema="
CREATE TABLE items (id int PRIMARY KEY, kind int NOT NULL, note text NOT NULL);
INSERT INTO items SELECT g, g % 100, repeat('x', 80) FROM generate_series(1, 20000) g;
VACUUM ANALYZE items;"

for major in "$@"; do
    dir="$base/$major"
    "$versions" stop "$major" "$dir" >/dev/null 2>&1 || true
    "$versions" start "$major" "$dir" >/dev/null
    admin=$(cat "$dir/dsn")
    dsn=${admin/dbname=postgres/dbname=shop}
    psql -X -q -v ON_ERROR_STOP=1 "$admin" -c 'CREATE DATABASE shop'
    psql -X -q -v ON_ERROR_STOP=1 "$dsn" <<<"$schema"
    psql -X -qAt "$dsn" -c 'SELECT version()' >"$here/pg${major}_version.txt"
    psql -X -qAt "$dsn" -c "SELECT a.attname FROM pg_attribute a
        WHERE a.attrelid = 'public.pg_stat_statements'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum" >"$here/pg${major}_pg_stat_statements_columns.txt"

    # A restart empties shared_buffers: the scan reads every block (from the OS cache), timed.
    bindir=$("$versions" bindir "$major")
    PG_BINDIR="$bindir" PG_LIBDIR="$bindir/../lib" "$repo/scripts/pg_cluster.sh" keep-stop "$dir"
    "$versions" start "$major" "$dir" >/dev/null
    psql -X -qAt "$dsn" -c 'SET jit = off' -c 'SET max_parallel_workers_per_gather = 0' \
        -c 'EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, FORMAT JSON) SELECT count(*) FROM items WHERE kind = 7' \
        >"$here/pg${major}_cold_scan.json"
    if (( major >= 16 )); then
        psql -X -qAt "$dsn" -c 'EXPLAIN (GENERIC_PLAN, VERBOSE, FORMAT JSON) SELECT note FROM items WHERE id = $1 AND kind > $2' \
            >"$here/pg${major}_generic_plan.json"
    fi
    if (( major >= 17 )); then
        psql -X -qAt "$dsn" -c 'SET jit = off' \
            -c 'EXPLAIN (ANALYZE, BUFFERS, SERIALIZE, MEMORY, FORMAT JSON) SELECT * FROM items WHERE id <= 500' \
            >"$here/pg${major}_serialize_memory.json"
    fi
    "$versions" stop "$major" "$dir"
    echo "recorded PostgreSQL $major: $(cut -d' ' -f2 "$here/pg${major}_version.txt")"
done
