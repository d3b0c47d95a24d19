#!/usr/bin/env bash
# Builds the dashboard into web/dist (served by `optischema serve`): installs the npm packages from
# web/package-lock.json when they are missing or older than the lock file, checks that
# web/src/lib/api-schema.gen.ts matches docs/openapi.json, lints, runs the unit tests of web/src/lib,
# type-checks, bundles and writes gzip copies of the assets. Idempotent; quiet on success, prints the
# failing step's output otherwise.
#
#   scripts/web.sh           install if needed, check, test, build
#   scripts/web.sh --e2e     also run the browser tests against a running server (needs OPTISCHEMA_URL
#                            and OPTISCHEMA_ADMIN_PASSWORD; scripts/web_e2e.sh starts `optischema demo`)
set -euo pipefail
cd "$(dirname "$0")/../web"

command -v npm >/dev/null || { echo "web.sh: npm is missing: install Node.js 20 (apt-get install nodejs npm)" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() {
    local name=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        echo "web.sh: $name failed:" >&2
        cat "$log" >&2
        exit 1
    fi
}

# npm ci deletes and reinstalls node_modules: only when the lock file changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    step "npm ci" npm ci --no-audit --no-fund
fi
step "API types (npm run check:types)" npm run check:types
step "lint (eslint)" npm run lint
step "unit tests (vitest)" npm test
step "build" npm run build

if [[ "${1:-}" == "--e2e" ]]; then
    if [[ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
        echo "web.sh: chromium is missing: apt-get install -y chromium" >&2
        exit 1
    fi
    step "browser tests" npm run test:e2e
fi
