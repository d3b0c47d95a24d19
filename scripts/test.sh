#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then ctest runs the unit tests and the tests
# against a throwaway PostgreSQL cluster that the pg_cluster_start fixture starts (and stops, also
# when tests fail). Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd build
ctest --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" "$@"
