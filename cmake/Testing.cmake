# Helpers shared by every component's CMakeLists.txt.
#
# optischema_library(NAME SOURCES... DEPS ...)   a static library with our warnings
# optischema_test(NAME SOURCES... DEPS ...)      a pure unit test (*_test.cpp)
# optischema_pgtest(NAME SOURCES... DEPS ...)    a test against the throwaway cluster (*_pgtest.cpp)

# What tests share, compiled once: the throwaway clusters' environment, a raw HTTP client, a local LLM
# server that speaks the providers' protocols, a runner of the optischema binary, and a running
# `optischema serve` with its admin session (the serve tests' fixture).
add_library(optischema_test_support STATIC
    ${PROJECT_SOURCE_DIR}/tests/pg_test_env.cpp ${PROJECT_SOURCE_DIR}/tests/http_test_client.cpp
    ${PROJECT_SOURCE_DIR}/tests/fake_llm_server.cpp ${PROJECT_SOURCE_DIR}/tests/binary_runner.cpp
    ${PROJECT_SOURCE_DIR}/tests/serve_fixture.cpp)
target_compile_options(optischema_test_support PRIVATE ${OPTISCHEMA_WARNINGS})
target_compile_definitions(optischema_test_support PRIVATE OPTISCHEMA_BINARY="${PROJECT_BINARY_DIR}/optischema")
target_include_directories(optischema_test_support PUBLIC ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(optischema_test_support PUBLIC GTest::gtest PkgConfig::LIBPQ nlohmann_json::nlohmann_json
                                                     Threads::Threads)

function(optischema_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name} PRIVATE ${OPTISCHEMA_WARNINGS})
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

function(optischema_test name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_compile_options(${name} PRIVATE ${OPTISCHEMA_WARNINGS})
    target_compile_definitions(${name} PRIVATE OPTISCHEMA_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} optischema_test_support GTest::gtest_main)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()

# The cluster is started once per ctest run by the pg_cluster_start fixture and stopped by
# pg_cluster_stop, which ctest runs even when tests fail.
set(OPTISCHEMA_PGTEST_DIR ${PROJECT_BINARY_DIR}/pgtest)
set(OPTISCHEMA_PG_CLUSTER ${PROJECT_SOURCE_DIR}/scripts/pg_cluster.sh)

add_test(NAME pg_cluster_start COMMAND ${OPTISCHEMA_PG_CLUSTER} start ${OPTISCHEMA_PGTEST_DIR})
add_test(NAME pg_cluster_stop COMMAND ${OPTISCHEMA_PG_CLUSTER} stop ${OPTISCHEMA_PGTEST_DIR})
set_tests_properties(pg_cluster_start PROPERTIES FIXTURES_SETUP pg_cluster LABELS pg)
set_tests_properties(pg_cluster_stop PROPERTIES FIXTURES_CLEANUP pg_cluster LABELS pg)

# A second cluster without pg_stat_statements in shared_preload_libraries, for the tests of what a
# user sees on such a server.
set(OPTISCHEMA_BARE_PGTEST_DIR ${PROJECT_BINARY_DIR}/pgtest-bare)
add_test(NAME pg_bare_cluster_start COMMAND ${CMAKE_COMMAND} -E env OPTISCHEMA_PG_PRELOAD=
         ${OPTISCHEMA_PG_CLUSTER} start ${OPTISCHEMA_BARE_PGTEST_DIR})
add_test(NAME pg_bare_cluster_stop COMMAND ${OPTISCHEMA_PG_CLUSTER} stop ${OPTISCHEMA_BARE_PGTEST_DIR})
set_tests_properties(pg_bare_cluster_start PROPERTIES FIXTURES_SETUP pg_bare_cluster LABELS pg)
set_tests_properties(pg_bare_cluster_stop PROPERTIES FIXTURES_CLEANUP pg_bare_cluster LABELS pg)

