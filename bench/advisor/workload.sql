-- OptiSchema advisor benchmark workload: 25 statements over the marketplace in schema.sql.
-- Statements 1-17 each need a secondary index (expert.sql holds the expert's set).
-- Statements 18-25 are ones no index can help: whole-table aggregates, a filter matching 90% of
-- the rows, primary key lookups, a small-table scan, an INSERT and an UPDATE by primary key.

-- 1: case-insensitive login lookup
SELECT id, email, full_name FROM users WHERE lower(email) = 'mallory.collins123456@example.com';
-- 2: product by SKU
SELECT id, title, price FROM products WHERE sku = 'SKU-0914218';
-- 3: a business account's latest orders
SELECT id, status, created_at, total FROM orders WHERE user_id = 42 ORDER BY created_at DESC LIMIT 10;
-- 4: one day of revenue
SELECT count(*), sum(total) FROM orders WHERE created_at >= '2024-03-01 00:00:00+00' AND created_at < '2024-03-02 00:00:00+00';
-- 5: a seller's units sold (join on unindexed foreign keys)
SELECT p.id, p.title, sum(oi.quantity) AS units FROM products p JOIN order_items oi ON oi.product_id = p.id WHERE p.seller_id = 203260 GROUP BY p.id, p.title;
-- 6: fraud review queue (a rare value of a skewed column)
SELECT id, user_id, total, created_at FROM orders WHERE status = 'fraud_review' ORDER BY created_at DESC LIMIT 50;
-- 7: e-mail autocomplete
SELECT id, email FROM users WHERE email LIKE 'Grace.Hall%';
-- 8: latest reviews of a popular product
SELECT id, user_id, rating, created_at FROM reviews WHERE product_id = 123 ORDER BY created_at DESC LIMIT 20;
-- 9: session by token
SELECT id, user_id, started_at FROM sessions WHERE token = '9a895f2ba7ba47e277899c7f194402e0';
-- 10: events of a campaign (jsonb containment)
SELECT count(*) FROM events WHERE payload @> '{"campaign": "camp_17"}';
-- 11: a user's recent events
SELECT id, kind, created_at FROM events WHERE user_id = 126130 AND created_at >= '2024-03-01 00:00:00+00' ORDER BY created_at;
-- 12: category page sorted by price
SELECT id, title, price FROM products WHERE category_id = 17 AND status = 'active' AND price BETWEEN 10 AND 20 ORDER BY price LIMIT 50;
-- 13: sign-ups of one country in one week
SELECT id, email, created_at FROM users WHERE country = 'NZ' AND created_at >= '2024-06-01 00:00:00+00' AND created_at < '2024-06-08 00:00:00+00';
-- 14: one hour of orders with the buyer's e-mail
SELECT o.id, o.total, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.created_at >= '2024-06-01 10:00:00+00' AND o.created_at < '2024-06-01 11:00:00+00';
-- 15: a user's reviews with the product titles
SELECT r.rating, r.body, p.title FROM reviews r JOIN products p ON p.id = r.product_id WHERE r.user_id = 424242;
-- 16: a heavy user's last sessions
SELECT id, started_at, user_agent FROM sessions WHERE user_id = 77 ORDER BY started_at DESC LIMIT 5;
-- 17: orders with one coupon shipped to one country
SELECT id, total FROM orders WHERE coupon_code = 'PROMO-1234' AND shipping_country = 'DE';
-- 18: monthly review volume and rating over all reviews (no index helps)
SELECT date_trunc('month', created_at) AS month, count(*), avg(rating) FROM reviews GROUP BY 1 ORDER BY 1;
-- 19: delivered revenue per country, 90% of the rows (no index helps)
SELECT shipping_country, count(*), sum(total) FROM orders WHERE status = 'delivered' GROUP BY shipping_country;
-- 20: order by primary key (already served)
SELECT id, user_id, status, total FROM orders WHERE id = 1234567;
-- 21: a 200-row table (no index helps)
SELECT id, name FROM categories WHERE name = 'Garden';
-- 22: a new order (indexes only slow it down)
INSERT INTO orders (id, user_id, status, created_at, total, shipping_country) VALUES (2000001, 42, 'pending', '2024-12-31 23:00:00+00', 99.90, 'US');
-- 23: rating histogram over all reviews (no index helps)
SELECT rating, count(*), avg(length(body)) FROM reviews GROUP BY rating;
-- 24: lines of one order (the primary key already serves it)
SELECT line_no, product_id, quantity, unit_price FROM order_items WHERE order_id = 777777;
-- 25: status change by primary key (already served)
UPDATE orders SET status = 'shipped' WHERE id = 4242;
