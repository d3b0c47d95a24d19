-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM customers c WHERE c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'pending');
