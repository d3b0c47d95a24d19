#!/usr/bin/env bash
# Records real PostgreSQL EXPLAIN plans (JSON) as test fixtures into this directory.
#
#   testdata/plans/record.sh            uses (or starts) the throwaway cluster in $PLANS_PG_DIR
#
# Environment:
#   PLANS_PG_DIR   cluster directory for scripts/pg_cluster.sh (default /tmp/plans-pg)
#   PLANS_PG_PORT  port used if the cluster has to be started (default 5434)
#   PLANS_ONLY     space-separated list of case names to (re)record; default all
#                  (the database is reloaded only when PLANS_RELOAD=1 or it does not exist yet)
#
# Data: schema.sql (deterministic, generate_series + hashint4) is loaded into a fresh database
# "plans" on every full run (~20 s); a PLANS_ONLY run reuses the database as it is.
#
# For every case it writes <case>.json (the raw output of psql -X -qAt, exactly as PostgreSQL
# printed it) and <case>.sql (the SET commands and the statement that was explained; a comment on
# the first line gives the EXPLAIN options). The cold_reads case restarts the cluster
# (pg_cluster.sh keep-stop + start) so that shared_buffers is empty. check_plans.py then verifies
# that every plan shows the property it was recorded for. The cluster is left running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
pg_dir=${PLANS_PG_DIR:-/tmp/plans-pg}
pg_port=${PLANS_PG_PORT:-5434}
cluster="$repo/scripts/pg_cluster.sh"

if [[ ! -f "$pg_dir/dsn" ]] || ! psql -X -qAt "$(cat "$pg_dir/dsn")" -c 'SELECT 1' >/dev/null 2>&1; then
    "$cluster" start "$pg_dir" "$pg_port"
fi
admin_dsn=$(cat "$pg_dir/dsn")
dsn=${admin_dsn/dbname=postgres/dbname=plans}

want() { [[ -z "${PLANS_ONLY:-}" || " $PLANS_ONLY " == *" $1 "* ]]; }

have_db=$(psql -X -qAt "$admin_dsn" -c "SELECT count(*) FROM pg_database WHERE datname = 'plans'")
if [[ "$have_db" == 0 || "${PLANS_RELOAD:-}" == 1 || -z "${PLANS_ONLY:-}" ]]; then
    echo "loading data into database plans ..."
    psql -X -q -v ON_ERROR_STOP=1 "$admin_dsn" -c 'DROP DATABASE IF EXISTS plans' -c 'CREATE DATABASE plans'
    psql -X -q -v ON_ERROR_STOP=1 "$dsn" -f "$here/schema.sql"
fi

jit=$(psql -X -qAt "$dsn" -c 'SELECT pg_jit_available()')

FULL='ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON'

# rec CASE OPTIONS SETUP STATEMENT [TEARDOWN]
# SETUP/TEARDOWN are SQL run in the same psql session before/after "EXPLAIN (OPTIONS) STATEMENT;".
rec() {
    local name=$1 opts=$2 setup=$3 stmt=$4 teardown=${5:-}
    want "$name" || return 0
    {
        echo "-- explained with: EXPLAIN ($opts)"
        [[ -n "$setup" ]] && printf '%s\n' "$setup"
        printf '%s;\n' "$stmt"
        [[ -n "$teardown" ]] && printf '%s\n' "$teardown"
    } > "$here/$name.sql"
    local start=$SECONDS
    psql -X -qAt -v ON_ERROR_STOP=1 "$dsn" > "$here/$name.json" <<SQL
$setup
EXPLAIN ($opts) $stmt;
$teardown
SQL
    echo "recorded $name ($((SECONDS - start)) s)"
}

# Session defaults for every case: no JIT (it is on by default and would add "JIT" sections and
# noise to expensive plans) unless a case turns it on.
NOJIT='SET jit = off;'

rec seq_scan_few_rows "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT id, status, amount FROM orders WHERE customer_id = 4242"

rec index_scan_good "$FULL" "$NOJIT" \
"SELECT * FROM orders WHERE id = 424242"

rec estimate_off "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT id, amount FROM orders WHERE warehouse_id = 7 AND carrier_id = 7"

rec sort_spill "$FULL" "$NOJIT
SET work_mem = '1MB';
SET max_parallel_workers_per_gather = 0;" \
"SELECT id, email, country, created_at FROM customers ORDER BY created_at DESC"

rec sort_in_memory "$FULL" "$NOJIT" \
"SELECT id, name, price FROM products ORDER BY price, id"

