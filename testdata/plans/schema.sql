-- Deterministic data for the EXPLAIN plan fixtures (loaded by record.sh into database "plans").
-- Pseudo-randomness comes from hashint4(); h(i, n) below maps it onto 0..n-1.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET synchronous_commit = off;

CREATE FUNCTION h(i int, salt int, n int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((hashint4(i # (salt * 7919))::int8 + 2147483648) % n)::int $$;

-- customers: 200k rows; plain (non-expression) index on email only.
CREATE TABLE customers (
    id         int PRIMARY KEY,
    email      text NOT NULL,
    name       text NOT NULL,
    country    text NOT NULL,
    created_at timestamptz NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO customers
SELECT i,
       'user' || i || '@example.com',
       'Customer ' || i,
       (ARRAY['DE','FR','US','GB','IT','ES','NL','PL','SE','JP'])[1 + h(i, 1, 10)],
       timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => h(i, 2, 4 * 365 * 86400))
FROM generate_series(1, 200000) AS i;
CREATE INDEX customers_email_idx ON customers (email);

-- products: 10k rows; supplier_id is unindexed.
CREATE TABLE products (
    id          int PRIMARY KEY,
    name        text NOT NULL,
    category    text NOT NULL,
    supplier_id int NOT NULL,
    price       numeric(10,2) NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO products
SELECT i,
       'Product ' || i,
       'cat' || h(i, 3, 40),
       1 + h(i, 4, 1000),
       (1 + h(i, 5, 100000)) / 100.0
FROM generate_series(1, 10000) AS i;

-- orders: 1M rows; customer_id has a foreign key but NO index; status skewed (1% pending);
-- created_at spread pseudo-randomly over 2023-2024 (not correlated with id) and indexed;
-- warehouse_id and carrier_id are perfectly correlated (always equal).
CREATE TABLE orders (
    id           int PRIMARY KEY,
    customer_id  int NOT NULL REFERENCES customers (id),
    status       text NOT NULL,
    warehouse_id int NOT NULL,
    carrier_id   int NOT NULL,
    amount       numeric(10,2) NOT NULL,
    created_at   timestamptz NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO orders
SELECT i,
       1 + h(i, 6, 200000),
       CASE WHEN h(i, 7, 100) = 0 THEN 'pending'
            WHEN h(i, 7, 100) < 5 THEN 'cancelled'
            WHEN h(i, 7, 100) < 25 THEN 'shipped'
            ELSE 'delivered' END,
       h(i, 8, 50),
       h(i, 8, 50),
       (1 + h(i, 9, 100000)) / 100.0,
       timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => h(i, 10, 2 * 365 * 86400))
FROM generate_series(1, 1000000) AS i;
CREATE INDEX orders_created_at_idx ON orders (created_at);

-- order_items: 1.5M rows, indexed on order_id, foreign keys to orders and products.
CREATE TABLE order_items (
    id         int PRIMARY KEY,
    order_id   int NOT NULL REFERENCES orders (id),
    product_id int NOT NULL REFERENCES products (id),
    qty        int NOT NULL,
    price      numeric(10,2) NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO order_items
SELECT i,
       1 + (i - 1) * 2 / 3,
       1 + h(i, 11, 10000),
       1 + h(i, 12, 5),
       (1 + h(i, 13, 50000)) / 100.0
FROM generate_series(1, 1500000) AS i;
CREATE INDEX order_items_order_id_idx ON order_items (order_id);

-- events: 240k rows with a jsonb payload, range-partitioned by month over 2024 (12 partitions).
CREATE TABLE events (
    id         bigint NOT NULL,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL
) PARTITION BY RANGE (created_at);
DO $$
BEGIN
    FOR m IN 1..12 LOOP
        EXECUTE format('CREATE TABLE events_2024_%s PARTITION OF events FOR VALUES FROM (%L) TO (%L) WITH (autovacuum_enabled = off)',
                       lpad(m::text, 2, '0'),
                       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'),
                       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC') + interval '1 month');
    END LOOP;
END $$;
INSERT INTO events
SELECT i,
       (ARRAY['click','view','purchase','signup','logout'])[1 + h(i, 14, 5)],
       jsonb_build_object('user_id', 1 + h(i, 15, 200000),
                          'page', '/p/' || h(i, 16, 500),
                          'ms', h(i, 17, 3000),
                          'tags', jsonb_build_array('t' || h(i, 18, 20), 't' || h(i, 19, 20))),
       timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => h(i, 20, 365 * 86400))
FROM generate_series(1, 240000) AS i;
CREATE INDEX events_created_at_idx ON events (created_at);

-- accounts: 300k rows, autovacuum off, then 40% updated and 10% deleted without VACUUM,
-- so the visibility map is empty and index-only scans need heap fetches.
CREATE TABLE accounts (
    id      int PRIMARY KEY,
    balance int NOT NULL,
    note    text NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO accounts SELECT i, h(i, 21, 10000), 'account ' || i FROM generate_series(1, 300000) AS i;

VACUUM ANALYZE customers, products, orders, order_items, events;
ANALYZE accounts;
UPDATE accounts SET balance = balance + 1 WHERE h(id, 22, 10) < 4;
DELETE FROM accounts WHERE h(id, 23, 10) = 0;

-- accounts_vacuumed: the same churn, followed by VACUUM (all-visible pages, Heap Fetches 0).
CREATE TABLE accounts_vacuumed (
    id      int PRIMARY KEY,
    balance int NOT NULL,
    note    text NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO accounts_vacuumed SELECT i, h(i, 21, 10000), 'account ' || i FROM generate_series(1, 300000) AS i;
UPDATE accounts_vacuumed SET balance = balance + 1 WHERE h(id, 22, 10) < 4;
DELETE FROM accounts_vacuumed WHERE h(id, 23, 10) = 0;
VACUUM ANALYZE accounts_vacuumed;
