#!/usr/bin/env bash
# The demo, one command on a fresh Debian 12: installs what is missing, builds OptiSchema and its
# dashboard, then runs `optischema demo`: a local PostgreSQL (in the data directory) with a shop
# database of a few million rows and a live workload, watched by the server. Open the URL it prints
# and log in as admin with the password it prints. Ctrl-C stops all of it; the next run reuses the data.
#
#   scripts/demo.sh [--listen ADDR:PORT] [--rate TPS]      (default 127.0.0.1:8080, 40 transactions/s)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/web.sh
exec build/optischema demo "$@"
