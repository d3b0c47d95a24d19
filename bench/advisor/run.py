#!/usr/bin/env python3
"""OptiSchema advisor benchmark.

Loads the marketplace of bench/advisor/schema.sql into a throwaway cluster, times
`optischema advise` on bench/advisor/workload.sql, then measures the workload's real latency
(EXPLAIN ANALYZE, median of 3 runs after a warm-up) three times: without secondary indexes, with the
advisor's recommendations built for real, and with the expert's set (bench/advisor/expert.sql).
Prints a Markdown report and writes it to build/advisor-bench.md.

    python3 bench/advisor/run.py

Exits 0 when the benchmark ran, whatever the results; non-zero only when something broke.
Standard library only; psql comes from PG_BINDIR or the newest /usr/lib/postgresql/*/bin.
"""
from __future__ import annotations

import glob
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(ROOT, "bench", "advisor")
CLUSTER_DIR = os.path.join(ROOT, "build", "advisor-bench-pg")
PORT = "5436"
REPORT = os.path.join(ROOT, "build", "advisor-bench.md")
ADVICE_JSON = os.path.join(ROOT, "build", "advisor-bench-advise.json")
OPTISCHEMA = os.path.join(ROOT, "build", "optischema")
RUNS = 3           # measured runs per statement (after one warm-up); the median is kept
HELPS = 0.20       # an index helps when one of its statements got at least this much faster
EQUALLY_GOOD = 0.10  # advisor latency within this share of the expert's counts as a match


