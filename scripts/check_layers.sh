#!/usr/bin/env bash
# Checks that includes cross layers only downwards (docs/ARCHITECTURE.md): each folder of src/ may
# include only the folders listed for it, headers under src/X/internal/ only from X, and libpq,
# libpg_query and Boost.Beast stay in their one home.
# Prints each offending include with its file and line; exits 1 when there is one.
set -euo pipefail
cd "$(dirname "$0")/../src"

declare -A allowed=(
    [common]="common"
    [model]="common model"
    [pg]="common model pg"
    [sqlparse]="common model sqlparse"
    [guard]="common model pg sqlparse guard"
    [sqlite]="common sqlite"
    [api]="common model api"
    [collector]="common model sqlparse pg collector"
    [analyzer]="common model sqlparse analyzer"
    [advisor]="common model sqlparse analyzer pg guard advisor"
    [sandbox]="common model pg sqlparse guard sandbox"
    [llm]="common model sqlite llm"
    [store]="common model sqlite pg store"
    [service]="common model pg sqlparse guard sqlite collector analyzer advisor sandbox llm store service"
    [server]="common model pg sqlparse guard sqlite collector analyzer advisor sandbox llm store api service server"
    [cli]="common model pg sqlparse guard sqlite collector analyzer advisor sandbox llm store api service server cli"
)

failed=0
for dir in */; do
    layer=${dir%/}
    if [[ -z "${allowed[$layer]+set}" ]]; then
        echo "check_layers: src/$layer is not in the layer table (scripts/check_layers.sh, docs/ARCHITECTURE.md)"
        failed=1
        continue
    fi
    while IFS=: read -r file line include; do
        target=$(sed -E 's/#include "([a-z_]+)\/.*/\1/' <<<"$include")
        if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
            echo "src/$file:$line: $layer may not include $target ($include)"
            failed=1
        fi
    done < <(grep -rnE '^#include "[a-z_]+/' "$layer" || true)
done

# A component's internal headers (src/X/internal/) are for X alone.
while IFS=: read -r file line include; do
    owner=$(sed -E 's/#include "([a-z_]+)\/internal\/.*/\1/' <<<"$include")
    if [[ "$file" != "$owner/"* ]]; then
        echo "src/$file:$line: $include is internal to $owner"
        failed=1
    fi
done < <(grep -rnE '^#include "[a-z_]+/internal/' . | sed 's#^\./##' || true)

# One home each for the heavy C libraries (tests may reach a cluster through libpq themselves).
only_in() {
    local pattern=$1 home=$2
    while IFS= read -r hit; do
        echo "src/$hit: only $home may include this"
        failed=1
    done < <(grep -rnE "$pattern" . --include='*.cpp' --include='*.hpp' | grep -vE "^\./${home}|_pgtest\.cpp:" | sed 's#^\./##' || true)
}
only_in '^#include <libpq-fe\.h>' 'pg/'
only_in '^#include <pg_query\.h>' 'sqlparse/'
# Texts OptiSchema did not write are explained only through the safety gate (guard::ExplainJson).
only_in '^#include "pg/explain\.hpp"' '(pg|guard)/'
only_in '^#include <boost/(beast|asio)' 'api/http_server\.cpp'

if (( failed )); then
    echo "check_layers: includes cross layers upwards or leave their home (see docs/ARCHITECTURE.md)" >&2
    exit 1
fi
echo "check_layers: every include goes downwards"
