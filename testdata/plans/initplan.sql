-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SELECT id, name, price FROM products WHERE price > (SELECT avg(price) * 1.9 FROM products);
