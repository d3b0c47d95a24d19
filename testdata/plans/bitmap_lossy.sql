-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET work_mem = '64kB';
SET enable_seqscan = off;
SET enable_indexscan = off;
SET max_parallel_workers_per_gather = 0;
SELECT count(*), sum(amount) FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-03-01';
