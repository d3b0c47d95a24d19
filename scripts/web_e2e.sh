#!/usr/bin/env bash
# Browser tests of the dashboard against the real product: `optischema demo` (its own PostgreSQL with
# the shop data and a live workload, and the server), driven by web/e2e with Debian's chromium.
# Stops everything afterwards, also on failure.
#
#   scripts/web_e2e.sh [DATA_DIR]     (default: a fresh temporary directory, removed afterwards)
#   OPTISCHEMA_BIN=build-x/optischema scripts/web_e2e.sh    (default: build/optischema)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/demo_background.sh
demo_start "${1:-}"
cd web
OPTISCHEMA_URL="$demo_url" OPTISCHEMA_ADMIN_PASSWORD="$demo_password" OPTISCHEMA_E2E_TARGET_DSN="$demo_target_dsn" \
    npm run --silent test:e2e
# The API's answers against docs/openapi.json, after the browser tests left validations and an apply.
OPTISCHEMA_URL="$demo_url" OPTISCHEMA_ADMIN_PASSWORD="$demo_password" npm run --silent test:contract
