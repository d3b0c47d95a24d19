-- explained with: EXPLAIN (ANALYZE, BUFFERS, SETTINGS, VERBOSE, FORMAT JSON)
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT 'events_by_kind' AS q, kind AS k, count(*)::numeric AS v FROM events WHERE (payload->>'ms')::int > 2500 GROUP BY kind
UNION ALL SELECT 'events_tagged', payload->>'page', count(*) FROM events WHERE payload @> '{"tags": ["t7"]}' AND created_at >= '2024-06-01' GROUP BY 2
UNION ALL SELECT 'orders_by_status', status, sum(amount) FROM orders WHERE id <= 50000 GROUP BY status
UNION ALL SELECT 'orders_per_country', c.country, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id <= 20000 GROUP BY c.country
UNION ALL SELECT 'items_per_category', p.category, sum(i.qty) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id <= 10000 GROUP BY p.category
UNION ALL SELECT 'top_customer', c.email, t.total FROM (SELECT customer_id, sum(amount) AS total FROM orders WHERE id <= 30000 GROUP BY customer_id ORDER BY total DESC LIMIT 1) t JOIN customers c ON c.id = t.customer_id
UNION ALL SELECT 'supplier_revenue', p.supplier_id::text, sum(i.qty * i.price) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.id <= 20000 AND p.supplier_id < 10 GROUP BY p.supplier_id
UNION ALL SELECT 'pending_recent', o.id::text, o.amount FROM orders o WHERE o.status = 'pending' AND o.created_at >= '2024-12-30'
UNION ALL SELECT 'accounts_rich', a.id::text, a.balance FROM accounts a WHERE a.id <= 200 AND a.balance > 9000
UNION ALL SELECT 'signups_by_country', c.country, count(*) FROM customers c WHERE c.created_at >= '2023-06-01' AND c.id <= 50000 GROUP BY c.country
UNION ALL SELECT 'big_orders', o.id::text, o.amount FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id <= 3000 AND i.qty = 5 AND o.amount > 990
UNION ALL SELECT 'product_rank', x.name, x.rnk FROM (SELECT name, rank() OVER (PARTITION BY category ORDER BY price DESC) AS rnk FROM products) x WHERE x.rnk = 1 AND x.name < 'Product 2'
UNION ALL SELECT 'not_ordered_products', p.id::text, p.price FROM products p WHERE p.id <= 500 AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.id AND i.id <= 5000)
UNION ALL SELECT 'distinct_pages', d.page, d.n FROM (SELECT payload->>'page' AS page, count(DISTINCT (payload->>'user_id')) AS n FROM events WHERE created_at < '2024-01-15' GROUP BY 1 ORDER BY n DESC LIMIT 3) d
UNION ALL SELECT 'max_event', e.kind, e.id FROM events e WHERE e.id = (SELECT max(id) FROM events WHERE created_at < '2024-02-01');
