#!/usr/bin/env bash
# The dashboard's speed in a real browser (issue 7's targets): starts `optischema demo` in a temporary
# directory (or DATA_DIR), waits for its first snapshots, then runs bench/web/paint.mjs in Debian's
# chromium. Needs the build (scripts/setup.sh) and the dashboard's packages (scripts/web.sh).
#
#   bench/web/run.sh [LOADS] [LIVE_SECONDS]          DATA_DIR=... bench/web/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/demo_background.sh
demo_start "${DATA_DIR:-}"
sleep 12  # two collections at the demo's 5 s interval, so the overview has ranked queries
OPTISCHEMA_URL="$demo_url" OPTISCHEMA_ADMIN_PASSWORD="$demo_password" node bench/web/paint.mjs "$@"
