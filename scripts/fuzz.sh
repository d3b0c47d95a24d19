#!/usr/bin/env bash
# Fuzzes every parser of outside input with libFuzzer (the harnesses in fuzz/): builds them into
# build-asan/ (clang, ASan + UBSan; scripts/lib/asan_build.sh), then runs each for FUZZ_SECONDS
# (default 25: about 3 minutes for all seven), starting from the seeds in fuzz/seeds and the recorded
# inputs in testdata/, with the dictionaries in fuzz/dict. What the fuzzers find is kept in
# build-asan/fuzz/corpus/ for the next run. Prints each fuzzer's executions per second and coverage.
# Exits non-zero on any crash, leak, timeout, out-of-memory or sanitizer report, naming the reproducer
# and the command that replays it.
#   FUZZ_SECONDS=600 scripts/fuzz.sh            each fuzzer for 10 minutes
#   scripts/fuzz.sh sql_fuzzer plan_fuzzer      only these
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/asan_build.sh
start=$SECONDS
seconds=${FUZZ_SECONDS:-25}
all=(sql_fuzzer plan_fuzzer http_fuzzer config_fuzzer dsn_fuzzer llm_fuzzer pg_stat_statements_fuzzer)
fuzzers=("${@:-${all[@]}}")
asan_build "${fuzzers[@]}"

work=$asan_dir/fuzz
mkdir -p "$work/artifacts" "$work/logs"

# Seeds made from the recordings: each plan with its SQL (SQL, NUL, JSON), each statement alone, and
# two pg_stat_statements readings in a row (two collection cycles).
generated=$work/generated
rm -rf "$generated"
mkdir -p "$generated"/{plan,sql,pg_stat_statements}
for json in testdata/plans/*.json; do
    name=$(basename "$json" .json)
    cp "$json" "$generated/plan/$name.json"
    if [[ -f testdata/plans/$name.sql ]]; then
        cp "testdata/plans/$name.sql" "$generated/sql/$name.sql"
        { cat "testdata/plans/$name.sql"; printf '\0'; cat "$json"; } >"$generated/plan/$name.with_sql"
    fi
done
cat testdata/pg_stat_statements/pg15_before.csv testdata/pg_stat_statements/pg15_after.csv \
    >"$generated/pg_stat_statements/before_after.csv"
cat testdata/pg_stat_statements/pg15_after.csv testdata/pg_stat_statements/pg15_after_db_reset.csv \
    >"$generated/pg_stat_statements/after_db_reset.csv"

seeds_of() {
    case $1 in
        sql_fuzzer) echo "$generated/sql fuzz/seeds/sql" ;;
        plan_fuzzer) echo "$generated/plan" ;;
        http_fuzzer) echo "fuzz/seeds/http" ;;
        config_fuzzer) echo "fuzz/seeds/config" ;;
        dsn_fuzzer) echo "fuzz/seeds/dsn" ;;
        llm_fuzzer) echo "testdata/llm fuzz/seeds/llm" ;;
        pg_stat_statements_fuzzer) echo "testdata/pg_stat_statements $generated/pg_stat_statements" ;;
        *) echo "fuzz: no fuzzer called $1 (the fuzzers: ${all[*]})" >&2; exit 2 ;;
    esac
}
dict_of() {
    case $1 in
        sql_fuzzer) echo fuzz/dict/sql.dict ;;
        plan_fuzzer | llm_fuzzer) echo fuzz/dict/json.dict ;;
        http_fuzzer) echo fuzz/dict/http.dict ;;
        config_fuzzer) echo fuzz/dict/toml.dict ;;
        dsn_fuzzer) echo fuzz/dict/dsn.dict ;;
        pg_stat_statements_fuzzer) echo fuzz/dict/csv.dict ;;
    esac
}

failed=()
summary=()
for fuzzer in "${fuzzers[@]}"; do
    read -r -a seeds <<<"$(seeds_of "$fuzzer")"
    corpus=$work/corpus/$fuzzer
    log=$work/logs/$fuzzer.log
    mkdir -p "$corpus"
    echo "fuzz: $fuzzer for ${seconds} s"
    set +e
    # -timeout: an input that takes over 10 s is a hang; -rss_limit_mb: over 2 GB is a memory blow-up.
    "$work/$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$(dict_of "$fuzzer")" -artifact_prefix="$work/artifacts/$fuzzer-" \
        "$corpus" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1 || true)
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -1 || true)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
    summary+=("$(printf '%-27s %10s execs %7s exec/s  %s  corpus %s' "$fuzzer" "${execs:-?}" "${rate:-?}" \
        "${cov:-cov: ?}" "$(find "$corpus" -type f | wc -l)")")
    if (( rc != 0 )); then
        failed+=("$fuzzer")
        grep -E '^==[0-9]+==ERROR|runtime error|SUMMARY|Test unit written|deadly signal|ALARM|out-of-memory' "$log" \
            | head -20 || true
        artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1 || true)
        echo "fuzz: $fuzzer FAILED (exit $rc); log: $log"
        [[ -n "$artifact" ]] && echo "fuzz: reproducer: $artifact; replay it with: $work/$fuzzer $artifact"
    fi
done

echo "fuzz: results (${seconds} s each, $((SECONDS - start)) s in all, build included)"
printf '  %s\n' "${summary[@]}"
if (( ${#failed[@]} > 0 )); then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