# SERIAL: the test resets pg_stat_statements for the whole cluster, so nothing may run beside it.
# BARE: the test also needs the cluster without pg_stat_statements preloaded.
function(optischema_pgtest name)
    cmake_parse_arguments(ARG "SERIAL;BARE" "" "SOURCES;DEPS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_compile_options(${name} PRIVATE ${OPTISCHEMA_WARNINGS})
    target_compile_definitions(${name} PRIVATE OPTISCHEMA_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} optischema_test_support GTest::gtest_main)
    add_test(NAME ${name} COMMAND ${name})
    set(fixtures pg_cluster)
    if(ARG_BARE)
        list(APPEND fixtures pg_bare_cluster)
    endif()
    set_tests_properties(${name} PROPERTIES
        FIXTURES_REQUIRED "${fixtures}"
        LABELS pg
        RUN_SERIAL ${ARG_SERIAL}
        ENVIRONMENT "OPTISCHEMA_TEST_CLUSTER_DIR=${OPTISCHEMA_PGTEST_DIR};OPTISCHEMA_TEST_BARE_CLUSTER_DIR=${OPTISCHEMA_BARE_PGTEST_DIR}")
endfunction()

# Every supported PostgreSQL major (scripts/pg_versions.sh: the npm registry's packaged servers, without
# HypoPG): a cluster per major, started by pgMM_cluster_start and stopped by pgMM_cluster_stop.
# optischema_pgtest_on_majors(NAME [FILTER gtest-filter]) runs the pgtest NAME again against each of
# them as the CTest entry pgMM_NAME, so a failure names the major. The tests of one major share its
# cluster one at a time (some reset pg_stat_statements); majors run side by side.
set(OPTISCHEMA_PG_MAJORS 13 14 15 16 17 18)
set(OPTISCHEMA_PG_VERSIONS ${PROJECT_SOURCE_DIR}/scripts/pg_versions.sh)
foreach(major IN LISTS OPTISCHEMA_PG_MAJORS)
    add_test(NAME pg${major}_cluster_start
             COMMAND ${OPTISCHEMA_PG_VERSIONS} start ${major} ${PROJECT_BINARY_DIR}/pgtest-${major})
    add_test(NAME pg${major}_cluster_stop
             COMMAND ${OPTISCHEMA_PG_VERSIONS} stop ${major} ${PROJECT_BINARY_DIR}/pgtest-${major})
    set_tests_properties(pg${major}_cluster_start PROPERTIES FIXTURES_SETUP pg${major}_cluster LABELS "pg;pg${major}")
    set_tests_properties(pg${major}_cluster_stop PROPERTIES FIXTURES_CLEANUP pg${major}_cluster LABELS "pg;pg${major}")
endforeach()

function(optischema_pgtest_on_majors name)
    cmake_parse_arguments(ARG "" "FILTER" "" ${ARGN})
    set(filter "")
    if(ARG_FILTER)
        set(filter "--gtest_filter=${ARG_FILTER}")
    endif()
    foreach(major IN LISTS OPTISCHEMA_PG_MAJORS)
        add_test(NAME pg${major}_${name}
                 COMMAND ${OPTISCHEMA_PG_VERSIONS} run ${major} ${PROJECT_BINARY_DIR}/pgtest-${major}
                         $<TARGET_FILE:${name}> ${filter})
        set_tests_properties(pg${major}_${name} PROPERTIES
            FIXTURES_REQUIRED pg${major}_cluster
            RESOURCE_LOCK pg${major}_cluster
            SKIP_RETURN_CODE 77
            LABELS "pg;pg${major}")
    endforeach()
endfunction()

# Includes cross layers only downwards (docs/ARCHITECTURE.md).
add_test(NAME layers COMMAND ${PROJECT_SOURCE_DIR}/scripts/check_layers.sh)
set_tests_properties(layers PROPERTIES LABELS unit)
