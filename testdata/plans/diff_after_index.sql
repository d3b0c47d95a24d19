-- After CREATE INDEX orders_customer_id_idx ON orders (customer_id).
SELECT c.country, count(*), sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 20 GROUP BY c.country ORDER BY c.country;
