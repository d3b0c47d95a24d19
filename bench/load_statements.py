#!/usr/bin/env python3
"""Prints SQL that creates 100 tables and runs N distinct statements (default 5,000) against them.

Statements are 300-700 characters, like an application's: a varying select list, two predicates and
an ORDER BY, each combination a distinct pg_stat_statements entry. One in ten is an IN list whose
length varies, so several queryids share one fingerprint, as in real workloads.
"""
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
rng = random.Random(42)
cols = [f"column_with_a_longer_name_{i:02d}" for i in range(20)]
print("SET client_min_messages = warning;")
for t in range(100):
    defs = ", ".join(f"{c} int" for c in cols)
    print(f"DROP TABLE IF EXISTS bench_table_{t:03d}; CREATE TABLE bench_table_{t:03d} ({defs});")
print("SELECT pg_stat_statements_reset();")
seen = set()
while len(seen) < count:
    t = rng.randrange(100)
    if rng.random() < 0.1:
        n = rng.randint(1, 30)
        key = ("in", t, n)
        sql = (f"SELECT {', '.join(cols[:8])} FROM bench_table_{t:03d} "
               f"WHERE {cols[0]} IN ({', '.join(str(i) for i in range(n))})")
    else:
        select = tuple(sorted(rng.sample(range(20), rng.randint(6, 14))))
        a, b, o = rng.sample(range(20), 3)
        key = (t, select, a, b, o)
        sql = (f"SELECT {', '.join(cols[i] for i in select)} FROM bench_table_{t:03d} "
               f"WHERE {cols[a]} = {rng.randint(1, 99)} AND {cols[b]} > {rng.randint(1, 99)} ORDER BY {cols[o]}")
    if key in seen:
        continue
    seen.add(key)
    print(sql + ";")
