#!/usr/bin/env bash
# Runs the benchmarks against a throwaway cluster holding N distinct statements (default 5,000).
#
#   bench/run.sh [N] [google-benchmark flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5000}
shift || true
scripts/setup.sh >/dev/null
cmake --build build --target collect_benchmark explain_benchmark -j2 >/dev/null
dir=build/bench-pg
scripts/pg_cluster.sh start "$dir" >/dev/null
trap 'scripts/pg_cluster.sh stop "$dir"' EXIT
dsn=$(cat "$dir/dsn")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
python3 bench/load_statements.py "$count" | "$bin/psql" -X -q "$dsn" >/dev/null
echo "pg_stat_statements entries: $("$bin/psql" -X -qAt "$dsn" -c 'SELECT count(*) FROM pg_stat_statements')"
echo "bytes of query text: $("$bin/psql" -X -qAt "$dsn" -c 'SELECT sum(length(query)) FROM pg_stat_statements')"
"$bin/psql" -X -q "$dsn" -c "INSERT INTO bench_table_000 SELECT g % 97, g % 89, g % 83, g % 79 FROM generate_series(1, 20000) g" \
    -c "INSERT INTO bench_table_001 SELECT g % 97, g % 89, g % 83, g % 79 FROM generate_series(1, 20000) g" -c "ANALYZE" >/dev/null
OPTISCHEMA_BENCH_DSN="$dsn" build/bench/collect_benchmark "$@"
OPTISCHEMA_BENCH_DSN="$dsn" build/bench/explain_benchmark "$@"
