#include "pg/rows.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace optischema::pg {
namespace {

using Cells = Row::Cells;

// The value of a read that must succeed.
template <typename T>
T Ok(const Result<T>& read) {
    EXPECT_TRUE(read) << (read ? "" : read.error().message);
    return read ? *read : T();
}

// One row as libpq returns it: text cells, NULL as std::nullopt.
Rows OneRow(std::vector<std::string> columns, Cells cells) { return Rows(std::move(columns), {std::move(cells)}); }

TEST(ParseTextTest, IntegersAsPostgresPrintsThem) {
    EXPECT_EQ(ParseText<int>("42"), 42);
    EXPECT_EQ(ParseText<int>("-7"), -7);
    EXPECT_EQ(ParseText<int>("0"), 0);
    EXPECT_EQ(ParseText<std::int64_t>("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(ParseText<std::int64_t>("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(ParseText<std::uint32_t>("4294967295"), 4294967295u);  // an oid
    EXPECT_EQ(ParseText<short>("-32768"), -32768);                   // int2
}

TEST(ParseTextTest, IntegersRefuseGarbageAndOverflow) {
    for (const char* bad : {"", "abc", "12abc", " 1", "1 ", "+1", "1.5", "1e3", "0x10", "NaN"}) {
        auto v = ParseText<std::int64_t>(bad);
        ASSERT_FALSE(v) << bad;
        EXPECT_EQ(v.error().message, fmt::format("'{}', which is not a 64-bit integer", bad));
    }
    auto too_big = ParseText<std::int64_t>("9223372036854775808");
    ASSERT_FALSE(too_big);
    EXPECT_EQ(too_big.error().message, "'9223372036854775808', which does not fit a 64-bit integer");
    auto bigint_in_int = ParseText<int>("3000000000");
    ASSERT_FALSE(bigint_in_int);
    EXPECT_EQ(bigint_in_int.error().message, "'3000000000', which does not fit a 32-bit integer");
    auto negative_oid = ParseText<std::uint32_t>("-1");
    ASSERT_FALSE(negative_oid);
    EXPECT_EQ(negative_oid.error().message, "'-1', which is not an unsigned 32-bit integer");
}

TEST(ParseTextTest, FloatsAsFloat8outPrintsThem) {
    EXPECT_DOUBLE_EQ(*ParseText<double>("3.14159"), 3.14159);
    EXPECT_DOUBLE_EQ(*ParseText<double>("-2.5"), -2.5);
    EXPECT_DOUBLE_EQ(*ParseText<double>("1e+06"), 1e6);  // reltuples of a million rows
    EXPECT_DOUBLE_EQ(*ParseText<double>("1.5e-07"), 1.5e-7);
    EXPECT_DOUBLE_EQ(*ParseText<double>("-1"), -1);
    EXPECT_DOUBLE_EQ(*ParseText<double>("1712345678.123456"), 1712345678.123456);  // extract(epoch ...) is numeric
    EXPECT_EQ(*ParseText<double>("Infinity"), std::numeric_limits<double>::infinity());
    EXPECT_EQ(*ParseText<double>("-Infinity"), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(*ParseText<double>("NaN")));
    EXPECT_FLOAT_EQ(*ParseText<float>("0.25"), 0.25F);
}

TEST(ParseTextTest, FloatsRefuseGarbage) {
    for (const char* bad : {"", "abc", "1.5x", " 1", "1,5"}) {
        auto v = ParseText<double>(bad);
        ASSERT_FALSE(v) << bad;
        EXPECT_EQ(v.error().message, fmt::format("'{}', which is not a float8", bad));
    }
    auto huge = ParseText<double>("1e400");
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().message, "'1e400', which does not fit a float8");
}

TEST(ParseTextTest, BooleansAsBooloutAndSettingsPrintThem) {
    EXPECT_EQ(ParseText<bool>("t"), true);
    EXPECT_EQ(ParseText<bool>("f"), false);
    EXPECT_EQ(ParseText<bool>("on"), true);
    EXPECT_EQ(ParseText<bool>("off"), false);
    auto bad = ParseText<bool>("maybe");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "'maybe', which is not a boolean (t or f)");
}

TEST(ParseTextTest, LongTextIsShortenedInTheMessage) {
    auto v = ParseText<int>(std::string(500, '9') + "x");
    ASSERT_FALSE(v);
    EXPECT_LT(v.error().message.size(), 120u);
}

TEST(RowTest, GetConvertsEachCell) {
    const Rows rows = OneRow({"calls", "mean", "ok", "query"}, {"12", "0.5", "t", "SELECT 1"});
    const Row& row = rows[0];
    EXPECT_EQ(row.Get<std::int64_t>(0), 12);
    EXPECT_EQ(row.Get<double>(1), 0.5);
    EXPECT_EQ(row.Get<bool>(2), true);
    EXPECT_EQ(row.Get<std::string>(3), "SELECT 1");
    EXPECT_EQ(Ok(row.Get<std::optional<std::int64_t>>(0)), std::optional<std::int64_t>(12));
}

TEST(RowTest, NullIsAnErrorUnlessOptionalOrFallback) {
    const Rows rows = OneRow({"n_tup_ins"}, {std::nullopt});
    const Row& row = rows[0];
    auto plain = row.Get<std::int64_t>(0);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code, ErrorCode::kInternal);
    EXPECT_EQ(plain.error().message, "column 0 (n_tup_ins) is NULL where a value was expected");
    EXPECT_EQ(Ok(row.Get<std::optional<std::int64_t>>(0)), std::nullopt);
    EXPECT_EQ(Ok(row.Get<std::optional<std::string>>(0)), std::nullopt);
    EXPECT_EQ(row.GetOr<std::int64_t>(0, 0), 0);
    EXPECT_EQ(row.GetOr<std::string>(0, "C.UTF-8"), "C.UTF-8");
}

