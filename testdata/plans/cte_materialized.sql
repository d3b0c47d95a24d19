-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
WITH x AS MATERIALIZED (SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders WHERE status = 'pending' GROUP BY customer_id) SELECT a.customer_id, a.total, b.total FROM x a JOIN x b ON b.customer_id = a.customer_id + 1 WHERE a.n > 1;
