-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET work_mem = '1MB';
SET max_parallel_workers_per_gather = 0;
SELECT id, email, country, created_at FROM customers ORDER BY created_at DESC;
