-- OptiSchema advisor benchmark: a marketplace schema and its deterministic data.
--
-- Primary keys and foreign keys only: the secondary indexes the workload (workload.sql) needs are
-- deliberately missing; expert.sql holds the expert's answer. Data comes from generate_series and
-- hashint4, so every load produces exactly the same rows.
--
--   categories       200 rows   (a small table: a sequential scan is the right plan)
--   users        500,000 rows   mixed-case e-mails, skewed country and status
--   products     200,000 rows
--   sessions   1,000,000 rows   20% of them belong to 1,000 heavy users
--   orders     2,000,000 rows   status skewed: delivered ~90%, fraud_review ~0.05%;
--                               10% of the orders belong to 1,000 business accounts
--   order_items 3,000,000 rows  PRIMARY KEY (order_id, line_no) already serves lookups by order
--   reviews      500,000 rows   20% of them on 500 popular products
--   events     2,000,000 rows   jsonb payload with a campaign among 500
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

DROP TABLE IF EXISTS events, reviews, order_items, orders, sessions, products, users, categories CASCADE;

-- h(x, n): a deterministic pseudo-random integer in [0, n).
CREATE OR REPLACE FUNCTION bench_h(x bigint, n int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((hashint8(x)::bigint + 2147483648) % n)::int $$;

CREATE TABLE categories (
    id        int PRIMARY KEY,
    parent_id int REFERENCES categories (id),
    name      text NOT NULL
);

CREATE TABLE users (
    id          bigint PRIMARY KEY,
    email       text NOT NULL,
    full_name   text NOT NULL,
    country     char(2) NOT NULL,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    referred_by bigint REFERENCES users (id)
);

CREATE TABLE products (
    id          bigint PRIMARY KEY,
    seller_id   bigint NOT NULL REFERENCES users (id),
    category_id int NOT NULL REFERENCES categories (id),
    sku         text NOT NULL,
    title       text NOT NULL,
    price       numeric(10, 2) NOT NULL,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE sessions (
    id         bigint PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    token      text NOT NULL,
    started_at timestamptz NOT NULL,
    user_agent text NOT NULL
);

CREATE TABLE orders (
    id               bigint PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users (id),
    status           text NOT NULL,
    created_at       timestamptz NOT NULL,
    total            numeric(12, 2) NOT NULL,
    shipping_country char(2) NOT NULL,
    coupon_code      text
);

CREATE TABLE order_items (
    order_id   bigint NOT NULL REFERENCES orders (id),
    line_no    int NOT NULL,
    product_id bigint NOT NULL REFERENCES products (id),
    quantity   int NOT NULL,
    unit_price numeric(10, 2) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE reviews (
    id         bigint PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES products (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    rating     int NOT NULL,
    created_at timestamptz NOT NULL,
    body       text NOT NULL
);

CREATE TABLE events (
    id         bigint PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    session_id bigint REFERENCES sessions (id),
    kind       text NOT NULL,
    created_at timestamptz NOT NULL,
    payload    jsonb NOT NULL
);

-- Foreign keys are checked per row on insert; load with the triggers off, then validate once.
ALTER TABLE users DISABLE TRIGGER ALL;
ALTER TABLE products DISABLE TRIGGER ALL;
ALTER TABLE sessions DISABLE TRIGGER ALL;
ALTER TABLE orders DISABLE TRIGGER ALL;
ALTER TABLE order_items DISABLE TRIGGER ALL;
ALTER TABLE reviews DISABLE TRIGGER ALL;
ALTER TABLE events DISABLE TRIGGER ALL;

INSERT INTO categories (id, parent_id, name)
SELECT g,
       CASE WHEN g > 20 THEN 1 + (g % 20) END,
       CASE WHEN g <= 20
            THEN (ARRAY['Electronics','Books','Garden','Toys','Fashion','Home','Sports','Beauty','Grocery','Music',
                        'Movies','Games','Auto','Pets','Baby','Health','Office','Tools','Jewelry','Art'])[g]
            ELSE 'Subcategory ' || g END
FROM generate_series(1, 200) g;

INSERT INTO users (id, email, full_name, country, status, created_at, referred_by)
SELECT g,
       f || '.' || l || g || '@' || (ARRAY['Example.com','Mail.net','Inbox.org','Corp.io'])[1 + bench_h(g * 7, 4)],
       f || ' ' || l,
       CASE WHEN c < 400 THEN 'US' WHEN c < 550 THEN 'DE' WHEN c < 680 THEN 'GB' WHEN c < 780 THEN 'FR'
            WHEN c < 860 THEN 'JP' WHEN c < 920 THEN 'BR' WHEN c < 960 THEN 'CA' WHEN c < 985 THEN 'AU'
            WHEN c < 995 THEN 'NZ' ELSE 'IS' END,
       CASE WHEN s < 850 THEN 'active' WHEN s < 950 THEN 'inactive' WHEN s < 995 THEN 'suspended' ELSE 'banned' END,
       timestamptz '2022-01-01 00:00:00+00' + bench_h(g * 11, 3 * 365 * 86400) * interval '1 second',
       CASE WHEN g > 1000 AND bench_h(g * 13, 10) = 0 THEN 1 + bench_h(g * 17, g::int - 1) END
FROM (
    SELECT g,
           (ARRAY['Alice','Bob','Carol','Dave','Eve','Frank','Grace','Heidi','Ivan','Judy','Mallory','Niaj',
                  'Olivia','Peggy','Rupert','Sybil','Trent','Uma','Victor','Walter','Xena','Yusuf','Zoe','Aaron',
                  'Bianca','Chen','Dmitri','Elena','Farah','Gustav','Hana','Igor','Jamal','Kenji','Lena','Mateo',
                  'Nora','Oscar','Priya','Quinn'])[1 + bench_h(g, 40)] AS f,
           (ARRAY['Smith','Jones','Brown','Garcia','Miller','Davis','Wilson','Moore','Taylor','Anderson','Thomas',
                  'Jackson','White','Harris','Martin','Thompson','Lee','Walker','Hall','Allen','Young','King',
                  'Wright','Lopez','Hill','Scott','Green','Adams','Baker','Nelson','Carter','Mitchell','Perez',
                  'Roberts','Turner','Phillips','Campbell','Parker','Evans','Edwards','Collins','Stewart',
                  'Sanchez','Morris','Rogers','Reed','Cook','Morgan','Bell','Murphy'])[1 + bench_h(g * 3, 50)] AS l,
           bench_h(g * 5, 1000) AS c,
           bench_h(g * 19, 1000) AS s
    FROM generate_series(1, 500000) g
) u;

INSERT INTO products (id, seller_id, category_id, sku, title, price, status, created_at)
SELECT g,
       1 + bench_h(g * 23, 500000),
       1 + bench_h(g * 29, 200),
       'SKU-' || lpad(((g * 7919) % 1000003)::text, 7, '0'),
       (ARRAY['Deluxe','Compact','Classic','Smart','Eco','Pro','Mini','Ultra'])[1 + bench_h(g * 31, 8)] || ' ' ||
       (ARRAY['Lamp','Chair','Phone','Book','Kettle','Shoes','Watch','Drone','Guitar','Tent'])[1 + bench_h(g * 37, 10)] ||
       ' #' || g,
       (1 + bench_h(g * 41, 50000)) / 100.0,
       CASE WHEN bench_h(g * 43, 100) < 92 THEN 'active' ELSE 'archived' END,
       timestamptz '2021-06-01 00:00:00+00' + bench_h(g * 47, 3 * 365 * 86400) * interval '1 second'
FROM generate_series(1, 200000) g;

INSERT INTO sessions (id, user_id, token, started_at, user_agent)
SELECT g,
       CASE WHEN bench_h(g * 53, 5) = 0 THEN 1 + bench_h(g * 59, 1000) ELSE 1 + bench_h(g * 61, 500000) END,
       md5('session' || g),
       timestamptz '2023-01-01 00:00:00+00' + bench_h(g * 67, 2 * 365 * 86400) * interval '1 second',
       (ARRAY['Mozilla/5.0 (iPhone)','Mozilla/5.0 (Android)','Mozilla/5.0 (Windows NT 10.0)',
              'Mozilla/5.0 (Macintosh)'])[1 + bench_h(g * 71, 4)]
FROM generate_series(1, 1000000) g;

INSERT INTO orders (id, user_id, status, created_at, total, shipping_country, coupon_code)
SELECT g,
       CASE WHEN bench_h(g * 73, 10) = 0 THEN 1 + bench_h(g * 79, 1000) ELSE 1 + bench_h(g * 83, 500000) END,
       CASE WHEN s < 9000 THEN 'delivered' WHEN s < 9400 THEN 'shipped' WHEN s < 9700 THEN 'pending'
            WHEN s < 9850 THEN 'cancelled' WHEN s < 9995 THEN 'refunded' ELSE 'fraud_review' END,
       timestamptz '2023-01-01 00:00:00+00' + bench_h(g * 89, 2 * 365 * 86400) * interval '1 second',
       (500 + bench_h(g * 97, 50000)) / 100.0,
       (ARRAY['US','US','US','DE','GB','FR','JP','BR','CA','AU'])[1 + bench_h(g * 101, 10)],
       CASE WHEN bench_h(g * 103, 20) = 0 THEN 'PROMO-' || bench_h(g * 107, 5000) END
FROM (SELECT g, bench_h(g * 109, 10000) AS s FROM generate_series(1, 2000000) g) o;

INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o, l,
       1 + bench_h(o * 3 + l, 200000),
       1 + bench_h(o * 5 + l, 4),
       (100 + bench_h(o * 7 + l, 20000)) / 100.0
FROM generate_series(1, 2000000) o
CROSS JOIN generate_series(1, 2) l
WHERE l <= 1 + bench_h(o * 113, 2);

INSERT INTO reviews (id, product_id, user_id, rating, created_at, body)
SELECT g,
       CASE WHEN bench_h(g * 127, 5) = 0 THEN 1 + bench_h(g * 131, 500) ELSE 1 + bench_h(g * 137, 200000) END,
       1 + bench_h(g * 139, 500000),
       1 + bench_h(g * 149, 5),
       timestamptz '2023-01-01 00:00:00+00' + bench_h(g * 151, 2 * 365 * 86400) * interval '1 second',
       (ARRAY['Great value, would buy again.','Arrived late but works.','Not as described.',
              'Five stars, excellent quality.','Broke after a week.'])[1 + bench_h(g * 157, 5)]
FROM generate_series(1, 500000) g;

INSERT INTO events (id, user_id, session_id, kind, created_at, payload)
SELECT g,
       1 + bench_h(g * 163, 500000),
       1 + bench_h(g * 167, 1000000),
       (ARRAY['page_view','page_view','page_view','search','add_to_cart','checkout','login'])[1 + bench_h(g * 173, 7)],
       timestamptz '2024-01-01 00:00:00+00' + bench_h(g * 179, 365 * 86400) * interval '1 second',
       jsonb_build_object('campaign', 'camp_' || bench_h(g * 181, 500),
                          'device', (ARRAY['ios','android','web'])[1 + bench_h(g * 191, 3)],
                          'value', bench_h(g * 193, 1000))
FROM generate_series(1, 2000000) g;

ALTER TABLE users ENABLE TRIGGER ALL;
ALTER TABLE products ENABLE TRIGGER ALL;
ALTER TABLE sessions ENABLE TRIGGER ALL;
ALTER TABLE orders ENABLE TRIGGER ALL;
ALTER TABLE order_items ENABLE TRIGGER ALL;
ALTER TABLE reviews ENABLE TRIGGER ALL;
ALTER TABLE events ENABLE TRIGGER ALL;

DROP FUNCTION bench_h(bigint, int);

VACUUM ANALYZE;
