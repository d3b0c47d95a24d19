-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET enable_hashjoin = off;
SET enable_nestloop = off;
SELECT o.id, o.status, i.product_id, i.qty FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id <= 20000;
