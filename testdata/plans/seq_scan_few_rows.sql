-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT id, status, amount FROM orders WHERE customer_id = 4242;
