-- explained with: EXPLAIN (FORMAT JSON)
SET jit = off;
SELECT c.email, o.id, o.created_at, i.product_id, i.qty FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id WHERE c.country = 'DE' AND o.status = 'pending';
