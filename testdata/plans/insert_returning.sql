-- explained with: EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON)
SET jit = off;
BEGIN;
INSERT INTO products (id, name, category, supplier_id, price) SELECT 100000 + i, 'New ' || i, 'cat1', 1 + i % 1000, 9.99 FROM generate_series(1, 5000) AS i RETURNING id;
ROLLBACK;
