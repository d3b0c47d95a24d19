# The sanitizer build (scripts/sanitize.sh) and the libFuzzer harnesses (scripts/fuzz.sh), both off in
# the normal build. They share one build directory: everything is compiled once with ASan + UBSan and
# libFuzzer's coverage instrumentation, so the unit tests and the fuzzers reuse the same objects.
#
# OPTISCHEMA_SANITIZE  every target with -fsanitize=address,undefined; any UB report fails the test
# OPTISCHEMA_FUZZ      also the harnesses in fuzz/ (needs clang and OPTISCHEMA_SANITIZE)
option(OPTISCHEMA_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(OPTISCHEMA_FUZZ "Build the libFuzzer harnesses in fuzz/ (clang, with OPTISCHEMA_SANITIZE)" OFF)

if(OPTISCHEMA_FUZZ AND NOT OPTISCHEMA_SANITIZE)
    message(FATAL_ERROR "OPTISCHEMA_FUZZ needs OPTISCHEMA_SANITIZE=ON: scripts/fuzz.sh configures both")
endif()
if(OPTISCHEMA_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "OPTISCHEMA_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
                        "-DCMAKE_C_COMPILER=clang, as scripts/fuzz.sh does")
endif()

if(OPTISCHEMA_SANITIZE)
    set(sanitizers -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    add_compile_options(${sanitizers})
    add_link_options(${sanitizers})
    if(OPTISCHEMA_FUZZ)
        # Coverage for libFuzzer in every object; only the harnesses link libFuzzer's main.
        add_compile_options(-fsanitize=fuzzer-no-link)
    endif()
endif()
