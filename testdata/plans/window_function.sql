-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT id, customer_id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY created_at), sum(amount) OVER (PARTITION BY customer_id) FROM orders WHERE customer_id <= 2000;
