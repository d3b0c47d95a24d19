#!/usr/bin/env bash
# Speed and memory of `optischema serve` (issue 6's targets: read endpoints p99 < 10 ms at 1,000
# requests/s, stream latency < 100 ms, < 150 MB with 10 targets of 5,000 statements each).
#
#   bench/api/run.sh [SECONDS]
#
# 1. Read endpoints: a store holding a target with 5,000 distinct statements in each of 60 one-minute
#    snapshots (300,000 rows); paced GETs at 1,000/s over 8 keep-alive connections, latency measured
#    from the intended send time. The default statements view (cached until the next snapshot), a
#    custom range (aggregated in SQLite every time) at 20/s, and the overview.
# 2. Memory and the stream: a cluster whose pg_stat_statements holds 5,000 distinct statements, watched
#    as 10 targets (every 5 s); RSS of the server after the collections, and the time from each
#    collection's start to its push on the WebSocket.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
cmake --build build --target optischema api_benchmark -j2 >/dev/null
bin=build/optischema
bench=build/bench/api_benchmark
work=$(mktemp -d)
cleanup() {
    for f in "$work"/*.pid; do [[ -f "$f" ]] && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
    for _ in $(seq 50); do pgrep -f "data-dir $work" >/dev/null || break; sleep 0.2; done
    rm -rf "$work"
}
trap cleanup EXIT

serve() {  # DATA_DIR args... -> prints the port; the pid goes to DATA_DIR.pid
    local dir=$1; shift
    "$bin" --data-dir "$dir" serve --no-auth --listen 127.0.0.1:0 "$@" >"$dir.out" 2>"$dir.err" &
    echo $! >"$dir.pid"
    for _ in $(seq 100); do
        port=$(grep -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$dir.out" 2>/dev/null || true)
        [[ -n "$port" ]] && { echo "$port"; return; }
        sleep 0.1
    done
    cat "$dir.err" >&2; exit 1
}

echo "== read endpoints, 5,000 statements x 60 snapshots"
"$bench" populate "$work/read" 5000 60
port=$(serve "$work/read")
"$bench" load "$port" /api/v1/targets/1/statements 1000 "$seconds" 8
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$bench" load "$port" "/api/v1/targets/1/statements?from=$from" 2 "$seconds" 1
"$bench" load "$port" /healthz 1000 "$seconds" 8

echo "== 10 targets of 5,000 statements: memory and stream latency"
dir=build/bench-pg
scripts/pg_cluster.sh start "$dir" >/dev/null
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dsn=$(cat "$dir/dsn")
python3 bench/load_statements.py 5000 | "$pgbin/psql" -X -q "$dsn" >/dev/null
echo "pg_stat_statements entries: $("$pgbin/psql" -X -qAt "$dsn" -c 'SELECT count(*) FROM pg_stat_statements')"
targets=()
for i in $(seq 0 9); do targets+=(--target "t$i=$dsn"); done
port=$(serve "$work/fleet" --interval 5 "${targets[@]}")
"$bench" stream "$port" 20
pid=$(cat "$work/fleet.pid")
echo "server RSS after 20 collections: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status), peak $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
scripts/pg_cluster.sh stop "$dir" >/dev/null
