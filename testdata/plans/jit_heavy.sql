-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = on;
SET jit_above_cost = 0;
SET jit_inline_above_cost = 0;
SET jit_optimize_above_cost = 0;
SET max_parallel_workers_per_gather = 0;
SELECT category, count(*), sum(price), avg(price * 1.19), max(length(name)) FROM products WHERE price > 10 AND supplier_id % 3 = 1 GROUP BY category;
