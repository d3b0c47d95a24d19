-- explained with: EXPLAIN (ANALYZE, BUFFERS, WAL, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
BEGIN;
UPDATE orders SET customer_id = customer_id % 1000 + 1 WHERE id <= 5000;
ROLLBACK;
