#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then
#   1. ctest: unit tests, and tests against throwaway PostgreSQL clusters that the pg_cluster_start
#      fixtures start (and stop, also when tests fail);
#   2. the dashboard's unit tests and build (scripts/web.sh);
#   3. the dashboard in Debian's chromium against the real product, `optischema demo` (scripts/web_e2e.sh);
#   4. the unit tests again, built with ASan + UBSan (scripts/sanitize.sh);
#   5. each libFuzzer harness for a bounded time (scripts/fuzz.sh; FUZZ_SECONDS, default 25 each).
# Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd build && ctest --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" "$@")
scripts/web.sh
scripts/web_e2e.sh
scripts/sanitize.sh
scripts/fuzz.sh
