#include <gtest/gtest.h>

#include "guard/builtin_policy.hpp"

namespace optischema::guard {
namespace {

TEST(BuiltinPolicyTest, SideEffectsAreRefusedWhenRunAndNamed) {
    for (const char* name : {"pg_terminate_backend", "lo_export", "lo_import", "pg_read_file", "set_config", "nextval",
                             "setval", "pg_advisory_lock", "pg_create_logical_replication_slot", "pg_reload_conf",
                             "pg_stat_reset", "pg_sleep"}) {
        auto refusal = BuiltinRefusal(name, 'v', Use::kRun);
        ASSERT_TRUE(refusal.has_value()) << name;
        EXPECT_EQ(refusal->find("VOLATILE"), std::string::npos) << name << " should have its own reason: " << *refusal;
    }
}

TEST(BuiltinPolicyTest, UnknownVolatileBuiltinsAreRefusedWhenRunButPlanned) {
    auto refusal = BuiltinRefusal("some_future_function", 'v', Use::kRun);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_NE(refusal->find("VOLATILE"), std::string::npos);
    // Planning never evaluates a VOLATILE function.
    EXPECT_FALSE(BuiltinRefusal("some_future_function", 'v', Use::kPlan).has_value());
    EXPECT_FALSE(BuiltinRefusal("pg_terminate_backend", 'v', Use::kPlan).has_value());
}

TEST(BuiltinPolicyTest, HarmlessBuiltinsRun) {
    EXPECT_FALSE(BuiltinRefusal("random", 'v', Use::kRun).has_value());
    EXPECT_FALSE(BuiltinRefusal("clock_timestamp", 'v', Use::kRun).has_value());
    EXPECT_FALSE(BuiltinRefusal("pg_stat_get_xact_numscans", 'v', Use::kRun).has_value());
    EXPECT_FALSE(BuiltinRefusal("lower", 'i', Use::kRun).has_value());
    EXPECT_FALSE(BuiltinRefusal("now", 's', Use::kRun).has_value());
}

TEST(BuiltinPolicyTest, BuiltinsThatRunOrReadSqlAreRefusedEvenToPlan) {
    // STABLE: the planner may evaluate them with constant arguments.
    EXPECT_TRUE(BuiltinRefusal("table_to_xml", 's', Use::kPlan).has_value());
    EXPECT_TRUE(BuiltinRefusal("query_to_xml_and_xmlschema", 'v', Use::kPlan).has_value());
    EXPECT_TRUE(BuiltinRefusal("ts_stat", 'v', Use::kPlan).has_value());
    EXPECT_FALSE(BuiltinRefusal("xmlparse", 'i', Use::kPlan).has_value());
}

TEST(BuiltinPolicyTest, AllowEntriesAreCheckedForShape) {
    EXPECT_TRUE(ValidateAllowEntry("public.my_func"));
    EXPECT_TRUE(ValidateAllowEntry("app.*"));
    EXPECT_TRUE(ValidateAllowEntry("extension:pg_trgm"));
    EXPECT_FALSE(ValidateAllowEntry("my_func"));
    EXPECT_FALSE(ValidateAllowEntry("a.b.c"));
    EXPECT_FALSE(ValidateAllowEntry("extension:"));
}

}  // namespace
}  // namespace optischema::guard
