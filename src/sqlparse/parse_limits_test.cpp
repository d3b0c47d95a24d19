// What Parse refuses, with the parser's message, and how large or deep a statement it still reads.
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

using model::ParsedQuery;

TEST(Parse, SyntaxErrorIsParseErrorWithTheParsersMessage) {
    const Result<ParsedQuery> q = Parse("SELEC * FROM t");
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, ErrorCode::kParseError);
    EXPECT_NE(q.error().message.find("syntax error at or near \"SELEC\""), std::string::npos) << q.error().message;
    EXPECT_NE(q.error().message.find("at character 1"), std::string::npos) << q.error().message;
}

TEST(Parse, UnterminatedStringIsParseError) {
    const Result<ParsedQuery> q = Parse("SELECT * FROM t WHERE a = 'abc");
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, ErrorCode::kParseError);
    EXPECT_NE(q.error().message.find("unterminated quoted string"), std::string::npos) << q.error().message;
}

TEST(Parse, BinaryGarbageIsParseError) {
    const std::string garbage("\x01\x02\xff\xfe SELECT", 10);
    const Result<ParsedQuery> q = Parse(garbage);
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, ErrorCode::kParseError);
}

TEST(Parse, EmptyInputIsParseError) {
    for (const char* sql : {"", "   \n", "-- just a comment", ";"}) {
        const Result<ParsedQuery> q = Parse(sql);
        ASSERT_FALSE(q.has_value()) << "input: " << sql;
        EXPECT_EQ(q.error().code, ErrorCode::kParseError);
        EXPECT_NE(q.error().message.find("no statement"), std::string::npos) << q.error().message;
    }
}

TEST(Parse, ParserNestingLimitIsParseError) {
    // PostgreSQL's grammar gives up on deep parenthesis nesting ("memory exhausted").
    const std::string sql = "SELECT * FROM t WHERE " + std::string(20000, '(') + "a = 1" + std::string(20000, ')');
    const Result<ParsedQuery> q = Parse(sql);
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, ErrorCode::kParseError);
}

TEST(Parse, TooDeepOperatorChainIsRejectedNotCrashed) {
    // `b + b + ... + b` nests one level per operator without the grammar objecting.
    std::string chain = "b";
    for (int i = 0; i < 20000; ++i) chain += " + b";
    const Result<ParsedQuery> q = Parse("SELECT * FROM t WHERE a = " + chain);
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().code, ErrorCode::kParseError);
    EXPECT_NE(q.error().message.find("levels deep"), std::string::npos) << q.error().message;
}

TEST(Parse, ModeratelyDeepOperatorChainIsAnalysed) {
    std::string chain = "b";
    for (int i = 0; i < 300; ++i) chain += " + b";
    const Result<ParsedQuery> q = Parse("SELECT * FROM t WHERE a = " + chain);
    ASSERT_TRUE(q.has_value()) << q.error().message;
    EXPECT_EQ(q->columns.size(), 302U);  // a, and 301 b's on the other side
}

TEST(Parse, WideWhereClause) {
    std::string sql = "SELECT * FROM t WHERE c0 = $1";
    for (int i = 1; i < 5000; ++i) sql += fmt::format(" AND c{} = ${}", i, i + 1);
    const Result<ParsedQuery> q = Parse(sql);
    ASSERT_TRUE(q.has_value()) << q.error().message;
    ASSERT_EQ(q->columns.size(), 5000U);
    EXPECT_EQ(q->columns.back().column, "c4999");
    EXPECT_EQ(q->param_count, 5000);
}

}  // namespace
}  // namespace optischema::sqlparse
