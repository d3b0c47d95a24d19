-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SELECT order_id, count(*), sum(qty * price) FROM order_items WHERE order_id <= 50000 GROUP BY order_id;
