# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: one build directory, build-asan/, compiled once
# with clang, AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage (cmake/Sanitize.cmake),
# so the sanitized unit tests and the fuzzers share their objects. ccache in front, as in build/.
#
#   asan_build TARGET...   configures build-asan/ when needed and builds the targets
asan_dir=${OPTISCHEMA_ASAN_DIR:-build-asan}

asan_build() {
    for tool in clang clang++; do
        command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh (it installs clang)" >&2; exit 1; }
    done
    if [[ ! -f "$asan_dir/CMakeCache.txt" ]]; then
        # -O1: the sanitizers' usual trade of compile time, run time and readable stacks; asserts stay on.
        cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
            "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
            -DOPTISCHEMA_SANITIZE=ON -DOPTISCHEMA_FUZZ=ON >/dev/null
    fi
    cmake --build "$asan_dir" -j"$(nproc 2>/dev/null || echo 2)" --target "$@"
}
