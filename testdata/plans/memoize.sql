-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.warehouse_id + 1 WHERE o.id <= 20000;
