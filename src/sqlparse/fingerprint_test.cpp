#include <string>

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

/// The fingerprint, or a string that names the error so a failing comparison shows it.
std::string Fp(std::string_view sql) {
    const Result<std::string> fp = Fingerprint(sql);
    return fp.has_value() ? *fp : "error: " + fp.error().message;
}

bool IsLowerHex16(const std::string& s) {
    if (s.size() != 16) return false;
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

TEST(Fingerprint, IsSixteenLowercaseHexDigits) {
    for (const char* sql : {"SELECT 1", "SELECT * FROM orders WHERE customer_id = $1", "UPDATE t SET a = 1"}) {
        const std::string fp = Fp(sql);
        EXPECT_TRUE(IsLowerHex16(fp)) << sql << " -> " << fp;
    }
}

TEST(Fingerprint, IsStableAcrossRuns) {
    // Stored fingerprints must keep matching: these values come from libpg_query 15-4.0.0.
    EXPECT_EQ(Fp("SELECT * FROM t WHERE a = 1"), "28550ea0fc43bed7");
    EXPECT_EQ(Fp("SELECT 1"), "50fde20626009aba");
}

TEST(Fingerprint, IgnoresConstantValues) {
    EXPECT_EQ(Fp("SELECT * FROM orders WHERE customer_id = 42 AND status = 'paid'"),
              Fp("SELECT * FROM orders WHERE customer_id = 7 AND status = 'refunded'"));
}

TEST(Fingerprint, ParamsAndConstantsAreTheSame) {
    EXPECT_EQ(Fp("SELECT * FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT $3"),
              Fp("SELECT * FROM orders WHERE customer_id = 42 AND status = 'paid' ORDER BY created_at DESC LIMIT 20"));
}

TEST(Fingerprint, IgnoresInListLength) {
    // True for libpg_query 15-4.0.0: constants are dropped, so list length does not matter.
    const std::string two = Fp("SELECT * FROM t WHERE a IN (1, 2)");
    EXPECT_EQ(two, Fp("SELECT * FROM t WHERE a IN (1, 2, 3)"));
    EXPECT_EQ(two, Fp("SELECT * FROM t WHERE a IN ($1, $2, $3, $4, $5)"));
    EXPECT_EQ(two, Fp("SELECT * FROM t WHERE a IN ($1)"));
}

TEST(Fingerprint, EqualsAndSingleElementInCollide) {
    // Surprising but real in libpg_query 15-4.0.0: `a IN (...)` and `a = x` fingerprint alike.
    EXPECT_EQ(Fp("SELECT * FROM t WHERE a IN (1, 2)"), Fp("SELECT * FROM t WHERE a = 1"));
}

TEST(Fingerprint, IgnoresCommentsCaseAndWhitespace) {
    EXPECT_EQ(Fp("SELECT * FROM t WHERE a = 1"), Fp("select *\n  from T /* c */ where A = 2 -- trailing"));
}

TEST(Fingerprint, IgnoresColumnAliases) { EXPECT_EQ(Fp("SELECT a AS x FROM t"), Fp("SELECT a AS y FROM t")); }

TEST(Fingerprint, DiffersForDifferentColumnsTablesAndOrdering) {
    const std::string base = Fp("SELECT * FROM t WHERE a = 1");
    EXPECT_NE(base, Fp("SELECT * FROM t WHERE b = 1"));
    EXPECT_NE(base, Fp("SELECT * FROM u WHERE a = 1"));
    EXPECT_NE(base, Fp("SELECT * FROM t WHERE a > 1"));
    EXPECT_NE(Fp("SELECT * FROM t ORDER BY a DESC"), Fp("SELECT * FROM t ORDER BY a"));
    // An explicit ASC is a different tree from the default order, so it fingerprints differently.
    EXPECT_NE(Fp("SELECT * FROM t ORDER BY a ASC"), Fp("SELECT * FROM t ORDER BY a"));
}

TEST(Fingerprint, GarbageIsParseError) {
    const Result<std::string> fp = Fingerprint("SELEC * FROM t");
    ASSERT_FALSE(fp.has_value());
    EXPECT_EQ(fp.error().code, ErrorCode::kParseError);
    EXPECT_NE(fp.error().message.find("syntax error"), std::string::npos) << fp.error().message;
}

TEST(Fingerprint, EmptyInputHasTheEmptyStatementFingerprint) {
    // libpg_query accepts an empty string (zero statements); comments alone are the same.
    EXPECT_EQ(Fp(""), "d8d13f8b2da6c9ad");
    EXPECT_EQ(Fp("-- nothing"), Fp(""));
}

TEST(Normalize, ReplacesConstantsWithNumberedParams) {
    const Result<std::string> n = Normalize("SELECT * FROM t WHERE a = 1 AND b = 'x' AND c IN (1, 2, 3) LIMIT 10");
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, "SELECT * FROM t WHERE a = $1 AND b = $2 AND c IN ($3, $4, $5) LIMIT $6");
}

TEST(Normalize, NumbersAfterExistingParams) {
    const Result<std::string> n = Normalize("SELECT * FROM t WHERE a = $1 AND b = 5");
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, "SELECT * FROM t WHERE a = $1 AND b = $2");
}

TEST(Normalize, KeepsCommentsAndLayout) {
    const Result<std::string> n = Normalize("SELECT -5, 1.5, true /* c */");
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, "SELECT $1, $2, $3 /* c */");
}

TEST(Normalize, ResultFingerprintsLikeTheOriginal) {
    const char* sql = "SELECT * FROM orders WHERE customer_id = 42 AND created_at > '2024-01-01' LIMIT 5";
    const Result<std::string> n = Normalize(sql);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(Fp(*n), Fp(sql));
}

TEST(Normalize, GarbageIsParseError) {
    const Result<std::string> n = Normalize("SELECT * FROM t WHERE a = 'unterminated");
    ASSERT_FALSE(n.has_value());
    EXPECT_EQ(n.error().code, ErrorCode::kParseError);
    EXPECT_NE(n.error().message.find("unterminated quoted string"), std::string::npos) << n.error().message;
}

}  // namespace
}  // namespace optischema::sqlparse

namespace optischema::sqlparse {
namespace {

TEST(SplitStatementsTest, SplitsOnlyOnStatementBoundaries) {
    auto parts = SplitStatements(
        "SELECT 1;\n  SELECT ';' AS semi -- not; a split\n;\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nSELECT 2");
    ASSERT_TRUE(parts) << parts.error().ToString();
    ASSERT_EQ(parts->size(), 4u);
    EXPECT_EQ((*parts)[0], "SELECT 1");
    EXPECT_EQ((*parts)[1], "SELECT ';' AS semi -- not; a split");
    EXPECT_NE((*parts)[2].find("$$ SELECT 1; $$"), std::string::npos);
    EXPECT_EQ((*parts)[3], "SELECT 2");
    EXPECT_FALSE(SplitStatements("SELECT (;"));
}

}  // namespace
}  // namespace optischema::sqlparse
