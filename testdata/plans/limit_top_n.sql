-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SELECT id, customer_id, amount FROM orders ORDER BY amount DESC LIMIT 10;
