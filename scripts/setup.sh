#!/usr/bin/env bash
# Installs what is missing (Debian packages from scripts/apt-packages.txt) and builds OptiSchema into
# build/. Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -v '^\s*#' scripts/apt-packages.txt | sed '/^\s*$/d')
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} > 0 )); then
    echo "setup: installing ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "setup: run as root or install: apt-get install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    # Debian's postgresql package starts a cluster on port 5432; OptiSchema starts its own, so keep
    # the package from creating one.
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/optischema.conf >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
# Ninja, with ccache in front of the compiler when it is installed (CMakeLists.txt): its cache outlives
# build/, so a fresh clone on a machine that built before compiles only what changed. A build/ made by
# another generator is made anew.
if [[ -f build/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' build/CMakeCache.txt; then
    echo "setup: build/ was made by another generator: configuring it anew for Ninja"
    rm -rf build
fi
if [[ ! -f build/CMakeCache.txt ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j"$jobs"
