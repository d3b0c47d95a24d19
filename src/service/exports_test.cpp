#include "service/exports.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// A table named with a newline must not turn the script's comments into statements that psql -f runs.
TEST(ExportsTest, ARecommendationsScriptRunsOnlyItsOwnStatements) {
    store::RecommendationRecord rec;
    rec.id = "idx-0123456789ab";
    rec.kind = "index";
    rec.title = "btree on public.\"t\nDROP TABLE users; --\" (a)";
    rec.sql = "CREATE INDEX CONCURRENTLY t_a_idx ON public.\"t\nDROP TABLE users; --\" (a)";
    rec.rollback_sql = "DROP INDEX CONCURRENTLY IF EXISTS public.\"t_a\r\nDROP TABLE orders; --idx\"";
    const std::string script = RecommendationsSql({rec});
    // What psql -f would run: PostgreSQL's own scanner splits the script (comments are not statements).
    auto statements = sqlparse::SplitStatements(script);
    ASSERT_TRUE(statements) << statements.error().message;
    ASSERT_EQ(statements->size(), 1u) << "a comment broke out:\n" << script;
    EXPECT_NE((*statements)[0].find(rec.sql), std::string::npos) << (*statements)[0];
    EXPECT_NE(script.find("-- rollback: DROP INDEX CONCURRENTLY IF EXISTS public.\"t_a  DROP TABLE orders"),
              std::string::npos)
        << script;
    EXPECT_NE(script.find(rec.sql + ";"), std::string::npos) << "the statement itself is written as it is";
}

TEST(ExportsTest, StatementsCsvHasTheDashboardsColumnsAndDefusesFormulas) {
    model::StatementGroup g;
    g.fingerprint = "0a42922fab0bd73f";
    g.query = "=cmd()";
    g.counters.calls = 4;
    g.counters.total_exec_ms = 30;
    g.counters.rows = 8;
    model::StatementGroup h = g;
    h.fingerprint = "1b";
    h.query = "SELECT 1, 2";
    h.counters.total_exec_ms = 10;
    const auto lines = Lines(StatementsCsv({g, h}));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0],
              "fingerprint,query,calls,total_ms,mean_ms,rows,share_pct,cache_hit_pct,shared_blks_read,"
              "temp_blks_written\r");
    EXPECT_EQ(lines[1].substr(0, lines[1].find(",4,")), "0a42922fab0bd73f,'=cmd()");
    EXPECT_NE(lines[1].find(",75,"), std::string::npos) << "share in percent: " << lines[1];
    EXPECT_NE(lines[2].find("\"SELECT 1, 2\""), std::string::npos) << lines[2];
}

TEST(ExportsTest, AuditCsvKeepsEveryEventField) {
    model::AuditEvent e;
    e.id = 7;
    e.actor = "user:ann";
    e.target = "shop";
    e.action = "apply";
    e.outcome = "ok";
    e.duration_ms = 1500.25;
    e.related_id = 3;
    e.sql = "CREATE INDEX CONCURRENTLY a ON t (x)";
    const auto lines = Lines(AuditCsv({e}));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "id,at,actor,target,action,outcome,duration_ms,related_id,sql,error,detail\r");
    EXPECT_NE(lines[1].find(",user:ann,shop,apply,ok,1500.25,3,CREATE INDEX CONCURRENTLY a ON t (x),,"),
              std::string::npos)
        << lines[1];
}

}  // namespace
}  // namespace optischema::service
