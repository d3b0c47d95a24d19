#!/usr/bin/env python3
"""Verifies the recorded EXPLAIN fixtures in this directory.

    python3 testdata/plans/check_plans.py [DIR] [--keys]

Every <case>.json must be valid JSON holding exactly one EXPLAIN output (a list with one object
that has "Plan"), and each known case must show the property it was recorded for. Prints one
line per case with the key numbers, then (with --keys) every distinct property key seen.
Exits non-zero if any check fails.
"""
import json
import os
import sys


def nodes(plan):
    """All plan nodes, depth first, with their parent."""
    stack = [(plan, None)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        for child in reversed(node.get("Plans", [])):
            stack.append((child, node))


def find(plan, **want):
    out = []
    for node, _ in nodes(plan):
        if all(node.get(k) == v for k, v in want.items()):
            out.append(node)
    return out


def one(plan, **want):
    found = find(plan, **want)
    assert found, f"no node with {want}"
    return found[0]


def collect_keys(value, keys, where="root"):
    """keys[key] = {(context, json type)}; context is the object the key sits in: root, node (a plan
    node), Workers (a per-worker entry of a node), Planning, JIT, Triggers, Settings (whose keys are
    GUC names, reported as <GUC name>), ..."""
    types = {dict: "object", list: "array", str: "string", bool: "bool", int: "int", float: "float"}
    if isinstance(value, dict):
        for k, v in value.items():
            name = "<GUC name>" if where == "Settings" else k
            keys.setdefault(name, set()).add((where, types.get(type(v), "null")))
            if k in ("Plan", "Plans"):
                sub = "node"
            elif k == "Workers" and where in ("node", "Workers"):
                sub = "Workers"
            else:
                sub = k
            collect_keys(v, keys, sub)
    elif isinstance(value, list):
        for v in value:
            collect_keys(v, keys, where)


# Each check gets (root object, plan, raw text) and returns a short summary of the key numbers;
# it raises AssertionError when the property is missing.
def seq_scan_few_rows(r, p, raw):
    n = one(p, **{"Node Type": "Seq Scan", "Relation Name": "orders"})
    assert n["Actual Rows"] * n["Actual Loops"] < 100 and n["Rows Removed by Filter"] > 100000
    return f'Seq Scan orders: {n["Actual Rows"]} rows kept, Rows Removed by Filter {n["Rows Removed by Filter"]}'


def index_scan_good(r, p, raw):
    n = one(p, **{"Node Type": "Index Scan", "Index Name": "orders_pkey"})
    assert n["Actual Rows"] == 1 and r["Execution Time"] < 50
    return f'Index Scan orders_pkey, 1 row, Execution Time {r["Execution Time"]} ms'


def estimate_off(r, p, raw):
    best = None
    for n, _ in nodes(p):
        ratio = max(n["Actual Rows"], 1) / max(n["Plan Rows"], 1)
        if best is None or ratio > best[0]:
            best = (ratio, n)
    ratio, n = best
    assert ratio >= 10
    return f'{n["Node Type"]}: Plan Rows {n["Plan Rows"]} vs Actual Rows {n["Actual Rows"]} ({ratio:.0f}x under)'


def sort_spill(r, p, raw):
    n = one(p, **{"Node Type": "Sort"})
    assert n["Sort Method"] == "external merge" and n["Sort Space Type"] == "Disk"
    return f'Sort Method external merge, Sort Space Used {n["Sort Space Used"]} kB Disk, temp written {n["Temp Written Blocks"]} blocks'


def sort_in_memory(r, p, raw):
    n = one(p, **{"Node Type": "Sort"})
    assert n["Sort Method"] == "quicksort" and n["Sort Space Type"] == "Memory"
    return f'Sort Method quicksort, Sort Space Used {n["Sort Space Used"]} kB Memory'


def hash_batches(r, p, raw):
    h = one(p, **{"Node Type": "Hash"})
    assert h["Hash Batches"] > 1
    one(p, **{"Node Type": "Hash Join"})
    return (f'Hash Join; Hash Batches {h["Hash Batches"]} (Original {h["Original Hash Batches"]}), '
            f'Hash Buckets {h["Hash Buckets"]}, Peak Memory Usage {h["Peak Memory Usage"]} kB')


def nested_loop_inner_scan(r, p, raw):
    nl = one(p, **{"Node Type": "Nested Loop"})
    inner = nl["Plans"][1]
    assert inner["Node Type"] == "Seq Scan" and inner["Actual Loops"] >= 200
    return (f'Nested Loop; inner Seq Scan {inner["Relation Name"]} Actual Loops {inner["Actual Loops"]} x '
            f'{inner["Actual Rows"]} rows; Join Filter "{nl["Join Filter"]}", Rows Removed by Join Filter {nl["Rows Removed by Join Filter"]}')


def index_only_heap_fetches(r, p, raw):
    n = one(p, **{"Node Type": "Index Only Scan"})
    assert n["Heap Fetches"] > 100000
    return f'Index Only Scan accounts_pkey, Actual Rows {n["Actual Rows"]}, Heap Fetches {n["Heap Fetches"]}'


def index_only_clean(r, p, raw):
    n = one(p, **{"Node Type": "Index Only Scan"})
    assert n["Heap Fetches"] == 0
    return f'Index Only Scan {n["Index Name"]}, Actual Rows {n["Actual Rows"]}, Heap Fetches 0'


def bitmap_lossy(r, p, raw):
    n = one(p, **{"Node Type": "Bitmap Heap Scan"})
    assert n["Lossy Heap Blocks"] > 0
    return (f'Bitmap Heap Scan: Exact Heap Blocks {n["Exact Heap Blocks"]}, Lossy Heap Blocks {n["Lossy Heap Blocks"]}, '
            f'Rows Removed by Index Recheck {n["Rows Removed by Index Recheck"]}')


def bitmap_exact(r, p, raw):
    n = one(p, **{"Node Type": "Bitmap Heap Scan"})
    assert n["Exact Heap Blocks"] > 0 and n["Lossy Heap Blocks"] == 0
    return f'Bitmap Heap Scan: Exact Heap Blocks {n["Exact Heap Blocks"]}, Lossy Heap Blocks 0'


def cold_reads(r, p, raw):
    assert p["Shared Read Blocks"] > p["Shared Hit Blocks"]
    return (f'Shared Read Blocks {p["Shared Read Blocks"]} vs Shared Hit Blocks {p["Shared Hit Blocks"]}, '
            f'I/O Read Time {p.get("I/O Read Time")} ms')


def parallel_seq_scan(r, p, raw):
    g = [n for n, _ in nodes(p) if n["Node Type"] in ("Gather", "Gather Merge")][0]
    assert g["Workers Planned"] == 2 and g["Workers Launched"] == 2
    s = one(p, **{"Node Type": "Seq Scan", "Parallel Aware": True})
    return (f'{g["Node Type"]}: Workers Planned 2, Launched 2; Parallel Seq Scan with '
            f'{len(s.get("Workers", []))} per-worker entries, Actual Loops {s["Actual Loops"]}')


def parallel_not_launched(r, p, raw):
    g = [n for n, _ in nodes(p) if n["Node Type"] in ("Gather", "Gather Merge")][0]
    assert g["Workers Planned"] == 2 and g["Workers Launched"] == 0
    return f'{g["Node Type"]}: Workers Planned 2, Workers Launched 0'


def jit_heavy(r, p, raw):
    jit = r["JIT"]
    total = jit["Timing"]["Total"]
    assert total >= 0.5 * r["Execution Time"]
    return (f'JIT Functions {jit["Functions"]}, JIT Total {total:.1f} ms of Execution Time '
            f'{r["Execution Time"]:.1f} ms (Options: {jit["Options"]})')


def large_offset(r, p, raw):
    assert p["Node Type"] == "Limit" and p["Actual Rows"] == 20
    child = p["Plans"][0]
    assert child["Actual Rows"] >= 100020
    return f'Limit 20 rows over {child["Node Type"]} producing {child["Actual Rows"]} rows'


def not_in_subquery(r, p, raw):
    sub = [n for n, _ in nodes(p) if n.get("Subplan Name", "").startswith(("SubPlan", "hashed SubPlan"))]
    assert sub
    f = [n for n, _ in nodes(p) if "SubPlan" in n.get("Filter", "")]
    assert f
    return f'Filter "{f[0]["Filter"]}", subplan "{sub[0]["Subplan Name"]}" Actual Loops {sub[0]["Actual Loops"]}'


def or_across_relations(r, p, raw):
    j = [n for n, _ in nodes(p) if " OR " in n.get("Join Filter", "") or " OR " in n.get("Filter", "")]
    assert j
    n = j[0]
    return (f'{n["Node Type"]} with filter "{n.get("Join Filter", n.get("Filter"))}", '
            f'Rows Removed by {"Join " if "Join Filter" in n else ""}Filter '
            f'{n.get("Rows Removed by Join Filter", n.get("Rows Removed by Filter"))}')


def function_on_column(r, p, raw):
    n = one(p, **{"Node Type": "Seq Scan", "Relation Name": "customers"})
    assert "lower(" in n["Filter"]
    return f'Seq Scan customers, Filter "{n["Filter"]}", Rows Removed by Filter {n["Rows Removed by Filter"]}'


def function_on_column_cast(r, p, raw):
    n = one(p, **{"Node Type": "Seq Scan", "Relation Name": "orders"})
    assert "::date" in n["Filter"]
    return f'Seq Scan orders, Filter "{n["Filter"]}", Rows Removed by Filter {n["Rows Removed by Filter"]}'


def correlated_subquery(r, p, raw):
    sub = [n for n, _ in nodes(p) if n.get("Parent Relationship") == "SubPlan"][0]
    assert sub["Actual Loops"] == 299 and p["Actual Rows"] == 299
    scan = [n for n, _ in nodes(sub) if "Rows Removed by Filter" in n][0]
    return (f'{sub["Subplan Name"]} Actual Loops {sub["Actual Loops"]}; inside it {scan["Node Type"]} {scan.get("Index Name", "")} '
            f'Actual Loops {scan["Actual Loops"]}, Rows Removed by Filter {scan["Rows Removed by Filter"]} (per loop); '
            f'Execution Time {r["Execution Time"]:.0f} ms')


def cte_materialized(r, p, raw):
    scans = find(p, **{"Node Type": "CTE Scan", "CTE Name": "x"})
    assert len(scans) == 2
    cte = [n for n, _ in nodes(p) if n.get("Subplan Name") == "CTE x"]
    assert cte
    return f'CTE x (Subplan Name "CTE x") scanned by 2 CTE Scan nodes, {cte[0]["Actual Rows"]} rows materialized'


def initplan(r, p, raw):
    n = [n for n, _ in nodes(p) if n.get("Parent Relationship") == "InitPlan"]
    assert n
    return f'InitPlan node "{n[0]["Subplan Name"]}" ({n[0]["Node Type"]}), Actual Loops {n[0]["Actual Loops"]}'


def merge_join(r, p, raw):
    n = one(p, **{"Node Type": "Merge Join"})
    return f'Merge Join, Merge Cond "{n["Merge Cond"]}", Actual Rows {n["Actual Rows"]}'


def hash_aggregate(r, p, raw):
    n = one(p, **{"Node Type": "Aggregate", "Strategy": "Hashed"})
    return f'Aggregate Strategy Hashed, {n["Actual Rows"]} groups, HashAgg Batches {n.get("HashAgg Batches")}, Peak Memory Usage {n.get("Peak Memory Usage")} kB'


def hash_aggregate_spill(r, p, raw):
    n = one(p, **{"Node Type": "Aggregate", "Strategy": "Hashed"})
    assert n["HashAgg Batches"] > 1 and n["Disk Usage"] > 0
    return (f'Aggregate Strategy Hashed, Planned Partitions {n["Planned Partitions"]}, HashAgg Batches {n["HashAgg Batches"]}, '
            f'Disk Usage {n["Disk Usage"]} kB, Peak Memory Usage {n["Peak Memory Usage"]} kB')


def group_aggregate(r, p, raw):
    n = one(p, **{"Node Type": "Aggregate", "Strategy": "Sorted"})
    return f'Aggregate Strategy Sorted (GroupAggregate), {n["Actual Rows"]} groups, input {n["Plans"][0]["Node Type"]}'


def window_function(r, p, raw):
    n = one(p, **{"Node Type": "WindowAgg"})
    return f'WindowAgg x{len(find(p, **{"Node Type": "WindowAgg"}))}, Actual Rows {n["Actual Rows"]}'


def append_union(r, p, raw):
    n = one(p, **{"Node Type": "Append"})
    assert len(n["Plans"]) >= 3
    return f'Append with {len(n["Plans"])} children, Actual Rows {n["Actual Rows"]}'


def limit_top_n(r, p, raw):
    n = one(p, **{"Node Type": "Sort"})
    assert n["Sort Method"] == "top-N heapsort"
    return f'Limit over Sort Method top-N heapsort, Sort Space Used {n["Sort Space Used"]} kB'


def insert_returning(r, p, raw):
    assert p["Node Type"] == "ModifyTable" and p["Operation"] == "Insert" and p["WAL Records"] > 0
    return f'ModifyTable Insert, {p["Actual Rows"]} rows returned, WAL Records {p["WAL Records"]}, WAL Bytes {p["WAL Bytes"]}, WAL FPI {p["WAL FPI"]}'


def update_with_trigger_fk(r, p, raw):
    assert p["Node Type"] == "ModifyTable" and p["Operation"] == "Update"
    trig = r["Triggers"]
    assert trig and any(t["Trigger Name"].startswith("RI_ConstraintTrigger") for t in trig)
    t = trig[0]
    return f'ModifyTable Update; Triggers: {t["Trigger Name"]} Calls {t["Calls"]} Time {t["Time"]:.1f} ms; WAL Records {p["WAL Records"]}'


def no_analyze_join(r, p, raw):
    assert "Actual Rows" not in raw and "Execution Time" not in r
    joins = [n for n, _ in nodes(p) if n["Node Type"] in ("Hash Join", "Nested Loop", "Merge Join")]
    assert len(joins) >= 2
    return f'{len(joins)} joins ({", ".join(n["Node Type"] for n in joins)}), estimates only, Total Cost {p["Total Cost"]}'


def generic_plan_prepared(r, p, raw):
    assert "Actual Rows" not in raw
    f = [n for n, _ in nodes(p) if "$1" in n.get("Filter", "")]
    assert f
    return f'generic plan, Filter "{f[0]["Filter"]}", Plan Rows {f[0]["Plan Rows"]}'


def memoize(r, p, raw):
    n = one(p, **{"Node Type": "Memoize"})
    assert n["Cache Hits"] > 0
    return f'Memoize Cache Key {n["Cache Key"]}, Cache Hits {n["Cache Hits"]}, Cache Misses {n["Cache Misses"]}'


def incremental_sort(r, p, raw):
    n = one(p, **{"Node Type": "Incremental Sort"})
    return f'Incremental Sort, Presorted Key {n["Presorted Key"]}, Full-sort Groups {n["Full-sort Groups"]["Group Count"]}'


def big_plan(r, p, raw):
    assert len(raw) >= 30000
    return f'{len(raw)} bytes of JSON, {sum(1 for _ in nodes(p))} plan nodes'


CHECKS = {f.__name__: f for f in [
    seq_scan_few_rows, index_scan_good, estimate_off, sort_spill, sort_in_memory, hash_batches,
    nested_loop_inner_scan, index_only_heap_fetches, index_only_clean, bitmap_lossy, bitmap_exact,
    cold_reads, parallel_seq_scan, parallel_not_launched, jit_heavy, large_offset, not_in_subquery,
    or_across_relations, function_on_column, function_on_column_cast, correlated_subquery,
    cte_materialized, initplan, merge_join, hash_aggregate, hash_aggregate_spill, group_aggregate,
    window_function, append_union, limit_top_n, insert_returning, update_with_trigger_fk,
    no_analyze_join, generic_plan_prepared, memoize, incremental_sort, big_plan]}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    d = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    failed = 0
    keys = {}
    files = sorted(f for f in os.listdir(d) if f.endswith(".json"))
    for f in files:
        name = f[:-5]
        raw = open(os.path.join(d, f)).read()
        try:
            doc = json.loads(raw)
            assert isinstance(doc, list) and len(doc) == 1 and "Plan" in doc[0], "not exactly one EXPLAIN output"
            collect_keys(doc, keys)
            check = CHECKS.get(name)
            summary = check(doc[0], doc[0]["Plan"], raw) if check else "(no check)"
            print(f"ok   {name}: {summary}")
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    missing = sorted(set(CHECKS) - {f[:-5] for f in files})
    for m in missing:
        print(f"MISSING {m}")
    if "--keys" in sys.argv:
        print(f"\n{len(keys)} distinct keys (context: type):")
        order = ["root", "Planning", "Settings", "Triggers", "JIT", "Options", "Timing", "node",
                 "Workers", "Full-sort Groups", "Sort Space Memory"]
        def rank(k):
            return min(order.index(c) if c in order else len(order) for c, _ in keys[k]), k
        for k in sorted(keys, key=rank):
            where = ", ".join(f"{c}: {t}" for c, t in sorted(keys[k]))
            print(f"  {k:32} {where}")
    print(f"\n{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
