-- The expert's index set for workload.sql (statement numbers are 1-based, as in workload.sql).
-- Statements 18-25 need no index: whole-table aggregates (18, 23), a filter on 90% of the rows (19),
-- primary key lookups and writes already served (20, 24, 25), a 200-row table (21), an INSERT (22).
-- Serves 1: case-insensitive e-mail lookup
CREATE INDEX expert_users_lower_email ON users ((lower(email)));
-- Serves 7: LIKE 'prefix%' under a non-C collation needs text_pattern_ops
CREATE INDEX expert_users_email_pattern ON users (email text_pattern_ops);
-- Serves 13: equality on country, then the created_at range
CREATE INDEX expert_users_country_created_at ON users (country, created_at);
-- Serves 2: SKU lookup
CREATE INDEX expert_products_sku ON products (sku);
-- Serves 5: the seller's products (the outer side of the join)
CREATE INDEX expert_products_seller_id ON products (seller_id);
-- Serves 12: equality on category_id, then price for the range and the ORDER BY ... LIMIT
CREATE INDEX expert_products_category_id_price ON products (category_id, price);
-- Serves 3: equality on user_id, then created_at for the ORDER BY ... LIMIT without a sort
CREATE INDEX expert_orders_user_id_created_at ON orders (user_id, created_at);
-- Serves 4 and 14: created_at ranges
CREATE INDEX expert_orders_created_at ON orders (created_at);
-- Serves 6: the rare status value, newest first without a sort
CREATE INDEX expert_orders_status_created_at ON orders (status, created_at);
-- Serves 17: the coupon code is selective on its own
CREATE INDEX expert_orders_coupon_code ON orders (coupon_code);
-- Serves 5: the unindexed foreign key order_items.product_id (the inner side of the join)
CREATE INDEX expert_order_items_product_id ON order_items (product_id);
-- Serves 8: equality on product_id, then created_at for the ORDER BY ... LIMIT
CREATE INDEX expert_reviews_product_id_created_at ON reviews (product_id, created_at);
-- Serves 15: the unindexed foreign key reviews.user_id
CREATE INDEX expert_reviews_user_id ON reviews (user_id);
-- Serves 9: session token lookup
CREATE INDEX expert_sessions_token ON sessions (token);
-- Serves 16: equality on user_id, then started_at for the ORDER BY ... LIMIT
CREATE INDEX expert_sessions_user_id_started_at ON sessions (user_id, started_at);
-- Serves 11: equality on user_id, then the created_at range in order
CREATE INDEX expert_events_user_id_created_at ON events (user_id, created_at);
-- Serves 10: jsonb containment
CREATE INDEX expert_events_payload ON events USING gin (payload jsonb_path_ops);
