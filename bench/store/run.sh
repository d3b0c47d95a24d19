#!/usr/bin/env bash
# Compares the SQLite and PostgreSQL stores: SaveSnapshot of 5,000 groups (with and without the 5,000-entry
# baseline a collection cycle also writes), RangeGroups over 60 snapshots x 5,000 groups and over a week
# (2,016 five-minute snapshots x 1,000 groups, loaded once per store: about a minute or two), and
# GroupHistory of one fingerprint over that week. RangeGroups runs twice on the same data: rollups=1 through
# the store (hourly rollups for whole hours), rollups=0 as the aggregation of every snapshot the store ran
# before; divide the two for the speed-up.
#
#   bench/store/run.sh [google-benchmark flags...]      BUILD_DIR=build-x bench/store/run.sh
#   bench/store/run.sh --benchmark_filter=Week           only the week
#   bench/store/run.sh --benchmark_filter=Prune          one batch of PruneHistory
#
# The PostgreSQL store runs on a throwaway local cluster over a unix socket, switched back to PostgreSQL's
# durable defaults (fsync, synchronous_commit, full_page_writes on) that the test clusters turn off. A store
# across a network adds about 8 round trips per SaveSnapshot and 1 per RangeGroups.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
cmake --build "$build" --target store_benchmark -j2 >/dev/null
dir=$build/bench-store-pg
scripts/pg_cluster.sh start "$dir" >/dev/null
tmp=$(mktemp -d)
trap 'scripts/pg_cluster.sh stop "$dir"; rm -rf "$tmp"' EXIT
dsn=$(cat "$dir/dsn")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
"$bin/psql" -X -q -v ON_ERROR_STOP=1 "$dsn" <<'SQL' >/dev/null
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;
SELECT pg_reload_conf();
DROP DATABASE IF EXISTS optischema_store_bench;
CREATE DATABASE optischema_store_bench;
SQL
echo "PostgreSQL $("$bin/psql" -X -qAt "$dsn" -c 'SHOW server_version'), fsync=$("$bin/psql" -X -qAt "$dsn" -c 'SHOW fsync'); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1) (WAL, synchronous=NORMAL) in $tmp"
TMPDIR=$tmp OPTISCHEMA_BENCH_DSN="$dsn dbname=optischema_store_bench" "$build/bench/store/store_benchmark" "$@"
