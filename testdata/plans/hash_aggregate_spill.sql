-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET work_mem = '1MB';
SET enable_sort = off;
SET max_parallel_workers_per_gather = 0;
SELECT customer_id, count(*), sum(amount) FROM orders GROUP BY customer_id;
