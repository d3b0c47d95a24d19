#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ (clang,
# ccache; scripts/lib/asan_build.sh) and runs them with ctest. Any sanitizer report aborts its test
# (-fno-sanitize-recover=undefined, leaks included), so this exits non-zero on any failure or report.
#   SANITIZE_PGTESTS=1 scripts/sanitize.sh   also the tests against throwaway PostgreSQL clusters
# Extra arguments go to ctest (e.g. -R sqlparse).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/asan_build.sh
start=$SECONDS

labels=unit
[[ "${SANITIZE_PGTESTS:-0}" == 1 ]] && labels='unit|pg'
asan_build optischema_test_support  # configures build-asan/ so that ctest can list the tests
mapfile -t tests < <(cd "$asan_dir" && ctest -N -L "$labels" | sed -nE 's/^ *Test +#[0-9]+: ([a-z_]+)$/\1/p')
targets=()
for t in "${tests[@]}"; do
    # Tests that are not a binary of their own (the layers check, the clusters' start and stop).
    [[ "$t" == layers || "$t" == pg_*cluster_st* ]] && continue
    targets+=("$t")
done
[[ "$labels" == *pg* ]] && targets+=(optischema)
asan_build "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$asan_dir" && ctest --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" -L "$labels" "$@")
echo "sanitize: ${#targets[@]} test binaries built and passed under ASan + UBSan in $((SECONDS - start)) s"
