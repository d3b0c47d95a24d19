// The store contract: recommendations and their validations.
#include <chrono>
#include <thread>

#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

TEST_P(StoreContract, RecommendationsKeepTheirIdAndValidationUntilTheSqlChanges) {
    auto target = store_->EnsureTarget("db", "host=x dbname=db");
    ASSERT_TRUE(target);
    RecommendationRecord r;
    r.id = "idx-0123456789ab";
    r.target_id = target->id;
    r.kind = "index";
    r.title = "orders (customer_id)";
    r.sql = "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)";
    r.rollback_sql = "DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx";
    r.evidence_json = R"({"saved_ms": 10})";
    ASSERT_TRUE(store_->SaveRecommendation(r));
    auto created = store_->GetRecommendation(r.id);
    ASSERT_TRUE(created && *created);
    ASSERT_TRUE(store_->SaveValidation(r.id, R"({"verdict": "improved"})"));

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    r.evidence_json = R"({"saved_ms": 20})";  // advise ran again: same index, new evidence
    ASSERT_TRUE(store_->SaveRecommendation(r));
    auto got = store_->GetRecommendation(r.id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->evidence_json, R"({"saved_ms": 20})");
    EXPECT_EQ((*got)->validation_json, R"({"verdict": "improved"})") << "same SQL: the validation still holds";
    EXPECT_EQ((*got)->created_at, (*created)->created_at) << "an update keeps created_at";
    EXPECT_GT((*got)->updated_at, (*created)->updated_at);

    r.sql += " WHERE customer_id > 0";
    ASSERT_TRUE(store_->SaveRecommendation(r));
    got = store_->GetRecommendation(r.id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->validation_json, "") << "changed SQL: the old validation no longer applies";
    EXPECT_EQ((*got)->sql, r.sql);

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    RecommendationRecord newer = r;
    newer.id = "idx-newer";
    ASSERT_TRUE(store_->SaveRecommendation(newer));
    auto list = store_->ListRecommendations(target->id);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].id, "idx-newer") << "most recently updated first";
    auto none = store_->GetRecommendation("idx-missing");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    auto missing = store_->SaveValidation("idx-missing", "{}");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace optischema::store::contract