TEST(RowTest, ErrorsNameTheColumnAndTheText) {
    const Rows rows = OneRow({"queryid", "calls"}, {"1", "12abc"});
    auto bad = rows[0].Get<std::int64_t>(1);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "column 1 (calls) holds '12abc', which is not a 64-bit integer");
    auto optional_bad = rows[0].Get<std::optional<std::int64_t>>(1);
    ASSERT_FALSE(optional_bad);
    EXPECT_EQ(optional_bad.error().message, bad.error().message);
    auto fallback_bad = rows[0].GetOr<std::int64_t>(1, 0);
    ASSERT_FALSE(fallback_bad);
    EXPECT_EQ(fallback_bad.error().message, bad.error().message);
    auto missing = rows[0].Get<std::string>(2);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "column 2 does not exist: the row has 2 columns");
}

TEST(RowTest, AsReadsTheWholeRow) {
    const Rows rows = OneRow({"oid", "name", "size", "comment"}, {"16384", "orders", "8192", std::nullopt});
    auto row = rows[0].As<std::uint32_t, std::string, std::int64_t, std::optional<std::string>>();
    ASSERT_TRUE(row) << row.error().message;
    const auto& [oid, name, size, comment] = *row;
    EXPECT_EQ(oid, 16384u);
    EXPECT_EQ(name, "orders");
    EXPECT_EQ(size, 8192);
    EXPECT_FALSE(comment);

    auto narrow = rows[0].As<std::string, std::string>();
    ASSERT_FALSE(narrow);
    EXPECT_EQ(narrow.error().message, "the row has 4 columns where 2 were expected");

    auto wrong = rows[0].As<std::uint32_t, std::int64_t, std::int64_t, std::optional<std::string>>();
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().message, "column 1 (name) holds 'orders', which is not a 64-bit integer");
}

TEST(RowsTest, AsReadsEveryRowAndNamesTheOneThatFails) {
    const Rows good({"relname", "reltuples"}, {{"a", "1e+06"}, {"b", "-1"}});
    auto read = good.As<std::string, double>();
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->size(), 2u);
    EXPECT_EQ(std::get<0>((*read)[0]), "a");
    EXPECT_DOUBLE_EQ(std::get<1>((*read)[0]), 1e6);
    EXPECT_DOUBLE_EQ(std::get<1>((*read)[1]), -1);

    const Rows single({"attname"}, {{"id"}, {"total"}});
    auto names = single.As<std::string>();
    ASSERT_TRUE(names);
    EXPECT_EQ(*names, (std::vector<std::string>{"id", "total"}));

    const Rows bad({"relname", "reltuples"}, {{"a", "1"}, {"b", "lots"}});
    auto failed = bad.As<std::string, double>();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "row 1: column 1 (reltuples) holds 'lots', which is not a float8");

    EXPECT_TRUE(Rows().As<std::string>()->empty());
}

TEST(RowsTest, ScalarIsTheFirstCell) {
    EXPECT_EQ(OneRow({"count"}, {"42"}).Scalar<std::int64_t>(), 42);
    EXPECT_EQ(Ok(OneRow({"x"}, {std::nullopt}).Scalar<std::optional<std::string>>()), std::nullopt);
    auto none = Rows({"count"}, {}).Scalar<std::int64_t>();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, "the query returned no row");
}

TEST(RowsTest, RowsStillReadAsText) {
    const Rows rows({"a", "b"}, {{"1", std::nullopt}});
    EXPECT_EQ(rows.columns(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(rows.ColumnIndex("b"), 1);
    EXPECT_EQ(rows.ColumnIndex("c"), -1);
    EXPECT_EQ(rows[0][0], "1");
    EXPECT_FALSE(rows[0][1]);
    const Cells& cells = rows[0];
    EXPECT_EQ(cells.size(), 2u);
    EXPECT_TRUE(Rows().columns().empty());
}

TEST(RowsTest, CopiesShareNamesSafely) {
    Rows copy;
    {
        const Rows original = OneRow({"calls"}, {"x"});
        copy = original;
    }
    auto bad = copy[0].Get<int>(0);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "column 0 (calls) holds 'x', which is not a 32-bit integer");
}

}  // namespace
}  // namespace optischema::pg