def log(msg: str) -> None:
    print(f"[advisor-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pg_bindir() -> str:
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    dirs = glob.glob("/usr/lib/postgresql/*/bin")
    if not dirs:
        raise RuntimeError("no PostgreSQL found; run scripts/setup.sh")
    return max(dirs, key=lambda d: [int(x) for x in re.findall(r"\d+", d)])


PSQL = os.path.join(pg_bindir(), "psql")


def psql(dsn: str, sql: str | None = None, file: str | None = None) -> str:
    cmd = [PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", dsn]
    if file:
        cmd += ["-f", file]
    proc = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed ({proc.returncode}): {proc.stderr.strip()}\n--- input ---\n{(sql or file)[:2000]}")
    return proc.stdout


def split_statements(text: str) -> list[str]:
    """The statements of a ';'-separated file, without comment lines (no ';' inside literals here)."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def normalize(sql: str) -> str:
    sql = "\n".join(ln for ln in sql.splitlines() if not ln.lstrip().startswith("--"))
    return re.sub(r"\s+", " ", sql).strip().rstrip(";").strip().lower()


def is_write(sql: str) -> bool:
    return re.match(r"\s*(insert|update|delete|merge)\b", sql, re.I) is not None


def index_names(plan: dict) -> set[str]:
    names = set()
    if "Index Name" in plan:
        names.add(plan["Index Name"])
    for child in plan.get("Plans", []):
        names |= index_names(child)
    return names


def measure(dsn: str, statements: list[str]) -> list[dict]:
    """Median EXPLAIN ANALYZE execution time (ms) of each statement and the indexes its plan used."""
    out = []
    marker = "@@optischema-bench@@"
    for sql in statements:
        explain = f"EXPLAIN (ANALYZE, FORMAT JSON) {sql};"
        if is_write(sql):
            explain = f"BEGIN;\n{explain}\nROLLBACK;"
        script = "\n".join([explain, f"\\echo {marker}"] * (RUNS + 1))
        chunks = [c.strip() for c in psql(dsn, script).split(marker)]
        plans = [json.loads(c)[0] for c in chunks if c][1:]  # the first run is the warm-up
        times = [p["Execution Time"] for p in plans]
        out.append({"ms": statistics.median(times), "indexes": index_names(plans[-1]["Plan"])})
    return out


def apply(dsn: str, ddls: list[str]) -> float:
    start = time.monotonic()
    for ddl in ddls:
        psql(dsn, ddl)
    psql(dsn, "ANALYZE;")
    return time.monotonic() - start


def strip_concurrently(ddl: str) -> str:
    return re.sub(r"\s+CONCURRENTLY\b", "", ddl, flags=re.I)


def norm_col(col: str) -> str:
    col = re.sub(r"\s+(asc|desc)(\s+nulls\s+(first|last))?$", "", col.strip(), flags=re.I)
    col = re.sub(r"\s+\w+_ops$", "", col)
    return re.sub(r"[\s()\"]", "", col).lower()


def covers(advisor_idx: dict, expert_idx: dict) -> bool:
    """The advisor index's leading columns equal the expert index's columns (same table, method)."""
    if advisor_idx["table"] != expert_idx["table"] or advisor_idx["method"] != expert_idx["method"]:
        return False
    a = [norm_col(c) for c in advisor_idx["columns"]]
    e = [norm_col(c) for c in expert_idx["columns"]]
    return a[: len(e)] == e


def md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def run() -> str:
    statements = split_statements(open(os.path.join(HERE, "workload.sql")).read())
    expert = json.load(open(os.path.join(HERE, "expert.json")))
    n = len(statements)
    log(f"{n} statements; starting the cluster")

    out = subprocess.run([os.path.join(ROOT, "scripts", "pg_cluster.sh"), "start", CLUSTER_DIR, PORT],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"pg_cluster.sh start failed: {out.stderr}")
    admin_dsn = open(os.path.join(CLUSTER_DIR, "dsn")).read().strip()
    dsn = re.sub(r"dbname=\S+", "dbname=market", admin_dsn)
    psql(admin_dsn, "DROP DATABASE IF EXISTS market;")
    psql(admin_dsn, "CREATE DATABASE market;")
    log("loading schema.sql")
    t0 = time.monotonic()
    psql(dsn, file=os.path.join(HERE, "schema.sql"))
    load_s = time.monotonic() - t0
    rows = psql(dsn, "SELECT relname || '=' || n_live_tup FROM pg_stat_user_tables ORDER BY relname;").split()
    log(f"loaded in {load_s:.1f} s: {' '.join(rows)}")

    log("running optischema advise")
    t0 = time.monotonic()
    proc = subprocess.run([OPTISCHEMA, "advise", "--dsn", dsn, "--queries", os.path.join(HERE, "workload.sql"),
                           "--format", "json"], capture_output=True, text=True)
    advise_s = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"optischema advise failed ({proc.returncode}): {proc.stderr}")
    advice = json.loads(proc.stdout)
    with open(ADVICE_JSON, "w") as f:
        f.write(proc.stdout)
    recs = advice["recommendations"]
    log(f"advise took {advise_s:.2f} s: {len(recs)} recommendations, {len(advice['errors'])} errors")

    # Statement number (1-based) of a query text the advisor reports.
    by_text = {normalize(s): i + 1 for i, s in enumerate(statements)}

    def stmt_no(query: str) -> int | None:
        return by_text.get(normalize(query))

    for r in recs:
        r["name"] = re.search(r"INDEX\s+(?:CONCURRENTLY\s+)?(?:IF NOT EXISTS\s+)?(\S+)\s+ON", r["ddl"], re.I).group(1)
        r["serves"] = sorted({s for s in (stmt_no(q["query"]) for q in r["queries"]) if s})
    advisor_no_index = sorted({s for s in (stmt_no(x["query"]) for x in advice["no_index"]) if s})

    log("baseline latency")
    base = measure(dsn, statements)

    log(f"building the advisor's {len(recs)} indexes")
    adv_build_s = apply(dsn, [strip_concurrently(r["ddl"]) for r in recs])
    adv = measure(dsn, statements)
    adv_size = int(psql(dsn, "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_stat_user_indexes "
                        "WHERE indexrelname NOT LIKE '%pkey';").strip())
    for r in recs:
        rb = r.get("rollback") or f"DROP INDEX IF EXISTS {r['name']};"
        psql(dsn, strip_concurrently(rb))

    log(f"building the expert's {len(expert['indexes'])} indexes")
    exp_build_s = apply(dsn, [e["ddl"] for e in expert["indexes"]])
    exp = measure(dsn, statements)
    exp_size = int(psql(dsn, "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_stat_user_indexes "
                        "WHERE indexrelname NOT LIKE '%pkey';").strip())
    for e in expert["indexes"]:
        psql(dsn, f"DROP INDEX IF EXISTS {e['name']};")

    # ---- scoring
    no_index = set(expert["no_index"])
    expert_for = {i: [e for e in expert["indexes"] if i in e["serves"]] for i in range(1, n + 1)}
    advisor_for = {i: [r for r in recs if i in r["serves"]] for i in range(1, n + 1)}

    verdicts = {}
    matched = equally_good = 0
    for i in range(1, n + 1):
        if i in no_index:
            verdicts[i] = "false positive" if advisor_for[i] else "no index (ok)"
            continue
        if expert_for[i] and all(any(covers(r, e) for r in recs) for e in expert_for[i]):
            verdicts[i] = "match"
            matched += 1
        elif adv[i - 1]["ms"] <= exp[i - 1]["ms"] * (1 + EQUALLY_GOOD):
            verdicts[i] = "equally good"
            equally_good += 1
        else:
            verdicts[i] = "MISS"
    need_index = [i for i in range(1, n + 1) if i not in no_index]
    false_pos = [i for i in sorted(no_index) if advisor_for[i]]

    useless = []
    for r in recs:
        faster = [i for i in r["serves"] if adv[i - 1]["ms"] <= base[i - 1]["ms"] * (1 - HELPS)]
        used = [i for i in range(1, n + 1) if r["name"] in adv[i - 1]["indexes"]]
        r["used_by"] = used
        if not faster:
            useless.append(r)

    tot_base = sum(x["ms"] for x in base)
    tot_adv = sum(x["ms"] for x in adv)
    tot_exp = sum(x["ms"] for x in exp)
    share = (tot_base - tot_adv) / (tot_base - tot_exp) * 100 if tot_base > tot_exp else float("nan")
    # The same over the statements that need an index: the no-index statements' run-to-run noise
    # (whole-table aggregates of ~1 s) left out.
    ix_base = sum(base[i - 1]["ms"] for i in need_index)
    ix_adv = sum(adv[i - 1]["ms"] for i in need_index)
    ix_exp = sum(exp[i - 1]["ms"] for i in need_index)
    ix_share = (ix_base - ix_adv) / (ix_base - ix_exp) * 100 if ix_base > ix_exp else float("nan")

    # ---- report
    L = []
    L.append("## OptiSchema advisor benchmark")
    L.append("")
    L.append(f"Workload: {n} statements (bench/advisor/workload.sql) over "
             f"{', '.join(rows)} (loaded in {load_s:.0f} s).")
    L.append(f"Latency: median `Execution Time` of {RUNS} EXPLAIN ANALYZE runs after one warm-up; "
             "writes run inside BEGIN ... ROLLBACK.")
    L.append("")
    L.append("| # | statement | baseline ms | advisor ms | expert ms | advisor index (* = in the plan) | verdict |")
    L.append("|---:|---|---:|---:|---:|---|---|")
    for i, sql in enumerate(statements, 1):
        names = []
        for r in advisor_for[i]:
            names.append(r["name"] + ("*" if r["name"] in adv[i - 1]["indexes"] else ""))
        # Advisor indexes the plan used although the advisor did not attribute them to this statement.
        for r in recs:
            if r["name"] in adv[i - 1]["indexes"] and r not in advisor_for[i]:
                names.append(f"({r['name']}*)")
        text = re.sub(r"\s+", " ", sql)
        text = text[:60] + ("…" if len(text) > 60 else "")
        L.append(f"| {i} | `{md_escape(text)}` | {base[i-1]['ms']:.2f} | {adv[i-1]['ms']:.2f} | "
                 f"{exp[i-1]['ms']:.2f} | {md_escape(', '.join(names)) or '—'} | {verdicts[i]} |")
    L.append("")
    L.append("| metric | value |")
    L.append("|---|---|")
    L.append(f"| statements | {n} ({len(need_index)} need an index, {len(no_index)} do not) |")
    L.append(f"| workload latency: baseline / advisor / expert | {tot_base:.1f} ms / {tot_adv:.1f} ms / {tot_exp:.1f} ms |")
    L.append(f"| share of the expert's latency reduction achieved by the advisor | {share:.1f}% (target ≥ 95%) |")
    L.append(f"| the same over the {len(need_index)} statements that need an index | {ix_base:.1f} ms / {ix_adv:.1f} ms / "
             f"{ix_exp:.1f} ms: {ix_share:.1f}% of the expert's reduction |")
    L.append(f"| indexes: advisor vs expert | {len(recs)} vs {len(expert['indexes'])} "
             f"({adv_size / 2**20:.0f} MiB vs {exp_size / 2**20:.0f} MiB; built in {adv_build_s:.1f} s vs {exp_build_s:.1f} s) |")
    L.append(f"| expert-index match rate | {matched + equally_good}/{len(need_index)} = "
             f"{(matched + equally_good) / max(1, len(need_index)) * 100:.0f}% "
             f"({matched} same leading columns, {equally_good} equally good within {EQUALLY_GOOD:.0%}) |")
    misses = [i for i in need_index if verdicts[i] == "MISS"]
    L.append(f"| statements missed | {', '.join(map(str, misses)) or 'none'} |")
    L.append(f"| recommendations that do not help (no statement ≥ {HELPS:.0%} faster) | {len(useless)}"
             + (": " + ", ".join(f"{r['name']} (for {r['serves']})" for r in useless) if useless else "") + " |")
    L.append(f"| no-index statements that got an advisor index (false positives) | {len(false_pos)}"
             + (": " + ", ".join(map(str, false_pos)) if false_pos else "") + " |")
    L.append(f"| advisor's own no-index list | {', '.join(map(str, advisor_no_index)) or 'none'} |")
    L.append(f"| advisor errors | {len(advice['errors'])}"
             + (f" ({len(set(advice['errors']))} distinct)" if advice["errors"] else "") + " |")
    L.append(f"| advisor wall time | {advise_s:.2f} s for {advice.get('statements', n)} statements (target < 5 s) |")
    L.append("")
    L.append("Advisor recommendations:")
    L.append("")
    for r in recs:
        L.append(f"- `{r['ddl']}` — claims {r['serves'] or '[]'}, used by the planner in {r['used_by'] or '[]'}")
    if advice["errors"]:
        L.append("")
        L.append("Advisor errors (distinct):")
        L.append("")
        for e in sorted(set(advice["errors"])):
            L.append(f"- `{md_escape(e)}`")
    return "\n".join(L) + "\n"


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.chdir(ROOT)
    try:
        report = run()
    except Exception as exc:  # noqa: BLE001 - report and fail
        log(f"FAILED: {exc}")
        return 1
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "pg_cluster.sh"), "stop", CLUSTER_DIR],
                       capture_output=True, text=True)
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        f.write(report)
    print(report)
    log(f"report written to {os.path.relpath(REPORT, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
