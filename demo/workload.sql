\set cid random(1, 200000)
\set pid random(1, 10000)
\set oid random(1, 1000000)
\set roll random(1, 100)
\if :roll <= 35
SELECT id, email, name FROM customers WHERE id = :cid;
\elif :roll <= 45
SELECT id, status, total FROM orders WHERE customer_id = :cid ORDER BY created_at DESC LIMIT 10;
\elif :roll <= 52
SELECT id, name FROM customers WHERE lower(email) = lower('User' || :cid || '@example.com');
\elif :roll <= 58
SELECT id, customer_id, created_at FROM orders WHERE status = 'pending' ORDER BY created_at DESC LIMIT 20;
\elif :roll <= 62
SELECT p.category, sum(oi.quantity * oi.price) AS revenue FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id BETWEEN :oid AND :oid + 500 GROUP BY p.category ORDER BY revenue DESC;
\elif :roll <= 65
SELECT id, name, price FROM products WHERE name LIKE 'product-' || substr(md5(:pid::text), 1, 3) || '%';
\elif :roll <= 67
SELECT c.country, count(*) FROM customers c WHERE c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'pending') AND c.id < 2000 GROUP BY c.country;
\elif :roll <= 80
SELECT o.id, o.total, oi.product_id FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.id = :oid;
\elif :roll <= 90
INSERT INTO orders (customer_id, status, created_at, total) VALUES (:cid, 'pending', now(), :pid / 10.0);
\else
UPDATE orders SET status = 'shipped' WHERE id = :oid AND status = 'pending';
\endif
