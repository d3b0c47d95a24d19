#include "advisor/candidates.hpp"

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::advisor {
namespace {

model::ParsedQuery MustParse(const std::string& sql) {
    auto q = sqlparse::Parse(sql);
    if (!q) throw std::runtime_error(q.error().ToString());
    return *q;
}

std::optional<model::ColumnStats> NoStats(const std::string&, const std::string&) { return std::nullopt; }

std::vector<std::string> Ddls(const std::vector<IndexCandidate>& cs) {
    std::vector<std::string> out;
    for (const auto& c : cs) out.push_back(c.Ddl(false));
    return out;
}

bool HasDdl(const std::vector<IndexCandidate>& cs, const std::string& ddl) {
    for (const auto& c : cs) {
        if (c.Ddl(false) == ddl) return true;
    }
    return false;
}

::testing::AssertionResult Has(const std::vector<IndexCandidate>& cs, const std::string& ddl) {
    if (HasDdl(cs, ddl)) return ::testing::AssertionSuccess();
    std::string all;
    for (const auto& d : Ddls(cs)) all += "\n  " + d;
    return ::testing::AssertionFailure() << "missing " << ddl << " among:" << all;
}

TEST(CandidatesTest, EqualityThenRangeThenOrderBy) {
    const auto q = MustParse(
        "SELECT id FROM orders WHERE customer_id = $1 AND status = $2 AND created_at > $3 ORDER BY created_at DESC "
        "LIMIT 10");
    auto stats = [](const std::string&, const std::string& column) -> std::optional<model::ColumnStats> {
        model::ColumnStats s;
        s.analyzed = true;
        s.n_distinct = column == "customer_id" ? 200000 : 3;  // customer_id is far more selective
        return s;
    };
    const auto cs = GenerateCandidates(q, {}, stats);
    EXPECT_TRUE(
        Has(cs, "CREATE INDEX orders_customer_id_status_created_at_idx ON orders (customer_id, status, created_at)"));
    EXPECT_TRUE(Has(cs, "CREATE INDEX orders_customer_id_idx ON orders (customer_id)"));
    EXPECT_TRUE(Has(cs,
                    "CREATE INDEX orders_customer_id_status_created_at_idx ON orders (customer_id, status, created_at "
                    "DESC)"));
}

TEST(CandidatesTest, JoinKeysAndExpressions) {
    const auto q =
        MustParse("SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE lower(c.email) = $1");
    const auto cs = GenerateCandidates(q, {}, NoStats);
    EXPECT_TRUE(Has(cs, "CREATE INDEX orders_customer_id_idx ON orders (customer_id)"));
    EXPECT_TRUE(Has(cs, "CREATE INDEX customers_lower_email_idx ON customers ((lower(email)))"));
}

TEST(CandidatesTest, LikePrefixJsonbAndPartial) {
    const auto like = GenerateCandidates(MustParse("SELECT * FROM products WHERE name LIKE 'abc%'"), {}, NoStats);
    EXPECT_TRUE(Has(like, "CREATE INDEX products_name_idx ON products (name text_pattern_ops)"));
    const auto infix = GenerateCandidates(MustParse("SELECT * FROM products WHERE name LIKE '%abc%'"), {}, NoStats);
    EXPECT_FALSE(HasDdl(infix, "CREATE INDEX products_name_idx ON products (name text_pattern_ops)"));

    EXPECT_TRUE(infix.empty()) << "no trigram index without pg_trgm";
    model::SchemaSnapshot with_trgm;
    with_trgm.extensions = {"hypopg", "pg_trgm"};
    const auto trgm =
        GenerateCandidates(MustParse("SELECT * FROM products WHERE name ILIKE '%abc%'"), with_trgm, NoStats);
    ASSERT_EQ(trgm.size(), 1u);
    EXPECT_EQ(trgm[0].Ddl(false), "CREATE INDEX products_name_gin_idx ON products USING gin (name gin_trgm_ops)");
    EXPECT_TRUE(trgm[0].needs_real_validation);

    const auto gin = GenerateCandidates(MustParse("SELECT * FROM events WHERE payload @> '{\"a\": 1}'"), {}, NoStats);
    ASSERT_FALSE(gin.empty());
    EXPECT_TRUE(Has(gin, "CREATE INDEX events_payload_gin_idx ON events USING gin (payload jsonb_path_ops)"));
    EXPECT_TRUE(gin.back().needs_real_validation);

    auto skewed = [](const std::string&, const std::string&) -> std::optional<model::ColumnStats> {
        model::ColumnStats s;
        s.analyzed = true;
        s.most_common_vals = {"delivered", "shipped", "pending"};
        s.most_common_freqs = {0.95, 0.04, 0.01};
        return s;
    };
    const auto partial = GenerateCandidates(
        MustParse("SELECT id FROM orders WHERE status = 'pending' ORDER BY created_at DESC LIMIT 20"), {}, skewed);
    EXPECT_TRUE(Has(partial,
                    "CREATE INDEX orders_created_at_partial_idx ON orders (created_at DESC) WHERE status = "
                    "'pending'"));
    const auto common = GenerateCandidates(MustParse("SELECT id FROM orders WHERE status = 'delivered'"), {}, skewed);
    for (const auto& c : common) EXPECT_TRUE(c.where.empty()) << c.Ddl(false);
}

TEST(CandidatesTest, SkipsWhatAnExistingIndexServes) {
    model::SchemaSnapshot schema;
    model::IndexInfo pkey;
    pkey.schema = "public";
    pkey.table = "orders";
    pkey.name = "orders_pkey";
    pkey.method = "btree";
    pkey.columns = {"id"};
    model::IndexInfo by_customer = pkey;
    by_customer.name = "orders_customer_id_created_at_idx";
    by_customer.columns = {"customer_id", "created_at"};
    schema.indexes = {pkey, by_customer};
    const auto by_id = GenerateCandidates(MustParse("SELECT * FROM orders WHERE id = $1"), schema, NoStats);
    EXPECT_TRUE(by_id.empty()) << Ddls(by_id).front();
    const auto by_cust = GenerateCandidates(MustParse("SELECT * FROM orders WHERE customer_id = $1"), schema, NoStats);
    EXPECT_TRUE(by_cust.empty()) << "a prefix of an existing index";
    model::SchemaSnapshot invalid = schema;
    invalid.indexes[1].valid = false;
    EXPECT_FALSE(
        GenerateCandidates(MustParse("SELECT * FROM orders WHERE customer_id = $1"), invalid, NoStats).empty());
}

TEST(CandidatesTest, NamesDdlAndRollback) {
    IndexCandidate c;
    c.schema = "Sales";
    c.table = "order";
    c.columns = {"customer_id", "(lower(email))"};
    c.descending = {false, false};
    c.opclasses = {"", ""};
    EXPECT_EQ(c.Name(), "order_customer_id_lower_email_idx");
    EXPECT_EQ(c.Ddl(),
              "CREATE INDEX CONCURRENTLY order_customer_id_lower_email_idx ON \"Sales\".\"order\" "
              "(customer_id, (lower(email)))");
    EXPECT_EQ(c.RollbackDdl(), "DROP INDEX CONCURRENTLY IF EXISTS \"Sales\".order_customer_id_lower_email_idx");
    IndexCandidate longer = c;
    longer.columns.push_back("created_at");
    EXPECT_TRUE(c.IsPrefixOf(longer));
    EXPECT_FALSE(longer.IsPrefixOf(c));
    IndexCandidate wide;
    wide.table = "a_table_with_a_rather_long_name";
    wide.columns = {"first_long_column_name", "second_long_column_name", "third"};
    EXPECT_LE(wide.Name().size(), 63u);
    EXPECT_TRUE(wide.Name().ends_with("_idx"));
}

TEST(CandidatesTest, CoveringVariantForIndexOnlyScans) {
    const auto cs = GenerateCandidates(MustParse("SELECT id, total FROM orders WHERE user_id = $1"), {}, NoStats);
    EXPECT_TRUE(Has(cs, "CREATE INDEX orders_user_id_idx ON orders (user_id)"));
    EXPECT_TRUE(Has(cs, "CREATE INDEX orders_user_id_idx ON orders (user_id) INCLUDE (id, total)"));
    // `*`, an expression, or a join: no covering variant.
    for (const char* sql : {"SELECT * FROM orders WHERE user_id = $1", "SELECT id FROM users WHERE lower(email) = $1",
                            "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.country = $1"}) {
        for (const auto& c : GenerateCandidates(MustParse(sql), {}, NoStats)) EXPECT_TRUE(c.include.empty()) << sql;
    }
}

TEST(CandidatesTest, NothingToIndex) {
    EXPECT_TRUE(GenerateCandidates(MustParse("SELECT count(*) FROM orders"), {}, NoStats).empty());
    EXPECT_TRUE(GenerateCandidates(MustParse("INSERT INTO orders (id) VALUES ($1)"), {}, NoStats).empty());
}

}  // namespace
}  // namespace optischema::advisor
