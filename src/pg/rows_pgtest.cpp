#include <cmath>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "pg/connection.hpp"
#include "pg/rows.hpp"
#include "pg_test_env.hpp"

namespace optischema::pg {
namespace {

using optischema::testing::FreshDatabase;

TEST(TypedRowsPgTest, ReadWhatTheServerPrints) {
    auto conn = Connection::Open(FreshDatabase("typed_rows"));
    ASSERT_TRUE(conn) << conn.error().ToString();
    auto rows = conn->Query(
        "SELECT 42::int, -7::int2, 9223372036854775807::bigint, (-9223372036854775807 - 1)::bigint, "
        "4294967295::oid, 1e6::float4, 1.5e-7::float8, 'Infinity'::float8, 'NaN'::float8, "
        "sum(x)::numeric, true, false, NULL::bigint, 'text'::text "
        "FROM (VALUES (9223372036854775807::bigint), (1)) v(x)");
    ASSERT_TRUE(rows) << rows.error().ToString();
    auto row = (*rows)[0]
                   .As<int, short, std::int64_t, std::int64_t, std::uint32_t, double, double, double, double, double,
                       bool, bool, std::optional<std::int64_t>, std::string>();
    ASSERT_TRUE(row) << row.error().message;
    const auto& [i4, i2, max, min, oid, f4, f8, inf, nan, numeric, yes, no, null, text] = *row;
    EXPECT_EQ(i4, 42);
    EXPECT_EQ(i2, -7);
    EXPECT_EQ(max, std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(min, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(oid, 4294967295u);
    EXPECT_DOUBLE_EQ(f4, 1e6);
    EXPECT_DOUBLE_EQ(f8, 1.5e-7);
    EXPECT_EQ(inf, std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(nan));
    EXPECT_DOUBLE_EQ(numeric, 9223372036854775808.0);
    EXPECT_TRUE(yes);
    EXPECT_FALSE(no);
    EXPECT_FALSE(null);
    EXPECT_EQ(text, "text");

    auto overflow = conn->Query("SELECT sum(x) FROM (VALUES (9223372036854775807::bigint), (1)) v(x)");
    ASSERT_TRUE(overflow);
    auto too_big = overflow->Scalar<std::int64_t>();
    ASSERT_FALSE(too_big);
    EXPECT_EQ(too_big.error().message,
              "column 0 (sum) holds '9223372036854775808', which does not fit a 64-bit integer");
}

}  // namespace
}  // namespace optischema::pg
