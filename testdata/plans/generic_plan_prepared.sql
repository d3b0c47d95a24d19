-- explained with: EXPLAIN (FORMAT JSON)
SET jit = off;
PREPARE q(int) AS SELECT * FROM orders WHERE customer_id = $1;
SET plan_cache_mode = force_generic_plan;
EXECUTE q(1);
