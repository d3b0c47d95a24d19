-- Before CREATE INDEX ON orders (customer_id); recorded on PostgreSQL 15 with 50k customers, 500k orders.
SELECT c.country, count(*), sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 20 GROUP BY c.country ORDER BY c.country;