rec hash_batches "$FULL" "$NOJIT
SET work_mem = '256kB';
SET max_parallel_workers_per_gather = 0;" \
"SELECT c.country, count(*), sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'shipped' GROUP BY c.country"

rec nested_loop_inner_scan "$FULL" "$NOJIT
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
SET enable_memoize = off;
SET max_parallel_workers_per_gather = 0;" \
"SELECT c.id, c.email, p.name FROM customers c JOIN products p ON p.supplier_id = c.id + 0 WHERE c.id <= 500"

rec index_only_heap_fetches "$FULL" "$NOJIT
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET max_parallel_workers_per_gather = 0;" \
"SELECT count(id) FROM accounts WHERE id BETWEEN 1 AND 200000"

rec index_only_clean "$FULL" "$NOJIT
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET max_parallel_workers_per_gather = 0;" \
"SELECT count(id) FROM accounts_vacuumed WHERE id BETWEEN 1 AND 200000"

rec bitmap_lossy "$FULL" "$NOJIT
SET work_mem = '64kB';
SET enable_seqscan = off;
SET enable_indexscan = off;
SET max_parallel_workers_per_gather = 0;" \
"SELECT count(*), sum(amount) FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-03-01'"

rec bitmap_exact "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT count(*), sum(amount) FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-01-02'"

if want cold_reads; then
    "$cluster" keep-stop "$pg_dir"
    "$cluster" start "$pg_dir" "$pg_port" >/dev/null
fi
rec cold_reads "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT count(*), sum(qty * price) FROM order_items"

rec parallel_seq_scan "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;" \
"SELECT count(*), sum(amount) FROM orders WHERE amount > 500"

rec parallel_not_launched "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 2;
SET max_parallel_workers = 0;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;" \
"SELECT count(*), sum(amount) FROM orders WHERE amount > 500"

if [[ "$jit" == t ]]; then
    rec jit_heavy "$FULL" "SET jit = on;
SET jit_above_cost = 0;
SET jit_inline_above_cost = 0;
SET jit_optimize_above_cost = 0;
SET max_parallel_workers_per_gather = 0;" \
"SELECT category, count(*), sum(price), avg(price * 1.19), max(length(name)) FROM products WHERE price > 10 AND supplier_id % 3 = 1 GROUP BY category"
else
    echo "JIT not available on this server: jit_heavy skipped"
fi

rec large_offset "$FULL" "$NOJIT" \
"SELECT * FROM orders ORDER BY id LIMIT 20 OFFSET 100000"

rec not_in_subquery "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT count(*) FROM customers c WHERE c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'pending')"

rec or_across_relations "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT c.id, c.country, o.id, o.status FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.country = 'DE' OR o.status = 'pending'"

rec function_on_column "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT id, email, name FROM customers WHERE lower(email) = 'user4242@example.com'"

rec function_on_column_cast "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT id, customer_id, amount FROM orders WHERE created_at::date = '2024-01-01'"

rec correlated_subquery "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT c.id, (SELECT max(o.created_at) FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE c.id < 300"

rec cte_materialized "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"WITH x AS MATERIALIZED (SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders WHERE status = 'pending' GROUP BY customer_id) SELECT a.customer_id, a.total, b.total FROM x a JOIN x b ON b.customer_id = a.customer_id + 1 WHERE a.n > 1"

rec initplan "$FULL" "$NOJIT" \
"SELECT id, name, price FROM products WHERE price > (SELECT avg(price) * 1.9 FROM products)"

rec merge_join "$FULL" "$NOJIT
SET enable_hashjoin = off;
SET enable_nestloop = off;" \
"SELECT o.id, o.status, i.product_id, i.qty FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id <= 20000"

rec hash_aggregate "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT customer_id % 1000 AS bucket, count(*), sum(amount) FROM orders GROUP BY 1"

rec hash_aggregate_spill "$FULL" "$NOJIT
SET work_mem = '1MB';
SET enable_sort = off;
SET max_parallel_workers_per_gather = 0;" \
"SELECT customer_id, count(*), sum(amount) FROM orders GROUP BY customer_id"

rec group_aggregate "$FULL" "$NOJIT" \
"SELECT order_id, count(*), sum(qty * price) FROM order_items WHERE order_id <= 50000 GROUP BY order_id"

rec window_function "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT id, customer_id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY created_at), sum(amount) OVER (PARTITION BY customer_id) FROM orders WHERE customer_id <= 2000"

rec append_union "$FULL" "$NOJIT" \
"SELECT id, 'customer' AS kind, email AS label FROM customers WHERE id <= 1000 UNION ALL SELECT id, 'product', name FROM products WHERE id <= 1000 UNION ALL SELECT id, 'order', status FROM orders WHERE id <= 1000"

