# Sourced by scripts/web_e2e.sh and bench/web/run.sh: runs `optischema demo` in the background on a free
# loopback port and stops it (and, for a temporary data directory, removes everything) on exit.
#
#   demo_start [DATA_DIR]   sets demo_url, demo_password and demo_target_dsn; installs the exit trap
demo_start() {
    demo_data=${1:-}
    demo_own_data=0
    if [[ -z "$demo_data" ]]; then demo_data=$(mktemp -d /tmp/optischema-demo.XXXXXX); demo_own_data=1; fi
    local log="$demo_data/demo.log"
    "${OPTISCHEMA_BIN:-build/optischema}" --data-dir "$demo_data" demo --listen 127.0.0.1:0 >"$log" 2>&1 &
    demo_pid=$!
    trap demo_stop EXIT
    local port=""
    for _ in $(seq 600); do
        port=$(grep -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$log" || true)
        [[ -n "$port" ]] && break
        kill -0 "$demo_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.2
    done
    [[ -n "$port" ]] || { echo "the demo did not start" >&2; cat "$log" >&2; exit 1; }
    local home="$demo_data/demo/demo-pg15"
    [[ -f "$demo_data/demo/demo-pg15_home" ]] && home=$(cat "$demo_data/demo/demo-pg15_home")
    demo_url="http://127.0.0.1:$port"
    demo_password=$(cat "$demo_data/demo/admin-password")
    demo_target_dsn="host=$home/socket port=5432 user=optischema dbname=shop"
}

demo_stop() {
    kill -INT "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
    if [[ $demo_own_data -eq 1 ]]; then
        # As root the demo cluster lives under /tmp (the postgres user cannot enter the data directory).
        [[ -f "$demo_data/demo/demo-pg15_home" ]] && rm -rf "$(cat "$demo_data/demo/demo-pg15_home")"
        rm -rf "$demo_data"
    fi
}
