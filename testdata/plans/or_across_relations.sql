-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT c.id, c.country, o.id, o.status FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.country = 'DE' OR o.status = 'pending';
