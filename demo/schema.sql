-- The demo application: a small shop. Sizes are chosen so the data loads in seconds and the slow
-- queries are really slow. Deliberately missing indexes are what OptiSchema should find.
CREATE TABLE customers (
    id serial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    country text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE products (
    id serial PRIMARY KEY,
    name text NOT NULL,
    category text NOT NULL,
    price numeric(10, 2) NOT NULL
);
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),  -- no index: a classic miss
    status text NOT NULL,                                 -- skewed: few 'pending'
    created_at timestamptz NOT NULL,
    total numeric(12, 2) NOT NULL
);
CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id),
    product_id int NOT NULL REFERENCES products (id),
    quantity int NOT NULL,
    price numeric(10, 2) NOT NULL
);

INSERT INTO customers (email, name, country, created_at)
SELECT 'User' || g || '@Example.com', 'Customer ' || g,
       (ARRAY['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL', 'SE'])[1 + g % 8],
       now() - (g % 1000) * interval '1 day'
  FROM generate_series(1, 200000) g;

INSERT INTO products (name, category, price)
SELECT 'product-' || md5(g::text), 'category-' || (g % 50), round((5 + (g % 500))::numeric, 2)
  FROM generate_series(1, 10000) g;

INSERT INTO orders (customer_id, status, created_at, total)
SELECT 1 + (hashint4(g) & 2147483647) % 200000,
       CASE WHEN g % 100 = 0 THEN 'pending' WHEN g % 100 < 5 THEN 'shipped' ELSE 'delivered' END,
       now() - (g % 100000) * interval '5 minutes',
       round(((g % 997) + 0.99)::numeric, 2)
  FROM generate_series(1, 1000000) g;

INSERT INTO order_items (order_id, product_id, quantity, price)
SELECT 1 + (g % 1000000), 1 + (hashint4(g) & 2147483647) % 10000, 1 + g % 3, round((5 + g % 500)::numeric, 2)
  FROM generate_series(1, 1500000) g;

VACUUM ANALYZE;
