// PostgreSQL's scanner on the text forms that a hand-written lexer gets wrong, and the constants
// that normalization replaced, found with it.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

using Tokens = std::vector<std::pair<std::string, TokenKind>>;

Tokens Scanned(std::string_view sql) {
    auto tokens = Scan(sql);
    EXPECT_TRUE(tokens) << tokens.error().message;
    Tokens out;
    if (tokens) {
        for (const Token& t : *tokens) out.emplace_back(std::string(sql.substr(t.start, t.end - t.start)), t.kind);
    }
    return out;
}

TEST(Scan, QuotedIdentifiersStringsAndCommentsAreOneTokenEach) {
    EXPECT_EQ(Scanned(R"(SELECT "Order ""Lines""".qty, E'it\'s', 'it''s' /* 'not a string' */ -- "nor this")"),
              (Tokens{{"SELECT", TokenKind::kKeyword},
                      {R"("Order ""Lines""")", TokenKind::kIdentifier},
                      {".", TokenKind::kSymbol},
                      {"qty", TokenKind::kIdentifier},
                      {",", TokenKind::kSymbol},
                      {R"(E'it\'s')", TokenKind::kString},
                      {",", TokenKind::kSymbol},
                      {"'it''s'", TokenKind::kString},
                      {"/* 'not a string' */", TokenKind::kComment},
                      {R"(-- "nor this")", TokenKind::kComment}}));
}

TEST(Scan, DollarQuotingParametersAndNumbers) {
    EXPECT_EQ(Scanned("SELECT $fn$ SELECT 'a'; $$ $fn$, $1::int, -1.5e-3, .5"),
              (Tokens{{"SELECT", TokenKind::kKeyword},
                      {"$fn$ SELECT 'a'; $$ $fn$", TokenKind::kString},
                      {",", TokenKind::kSymbol},
                      {"$1", TokenKind::kParam},
                      {"::", TokenKind::kSymbol},
                      {"int", TokenKind::kKeyword},
                      {",", TokenKind::kSymbol},
                      {"-", TokenKind::kSymbol},
                      {"1.5e-3", TokenKind::kNumber},
                      {",", TokenKind::kSymbol},
                      {".5", TokenKind::kNumber}}));
}

TEST(Scan, UnicodeEscapesAndMultibyteTextKeepByteOffsets) {
    EXPECT_EQ(Scanned(R"(SELECT U&"d\0061t", U&'\00e9t' UESCAPE '\', 'été')"),
              (Tokens{{"SELECT", TokenKind::kKeyword},
                      {R"(U&"d\0061t")", TokenKind::kIdentifier},
                      {",", TokenKind::kSymbol},
                      {R"(U&'\00e9t')", TokenKind::kString},
                      {"UESCAPE", TokenKind::kKeyword},
                      {R"('\')", TokenKind::kString},
                      {",", TokenKind::kSymbol},
                      {"'été'", TokenKind::kString}}));
}

TEST(Scan, UnterminatedTextIsParseError) {
    for (const char* sql : {"SELECT 'open", "SELECT $$open", "SELECT \"open", "SELECT /* open"}) {
        auto tokens = Scan(sql);
        ASSERT_FALSE(tokens) << sql;
        EXPECT_EQ(tokens.error().code, ErrorCode::kParseError) << sql;
    }
}

using Constants = std::vector<std::pair<int, std::string>>;

Constants Replaced(const std::string& sql) {
    auto normalized = Normalize(sql);
    EXPECT_TRUE(normalized) << normalized.error().message;
    auto parsed = Parse(*normalized);
    EXPECT_TRUE(parsed) << parsed.error().message;
    auto constants = ReplacedConstants(sql, *normalized, *parsed);
    EXPECT_TRUE(constants) << constants.error().message << "\n" << *normalized;
    Constants out;
    if (constants) {
        for (const auto& c : *constants) out.emplace_back(c.number, c.text);
    }
    return out;
}

TEST(ReplacedConstants, EveryFormOfConstantAsWritten) {
    EXPECT_EQ(Replaced("SELECT id FROM orders WHERE status = E'it\\'s' AND note <> 'it''s' AND total > - 3.5e1"),
              (Constants{{1, "E'it\\'s'"}, {2, "'it''s'"}, {3, "- 3.5e1"}}));
    EXPECT_EQ(Replaced("SELECT $tag$ 'quoted' $$ $tag$, B'101', X'ff', true, interval '1 day', 'a'\n'b'"),
              (Constants{{1, "$tag$ 'quoted' $$ $tag$"},
                         {2, "B'101'"},
                         {3, "X'ff'"},
                         {4, "true"},
                         {5, "'1 day'"},
                         {6, "'a'\n'b'"}}));
}

TEST(ReplacedConstants, IdentifiersCommentsAndParametersStayAsTheyAre) {
    EXPECT_EQ(Replaced("/* 'x' */ SELECT \"a\"\"b\" FROM \"T\" WHERE \"$1\" = 7 AND c = $1 -- 'y' 8"),
              (Constants{{2, "7"}}));
    EXPECT_EQ(Replaced("SELECT * FROM t WHERE a = $1 AND b = $1 AND c = -$1"), Constants{});
}

TEST(ReplacedConstants, TextsThatDoNotLineUpAreRefused) {
    auto parsed = Parse("SELECT * FROM t WHERE a = $1");
    ASSERT_TRUE(parsed);
    auto other_table = ReplacedConstants("SELECT * FROM u WHERE a = 1", "SELECT * FROM t WHERE a = $1", *parsed);
    ASSERT_FALSE(other_table);
    EXPECT_NE(other_table.error().message.find("does not line up"), std::string::npos);
    EXPECT_FALSE(ReplacedConstants("SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE a = $1 ", *parsed));
}

}  // namespace
}  // namespace optischema::sqlparse
