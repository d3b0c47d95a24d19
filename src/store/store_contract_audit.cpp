// The store contract: the append-only audit log.
#include <stdexcept>

#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

TEST_P(StoreContract, TheAuditLogIsAppendOnly) {
    model::AuditEvent apply;
    apply.at = FromUnixMs(1'700'000'000'000);
    apply.actor = "cli:alice";
    apply.target = "host=db1 dbname=shop";
    apply.action = "apply";
    apply.sql = "CREATE INDEX CONCURRENTLY i ON t (a)";
    apply.outcome = "ok";
    apply.duration_ms = 1234.5;
    apply.detail_json = R"({"recommendation": "idx-1"})";
    auto first = store_->AppendAudit(apply);
    ASSERT_TRUE(first);
    model::AuditEvent rollback = apply;
    rollback.action = "rollback";
    rollback.sql = "DROP INDEX CONCURRENTLY IF EXISTS i";
    rollback.related_id = *first;
    auto second = store_->AppendAudit(rollback);
    ASSERT_TRUE(second);
    EXPECT_GT(*second, *first);

    auto list = store_->ListAudit(0);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].action, "rollback") << "newest first";
    EXPECT_EQ((*list)[0].related_id, std::optional<std::int64_t>(*first));
    EXPECT_EQ((*list)[1].sql, apply.sql);
    EXPECT_DOUBLE_EQ((*list)[1].duration_ms, 1234.5);
    EXPECT_EQ(ToUnixMs((*list)[1].at), 1'700'000'000'000);
    EXPECT_FALSE((*list)[1].related_id);
    auto one = store_->ListAudit(1);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 1u);
    auto got = store_->GetAudit(*first);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->actor, "cli:alice");
    auto missing = store_->GetAudit(*second + 100);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);

    // Not even a direct connection to the database may rewrite history.
    EXPECT_THROW(harness_->RawExec("UPDATE audit_events SET outcome = 'failed'"), std::runtime_error);
    EXPECT_THROW(harness_->RawExec("DELETE FROM audit_events"), std::runtime_error);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM audit_events WHERE outcome = 'ok'"), 2);
}

}  // namespace
}  // namespace optischema::store::contract