rec limit_top_n "$FULL" "$NOJIT" \
"SELECT id, customer_id, amount FROM orders ORDER BY amount DESC LIMIT 10"

rec no_analyze_join 'FORMAT JSON' "$NOJIT" \
"SELECT c.email, o.id, o.created_at, i.product_id, i.qty FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id WHERE c.country = 'DE' AND o.status = 'pending'"

rec generic_plan_prepared 'FORMAT JSON' "$NOJIT
PREPARE q(int) AS SELECT * FROM orders WHERE customer_id = \$1;
SET plan_cache_mode = force_generic_plan;" \
"EXECUTE q(1)"

rec memoize "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.warehouse_id + 1 WHERE o.id <= 20000"

rec incremental_sort "$FULL" "$NOJIT" \
"SELECT * FROM orders ORDER BY id, amount LIMIT 1000"

rec big_plan "$FULL" "$NOJIT
SET max_parallel_workers_per_gather = 0;" \
"SELECT 'events_by_kind' AS q, kind AS k, count(*)::numeric AS v FROM events WHERE (payload->>'ms')::int > 2500 GROUP BY kind
UNION ALL SELECT 'events_tagged', payload->>'page', count(*) FROM events WHERE payload @> '{\"tags\": [\"t7\"]}' AND created_at >= '2024-06-01' GROUP BY 2
UNION ALL SELECT 'orders_by_status', status, sum(amount) FROM orders WHERE id <= 50000 GROUP BY status
UNION ALL SELECT 'orders_per_country', c.country, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id <= 20000 GROUP BY c.country
UNION ALL SELECT 'items_per_category', p.category, sum(i.qty) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id <= 10000 GROUP BY p.category
UNION ALL SELECT 'top_customer', c.email, t.total FROM (SELECT customer_id, sum(amount) AS total FROM orders WHERE id <= 30000 GROUP BY customer_id ORDER BY total DESC LIMIT 1) t JOIN customers c ON c.id = t.customer_id
UNION ALL SELECT 'supplier_revenue', p.supplier_id::text, sum(i.qty * i.price) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.id <= 20000 AND p.supplier_id < 10 GROUP BY p.supplier_id
UNION ALL SELECT 'pending_recent', o.id::text, o.amount FROM orders o WHERE o.status = 'pending' AND o.created_at >= '2024-12-30'
UNION ALL SELECT 'accounts_rich', a.id::text, a.balance FROM accounts a WHERE a.id <= 200 AND a.balance > 9000
UNION ALL SELECT 'signups_by_country', c.country, count(*) FROM customers c WHERE c.created_at >= '2023-06-01' AND c.id <= 50000 GROUP BY c.country
UNION ALL SELECT 'big_orders', o.id::text, o.amount FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id <= 3000 AND i.qty = 5 AND o.amount > 990
UNION ALL SELECT 'product_rank', x.name, x.rnk FROM (SELECT name, rank() OVER (PARTITION BY category ORDER BY price DESC) AS rnk FROM products) x WHERE x.rnk = 1 AND x.name < 'Product 2'
UNION ALL SELECT 'not_ordered_products', p.id::text, p.price FROM products p WHERE p.id <= 500 AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.id AND i.id <= 5000)
UNION ALL SELECT 'distinct_pages', d.page, d.n FROM (SELECT payload->>'page' AS page, count(DISTINCT (payload->>'user_id')) AS n FROM events WHERE created_at < '2024-01-15' GROUP BY 1 ORDER BY n DESC LIMIT 3) d
UNION ALL SELECT 'max_event', e.kind, e.id FROM events e WHERE e.id = (SELECT max(id) FROM events WHERE created_at < '2024-02-01')"

# Data-changing cases last: even rolled back, they leave dead tuples that change later estimates.
rec insert_returning 'ANALYZE, BUFFERS, WAL, FORMAT JSON' "$NOJIT
BEGIN;" \
"INSERT INTO products (id, name, category, supplier_id, price) SELECT 100000 + i, 'New ' || i, 'cat1', 1 + i % 1000, 9.99 FROM generate_series(1, 5000) AS i RETURNING id" \
"ROLLBACK;"

rec update_with_trigger_fk 'ANALYZE, BUFFERS, WAL, SETTINGS, VERBOSE, FORMAT JSON' "$NOJIT
BEGIN;" \
"UPDATE orders SET customer_id = customer_id % 1000 + 1 WHERE id <= 5000" \
"ROLLBACK;"

python3 "$here/check_plans.py" "$here"
