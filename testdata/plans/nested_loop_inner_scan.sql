-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
SET enable_memoize = off;
SET max_parallel_workers_per_gather = 0;
SELECT c.id, c.email, p.name FROM customers c JOIN products p ON p.supplier_id = c.id + 0 WHERE c.id <= 500;
