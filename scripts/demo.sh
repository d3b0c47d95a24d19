#!/usr/bin/env bash
# The demo: a local PostgreSQL with a realistic shop database and workload, then what OptiSchema
# sees in it. Installs what is missing and builds first. A second run reuses the loaded data.
#
#   scripts/demo.sh [--seconds N]     (default 20 seconds of workload)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=20
if [[ "${1:-}" == "--seconds" ]]; then seconds=${2:?}; fi

scripts/setup.sh >/dev/null
data_dir=${OPTISCHEMA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/optischema}
cluster_dir="$data_dir/demo-postgres"
mkdir -p "$data_dir"

scripts/pg_cluster.sh start "$cluster_dir" 5432 >/dev/null
# On failure or Ctrl-C the server is stopped (its data kept); on success it stays up to explore.
trap 'scripts/pg_cluster.sh keep-stop "$cluster_dir"' ERR INT TERM
admin_dsn=$(cat "$cluster_dir/dsn")
dsn="${admin_dsn/dbname=postgres/dbname=shop}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

if ! "$bin/psql" -X -qAt "$admin_dsn" -c "SELECT 1 FROM pg_database WHERE datname = 'shop'" | grep -q 1; then
    echo "demo: loading the shop database (200k customers, 1M orders, 1.5M order items)..."
    start=$(date +%s)
    "$bin/psql" -X -q "$admin_dsn" -c "CREATE DATABASE shop_loading"
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 "${admin_dsn/dbname=postgres/dbname=shop_loading}" -f demo/schema.sql
    "$bin/psql" -X -q "$admin_dsn" -c "ALTER DATABASE shop_loading RENAME TO shop"
    echo "demo: loaded in $(( $(date +%s) - start )) s"
fi
"$bin/psql" -X -q "$dsn" -c "SELECT pg_stat_statements_reset()" >/dev/null

echo "demo: running the shop workload for $seconds s (4 clients)..."
"$bin/pgbench" -n -c 4 -j 2 -T "$seconds" -f demo/workload.sql "$dsn" >/dev/null 2>&1 &
workload=$!
sleep 2
build/optischema --data-dir "$data_dir" top --dsn "$dsn" --interval $(( seconds > 6 ? seconds - 4 : 2 )) --limit 15
wait "$workload" || true
echo
echo "demo: the indexes OptiSchema recommends for this workload (nothing is created):"
advice=$(build/optischema --data-dir "$data_dir" advise --dsn "$dsn" --min-calls 2)
echo "$advice"
first=$(grep -o 'idx-[0-9a-f]\{12\}' <<<"$advice" | head -n 1 || true)
if [[ -n "$first" ]]; then
    echo
    echo "demo: proving the first recommendation in a managed sandbox (copies of the tables, real index):"
    build/optischema --data-dir "$data_dir" validate --dsn "$dsn" --recommendation "$first" || true
fi
echo
echo "demo: the shop database is still running at: $dsn"
echo "demo: try: build/optischema explain --dsn \"$dsn\" --analyze \"SELECT * FROM orders WHERE customer_id = 42\""
echo "demo:      build/optischema check --dsn \"$dsn\""
echo "demo:      build/optischema apply --dsn \"$dsn\" --recommendation ID, then rollback --action N, audit"
echo "demo: stop it with: scripts/pg_cluster.sh keep-stop \"$cluster_dir\" (the next demo run reuses the data)"
