-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT customer_id % 1000 AS bucket, count(*), sum(amount) FROM orders GROUP BY 1;
