-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SELECT id, 'customer' AS kind, email AS label FROM customers WHERE id <= 1000 UNION ALL SELECT id, 'product', name FROM products WHERE id <= 1000 UNION ALL SELECT id, 'order', status FROM orders WHERE id <= 1000;
