#!/usr/bin/env bash
# Browser tests of the dashboard against the real product: `optischema demo` (its own PostgreSQL with
# the shop data and a live workload, and the server), driven by web/e2e with Debian's chromium.
# Stops everything afterwards, also on failure.
#
#   scripts/web_e2e.sh [DATA_DIR]     (default: a fresh temporary directory, removed afterwards)
#   OPTISCHEMA_BIN=build-x/optischema scripts/web_e2e.sh    (default: build/optischema)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-}
own_data=0
if [[ -z "$data" ]]; then data=$(mktemp -d /tmp/optischema-e2e.XXXXXX); own_data=1; fi
log="$data/demo.log"
"${OPTISCHEMA_BIN:-build/optischema}" --data-dir "$data" demo --listen 127.0.0.1:0 >"$log" 2>&1 &
demo=$!
cleanup() {
    kill -INT "$demo" 2>/dev/null || true
    wait "$demo" 2>/dev/null || true
    if [[ $own_data -eq 1 ]]; then
        # As root the demo cluster lives under /tmp (the postgres user cannot enter the data directory).
        [[ -f "$data/demo/demo-pg15_home" ]] && rm -rf "$(cat "$data/demo/demo-pg15_home")"
        rm -rf "$data"
    fi
}
trap cleanup EXIT
port=""
for _ in $(seq 600); do
    port=$(grep -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$log" || true)
    [[ -n "$port" ]] && break
    kill -0 "$demo" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
done
[[ -n "$port" ]] || { echo "web_e2e: the demo did not start" >&2; cat "$log" >&2; exit 1; }
home="$data/demo/demo-pg15"
[[ -f "$data/demo/demo-pg15_home" ]] && home=$(cat "$data/demo/demo-pg15_home")
cd web
OPTISCHEMA_URL="http://127.0.0.1:$port" \
OPTISCHEMA_ADMIN_PASSWORD="$(cat "$data/demo/admin-password")" \
OPTISCHEMA_E2E_TARGET_DSN="host=$home/socket port=5432 user=optischema dbname=shop" \
    npm run --silent test:e2e
# The API's answers against docs/openapi.json, after the browser tests left validations and an apply.
OPTISCHEMA_URL="http://127.0.0.1:$port" OPTISCHEMA_ADMIN_PASSWORD="$(cat "$data/demo/admin-password")" \
    npm run --silent test:contract
