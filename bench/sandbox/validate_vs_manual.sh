#!/usr/bin/env bash
# Does `optischema validate` (managed sandbox) report the speed-ups a manual EXPLAIN ANALYZE on the
# real database shows? For each recommendation of `advise`: validate it in a managed sandbox, then
# on the target itself measure the same statement with EXPLAIN ANALYZE (median of 7 runs, one session) without
# the index, apply the index, measure again, and roll it back. Also reports how long validate took.
#
#   bench/sandbox/validate_vs_manual.sh DSN [DATA_DIR]
#
# For the demo's database, run `scripts/demo.sh` in another terminal and use
# DSN="host=$HOME/.local/share/optischema/demo/demo-pg15/socket port=5432 user=optischema dbname=shop"
# (as root the cluster lives under /tmp: the path is in .../optischema/demo/demo-pg15_home).
#
# It creates and drops indexes on DSN: use a demo or staging database, never production.
set -euo pipefail
dsn=${1:?usage: validate_vs_manual.sh DSN [DATA_DIR]}
data_dir=${2:-$(mktemp -d)}
cd "$(dirname "$0")/../.."
bin=build/optischema
psql_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql

manual_ms() {  # median server time (planning + execution) of 7 EXPLAIN ANALYZE runs in one session, after 2 warm-ups
    local sql=$1
    for i in 1 2 3 4 5 6 7 8 9; do echo "EXPLAIN (ANALYZE, TIMING OFF) $sql;"; done |
        "$psql_bin" -X -qAt "$dsn" |
        python3 -c '
import re,sys
t=[float(x) for x in re.findall(r"(?:Planning|Execution) Time: ([0-9.]+) ms", sys.stdin.read())]
runs=sorted(t[i]+t[i+1] for i in range(4, len(t), 2))
print(round(runs[len(runs)//2], 3))'
}

ids=$("$bin" --data-dir "$data_dir" advise --dsn "$dsn" --min-calls 2 --format json |
      python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["recommendations"]))')
printf '%-18s %9s %12s %16s %15s %10s %s\n' id verdict sandbox_x target_before_ms target_after_ms target_x validate_s
for id in $ids; do
    start=$(date +%s.%N)
    out=$("$bin" --data-dir "$data_dir" validate --dsn "$dsn" --recommendation "$id" --format json)
    took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
    read -r verdict speedup sql_file < <(python3 -c '
import json,sys,tempfile
j=json.loads(sys.argv[1]); q=j["queries"][0]
f=tempfile.NamedTemporaryFile("w",delete=False,suffix=".sql"); f.write(q["sql_before"]); f.close()
print(j["verdict"], j["speedup"], f.name)' "$out")
    sql=$(cat "$sql_file")
    before=$(manual_ms "$sql")
    "$bin" --data-dir "$data_dir" apply --dsn "$dsn" --recommendation "$id" --yes >/dev/null
    action=$("$bin" --data-dir "$data_dir" audit --format json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
    after=$(manual_ms "$sql")
    "$bin" --data-dir "$data_dir" rollback --dsn "$dsn" --action "$action" --yes >/dev/null
    manual=$(python3 -c "print(round($before / $after, 1))")
    printf '%-18s %9s %12s %16s %15s %10s %s\n' "$id" "$verdict" "${speedup}x" "$before" "$after" "${manual}x" "$took"
done
