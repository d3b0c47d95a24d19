#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

using model::ClauseKind;
using model::ColumnUse;
using model::Operand;
using model::ParsedQuery;
using model::RelationRef;

// Expectations are written as one line per ColumnUse:
//   <CLAUSE> <relation>/<qualifier>/<column> [<expression>] <op> <operand> [NOT] [DESC] [NULLS FIRST|LAST]
// with the operand as `const:<text>`, `$n` (text and param_number must agree), `col:<text>`,
// `list:[a,b]`, `subquery` or `other:<text>`, and nothing for kNone.
std::string RenderOperand(const Operand& o) {
    switch (o.kind) {
        case Operand::Kind::kNone:
            return "";
        case Operand::Kind::kConstant:
            return "const:" + o.text;
        case Operand::Kind::kParam:
            return o.text == fmt::format("${}", o.param_number) ? o.text : "MISMATCHED-PARAM:" + o.text;
        case Operand::Kind::kColumn:
            return "col:" + o.text;
        case Operand::Kind::kList:
            return fmt::format("list:[{}]", fmt::join(o.list, ","));
        case Operand::Kind::kSubquery:
            return "subquery";
        case Operand::Kind::kOther:
            return "other:" + o.text;
    }
    return "?";
}

std::string Render(const ColumnUse& u) {
    const char* clause = "ORDER";
    if (u.clause == ClauseKind::kWhere) clause = "WHERE";
    if (u.clause == ClauseKind::kJoin) clause = "JOIN";
    if (u.clause == ClauseKind::kGroupBy) clause = "GROUP";
    std::string s = fmt::format("{} {}/{}/{}", clause, u.relation, u.qualifier, u.column);
    if (!u.expression.empty()) s += " [" + u.expression + "]";
    if (!u.op.empty()) s += " " + u.op;
    if (const std::string operand = RenderOperand(u.operand); !operand.empty()) s += " " + operand;
    if (u.negated) s += " NOT";
    if (u.descending) s += " DESC";
    if (u.nulls_first.has_value()) s += *u.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    return s;
}

/// "schema.name alias", omitting the parts that are empty.
std::string Render(const RelationRef& r) {
    return (r.schema.empty() ? "" : r.schema + ".") + r.name + (r.alias.empty() ? "" : " " + r.alias);
}

std::vector<std::string> RenderAll(const ParsedQuery& q) {
    std::vector<std::string> out;
    for (const ColumnUse& u : q.columns) out.push_back(Render(u));
    return out;
}

std::vector<std::string> RenderRelations(const ParsedQuery& q) {
    std::vector<std::string> out;
    for (const RelationRef& r : q.relations) out.push_back(Render(r));
    return out;
}

std::string RenderOptional(const std::optional<Operand>& o) { return o.has_value() ? RenderOperand(*o) : "none"; }

struct ParseCase {
    std::string name;
    std::string sql;
    std::string statement_type = "SELECT";
    std::vector<std::string> relations = {};
    std::vector<std::string> columns = {};
    std::string limit = "none";
    std::string offset = "none";
    bool has_cte = false;
    bool has_subquery = false;
    int param_count = 0;
};

/// Makes a failing case print its name and SQL instead of bytes.
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name << ": " << c.sql; }

// Real statements, many as pg_stat_statements shows them (constants already replaced by $n).
const std::vector<ParseCase>& Cases() {
    static const std::vector<ParseCase> cases = {
        {.name = "PgssOrdersByCustomer",
         .sql = "SELECT * FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT $3",
         .relations = {"orders"},
         .columns = {"WHERE orders//customer_id = $1", "WHERE orders//status = $2", "ORDER orders//created_at DESC"},
         .limit = "$3",
         .param_count = 3},
        {.name = "PgssInListLimitOffset",
         .sql = "SELECT id, total FROM orders WHERE customer_id = $1 AND status IN ($2, $3) "
                "ORDER BY created_at DESC NULLS FIRST, id LIMIT $4 OFFSET $5",
         .relations = {"orders"},
         .columns = {"WHERE orders//customer_id = $1", "WHERE orders//status IN list:[$2,$3]",
                     "ORDER orders//created_at DESC NULLS FIRST", "ORDER orders//id"},
         .limit = "$4",
         .offset = "$5",
         .param_count = 5},
        {.name = "InListOfTwoConstants",
         .sql = "SELECT * FROM events WHERE kind IN (1, 2)",
         .relations = {"events"},
         .columns = {"WHERE events//kind IN list:[1,2]"}},
        {.name = "InListOfFiveConstants",
         .sql = "SELECT * FROM events WHERE kind IN ('a', 'b', 'c', 'd', 'e')",
         .relations = {"events"},
         .columns = {"WHERE events//kind IN list:[a,b,c,d,e]"}},
        {.name = "NotInListIsNegatedIn",
         .sql = "SELECT * FROM events WHERE kind NOT IN (1, 2)",
         .relations = {"events"},
         .columns = {"WHERE events//kind IN list:[1,2] NOT"}},
        {.name = "AnyArrayIsIn",
         .sql = "SELECT * FROM users WHERE id = ANY($1) AND role = ANY(ARRAY['admin', 'owner']) AND "
                "state <> ALL($2::text[])",
         .relations = {"users"},
         .columns = {"WHERE users//id IN $1", "WHERE users//role IN list:[admin,owner]",
                     "WHERE users//state IN $2 NOT"},
         .param_count = 2},
        {.name = "LowerEmail",
         .sql = "SELECT id FROM users WHERE lower(email) = $1",
         .relations = {"users"},
         .columns = {"WHERE users//email [lower(email)] = $1"},
         .param_count = 1},
        {.name = "JsonbOperators",
         .sql = "SELECT * FROM events WHERE payload->>'k' = $1 AND payload @> '{\"a\": 1}' AND tags ? 'x'",
         .relations = {"events"},
         .columns = {"WHERE events//payload [payload ->> 'k'] = $1", "WHERE events//payload @> const:{\"a\": 1}",
                     "WHERE events//tags ? const:x"},
         .param_count = 1},
        {.name = "LikeFamilyAndNullTests",
         .sql = "SELECT * FROM users WHERE name LIKE 'abc%' AND name ILIKE $1 AND name NOT LIKE 'z%' "
                "AND deleted_at IS NULL AND email IS NOT NULL",
         .relations = {"users"},
         // NOT LIKE keeps PostgreSQL's own operator "!~~" and is not also marked negated.
         .columns = {"WHERE users//name ~~ const:abc%", "WHERE users//name ~~* $1", "WHERE users//name !~~ const:z%",
                     "WHERE users//deleted_at IS NULL", "WHERE users//email IS NOT NULL"},
         .param_count = 1},
        {.name = "WrappedColumns",
         .sql = "SELECT * FROM events WHERE date_trunc('day', created_at) = $1 AND created_at::date >= '2024-01-01' "
                "AND created_at > now() - interval '7 days' AND coalesce(a, b) = 1 AND (x + 1) * 2 > y "
                "AND arr[1] = $2 AND name = 'O''Brien'",
         .relations = {"events"},
         // A column compared with an expression over another column: both sides are recorded.
         .columns = {"WHERE events//created_at [date_trunc('day', created_at)] = $1",
                     "WHERE events//created_at [created_at::date] >= const:2024-01-01",
                     "WHERE events//created_at > other:now() - '7 days'::interval",
                     "WHERE events//a [COALESCE(a, b)] = const:1", "WHERE events//b [COALESCE(a, b)] = const:1",
                     "WHERE events//x [(x + 1) * 2] > col:y", "WHERE events//y < col:(x + 1) * 2",
                     "WHERE events//arr [arr[1]] = $2", "WHERE events//name = const:O'Brien"},
         .param_count = 2},
        {.name = "ConstantKinds",
         // libpg_query 15-4.0.0 drops the value of 0 and of negative integers from its JSON; they are
         // read back from the statement text.
         .sql = "SELECT * FROM t WHERE a = -7 AND b > 0 AND c = - 12 AND d = -1.5 AND e = false AND f = B'101' "
                "AND g = NULL AND h = 2147483648",
         .relations = {"t"},
         .columns = {"WHERE t//a = const:-7", "WHERE t//b > const:0", "WHERE t//c = const:-12",
                     "WHERE t//d = const:-1.5", "WHERE t//e = const:false", "WHERE t//f = const:B'101'",
                     "WHERE t//g = const:NULL", "WHERE t//h = const:2147483648"}},
        {.name = "BetweenIsOneUseWithTwoBounds",
         .sql = "SELECT * FROM t WHERE created_at BETWEEN $1 AND $2 AND n NOT BETWEEN 1 AND 10",
         .relations = {"t"},
         .columns = {"WHERE t//created_at BETWEEN list:[$1,$2]", "WHERE t//n BETWEEN list:[1,10] NOT"},
         .param_count = 2},
        {.name = "ConstantOnTheLeftIsCommuted",
         .sql = "SELECT * FROM t WHERE $1 < a AND 5 >= b AND 'x' = c",
         .relations = {"t"},
         .columns = {"WHERE t//a > $1", "WHERE t//b <= const:5", "WHERE t//c = const:x"},
         .param_count = 1},
        {.name = "KeysetPaginationRowComparison",
         .sql = "SELECT * FROM events WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT 50",
         .relations = {"events"},
         .columns = {"WHERE events//created_at < $1", "WHERE events//id < $2", "ORDER events//created_at DESC",
                     "ORDER events//id DESC"},
         .limit = "const:50",
         .param_count = 2},
        {.name = "NotTogglesNegation",
         .sql = "SELECT * FROM t WHERE NOT NOT a = 1 AND NOT (b = 1 OR c IS NULL) AND active AND NOT archived",
         .relations = {"t"},
         .columns = {"WHERE t//a = const:1", "WHERE t//b = const:1 NOT", "WHERE t//c IS NULL NOT",
                     "WHERE t//active = const:true", "WHERE t//archived = const:true NOT"}},
        {.name = "JoinOnAndUsingWithAliases",
         .sql =
             "SELECT u.email, o.total FROM public.users AS u JOIN orders o ON o.user_id = u.id "
             "LEFT JOIN payments p USING (order_id) WHERE u.active AND o.total >= $1 ORDER BY o.total DESC NULLS LAST",
         .relations = {"public.users u", "orders o", "payments p"},
         // The left side of USING is a join of two tables: which one has order_id needs the catalog.
         .columns = {"JOIN orders/o/user_id = col:u.id", "JOIN users/u/id = col:o.user_id",
                     "JOIN //order_id = col:p.order_id", "JOIN payments//order_id = col:order_id",
                     "WHERE users/u/active = const:true", "WHERE orders/o/total >= $1",
                     "ORDER orders/o/total DESC NULLS LAST"},
         .param_count = 1},
        {.name = "UsingBetweenTwoTables",
         .sql = "SELECT * FROM orders JOIN order_items i USING (order_id, tenant_id)",
         .relations = {"orders", "order_items i"},
         .columns = {"JOIN orders//order_id = col:i.order_id", "JOIN order_items//order_id = col:orders.order_id",
                     "JOIN orders//tenant_id = col:i.tenant_id", "JOIN order_items//tenant_id = col:orders.tenant_id"}},
        {.name = "UnqualifiedColumnWithTwoTablesIsUnresolved",
         .sql = "SELECT * FROM a, b WHERE a.id = b.a_id AND x = 1",
         .relations = {"a", "b"},
         .columns = {"WHERE a/a/id = col:b.a_id", "WHERE b/b/a_id = col:a.id", "WHERE //x = const:1"}},
        {.name = "SchemaQualifiedColumn",
         .sql = "SELECT * FROM public.users WHERE public.users.id = $1",
         .relations = {"public.users"},
         .columns = {"WHERE users/public.users/id = $1"},
         .param_count = 1},
        {.name = "CteIsNotARelation",
         .sql = "WITH recent AS (SELECT id, customer_id FROM orders WHERE created_at > $1) "
                "SELECT c.name, r.id FROM recent r JOIN customers c ON c.id = r.customer_id WHERE c.region = $2",
         .relations = {"orders", "customers c"},
         .columns = {"WHERE orders//created_at > $1", "JOIN customers/c/id = col:r.customer_id",
                     "JOIN /r/customer_id = col:c.id", "WHERE customers/c/region = $2"},
         .has_cte = true,
         .param_count = 2},
        {.name = "CteShadowingItsTable",
         // Inside a non-recursive CTE its own name still means the table.
         .sql = "WITH orders AS (SELECT * FROM orders WHERE total > 0) SELECT * FROM orders WHERE id = 1",
         .relations = {"orders"},
         .columns = {"WHERE orders//total > const:0", "WHERE //id = const:1"},
         .has_cte = true},
        {.name = "RecursiveCte",
         .sql = "WITH RECURSIVE tree AS (SELECT id, parent_id FROM nodes WHERE id = $1 UNION ALL "
                "SELECT n.id, n.parent_id FROM nodes n JOIN tree t ON n.parent_id = t.id) SELECT * FROM tree",
         .relations = {"nodes"},
         .columns = {"WHERE nodes//id = $1", "JOIN nodes/n/parent_id = col:t.id", "JOIN /t/id = col:n.parent_id"},
         .has_cte = true,
         .param_count = 1},
        {.name = "CorrelatedExists",
         .sql = "SELECT o.id FROM orders o WHERE EXISTS "
                "(SELECT 1 FROM order_items i WHERE i.order_id = o.id AND quantity > $1)",
         .relations = {"orders o", "order_items i"},
         .columns = {"WHERE order_items/i/order_id = col:o.id", "WHERE orders/o/id = col:i.order_id",
                     "WHERE order_items//quantity > $1"},
         .has_subquery = true,
         .param_count = 1},
        {.name = "CorrelatedScalarSubqueryOnSameTable",
         .sql =
             "SELECT * FROM orders o WHERE total > (SELECT avg(total) FROM orders WHERE customer_id = o.customer_id)",
         .relations = {"orders o"},
         .columns = {"WHERE orders//total > subquery", "WHERE orders//customer_id = col:o.customer_id",
                     "WHERE orders/o/customer_id = col:customer_id"},
         .has_subquery = true},
        {.name = "ScalarSubqueryInSelectList",
         .sql = "SELECT c.id, (SELECT max(o.total) FROM orders o WHERE o.customer_id = c.id) FROM customers c",
         .relations = {"orders o", "customers c"},
         .columns = {"WHERE orders/o/customer_id = col:c.id", "WHERE customers/c/id = col:o.customer_id"},
         .has_subquery = true},
        {.name = "NotInSubquery",
         .sql = "SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM bans WHERE until > now())",
         .relations = {"users", "bans"},
         .columns = {"WHERE users//id IN subquery NOT", "WHERE bans//until > other:now()"},
         .has_subquery = true},
        {.name = "FromSubqueryAndLateral",
         .sql = "SELECT * FROM (SELECT customer_id, sum(total) AS s FROM orders GROUP BY customer_id) t "
                "CROSS JOIN LATERAL (SELECT * FROM items i WHERE i.customer_id = t.customer_id LIMIT 3) x "
                "WHERE t.s > $1 ORDER BY s DESC",
         .relations = {"orders", "items i"},
         .columns = {"GROUP orders//customer_id", "WHERE items/i/customer_id = col:t.customer_id",
                     "WHERE /t/customer_id = col:i.customer_id", "WHERE /t/s > $1", "ORDER //s DESC"},
         .has_subquery = true,
         .param_count = 1},
        {.name = "GroupByHavingOrderByPositionAndAlias",
         .sql = "SELECT date_trunc('day', created_at) AS day, count(*) FROM events WHERE kind = $1 "
                "GROUP BY 1 HAVING sum(amount) > $2 ORDER BY day",
         .relations = {"events"},
         .columns = {"WHERE events//kind = $1", "GROUP events//created_at [date_trunc('day', created_at)]",
                     "WHERE events//amount [sum(amount)] > $2",
                     "ORDER events//created_at [date_trunc('day', created_at)]"},
         .param_count = 2},
        {.name = "UnionBranchesHaveTheirOwnScope",
         .sql = "SELECT id FROM a WHERE x = $1 UNION ALL SELECT id FROM b WHERE y = $2 ORDER BY id LIMIT 5",
         .relations = {"a", "b"},
         .columns = {"WHERE a//x = $1", "WHERE b//y = $2", "ORDER //id"},
         .limit = "const:5",
         .param_count = 2},
        {.name = "LimitAllAndOffsetZero",
         .sql = "SELECT * FROM t LIMIT ALL OFFSET 0",
         .relations = {"t"},
         .offset = "const:0"},
        {.name = "FetchFirst",
         .sql = "SELECT * FROM t ORDER BY id FETCH FIRST 10 ROWS ONLY",
         .relations = {"t"},
         .columns = {"ORDER t//id"},
         .limit = "const:10"},
        {.name = "UpdateWithFrom",
         .sql = "UPDATE orders o SET status = $1 FROM customers c WHERE o.customer_id = c.id AND c.tier = $2 "
                "AND o.status <> 'cancelled'",
         .statement_type = "UPDATE",
         .relations = {"orders o", "customers c"},
         .columns = {"WHERE orders/o/customer_id = col:c.id", "WHERE customers/c/id = col:o.customer_id",
                     "WHERE customers/c/tier = $2", "WHERE orders/o/status <> const:cancelled"},
         .param_count = 2},
        {.name = "DeleteWithUsing",
         .sql = "DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.disabled AND s.expires_at < $1",
         .statement_type = "DELETE",
         .relations = {"sessions s", "users u"},
         .columns = {"WHERE sessions/s/user_id = col:u.id", "WHERE users/u/id = col:s.user_id",
                     "WHERE users/u/disabled = const:true", "WHERE sessions/s/expires_at < $1"},
         .param_count = 1},
        {.name = "InsertSelect",
         .sql = "INSERT INTO archive.orders (id, total) SELECT id, total FROM orders WHERE created_at < $1",
         .statement_type = "INSERT",
         .relations = {"archive.orders", "orders"},
         .columns = {"WHERE orders//created_at < $1"},
         .param_count = 1},
        {.name = "InsertOnConflict",
         .sql = "INSERT INTO counters AS c (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE "
                "SET v = c.v + excluded.v WHERE c.v < $3",
         .statement_type = "INSERT",
         .relations = {"counters c"},
         .columns = {"WHERE counters/c/v < $3"},
         .param_count = 3},
        {.name = "OnlyTheFirstStatement",
         .sql = "SELECT * FROM a WHERE x = 1; DELETE FROM b WHERE y = $9",
         .relations = {"a"},
         .columns = {"WHERE a//x = const:1"}},
        {.name = "ExplainIsOtherButAnalysed",
         .sql = "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM t WHERE a = $1",
         .statement_type = "OTHER",
         .relations = {"t"},
         .columns = {"WHERE t//a = $1"},
         .param_count = 1},
        {.name = "CreateIndexIsOther",
         .sql = "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)",
         .statement_type = "OTHER",
         .relations = {"public.orders"}},
    };
    return cases;
}

class ParseTableTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseTableTest, ExtractsWhatTheAdvisorNeeds) {
    const ParseCase& c = GetParam();
    const Result<ParsedQuery> q = Parse(c.sql);
    ASSERT_TRUE(q.has_value()) << q.error().message;
    EXPECT_EQ(q->statement_type, c.statement_type);
    EXPECT_EQ(RenderRelations(*q), c.relations);
    EXPECT_EQ(RenderAll(*q), c.columns);
    EXPECT_EQ(RenderOptional(q->limit), c.limit);
    EXPECT_EQ(RenderOptional(q->offset), c.offset);
    EXPECT_EQ(q->has_cte, c.has_cte);
    EXPECT_EQ(q->has_subquery, c.has_subquery);
    EXPECT_EQ(q->param_count, c.param_count);
}

INSTANTIATE_TEST_SUITE_P(RealStatements,
                         ParseTableTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

TEST(Parse, FillsOperandFieldsExactly) {
    const Result<ParsedQuery> q = Parse("SELECT * FROM t WHERE a = $12 AND b IN (1, $2) ORDER BY c");
    ASSERT_TRUE(q.has_value()) << q.error().message;
    ASSERT_EQ(q->columns.size(), 3U);

    const ColumnUse& a = q->columns[0];
    EXPECT_EQ(a.operand.kind, Operand::Kind::kParam);
    EXPECT_EQ(a.operand.text, "$12");
    EXPECT_EQ(a.operand.param_number, 12);
    EXPECT_TRUE(a.expression.empty());

    const ColumnUse& b = q->columns[1];
    EXPECT_EQ(b.operand.kind, Operand::Kind::kList);
    EXPECT_EQ(b.operand.list, (std::vector<std::string>{"1", "$2"}));

    const ColumnUse& c = q->columns[2];
    EXPECT_EQ(c.clause, ClauseKind::kOrderBy);
    EXPECT_EQ(c.operand.kind, Operand::Kind::kNone);
    EXPECT_FALSE(c.descending);
    EXPECT_FALSE(c.nulls_first.has_value());
    EXPECT_EQ(q->param_count, 12);
}

TEST(Parse, JoinKeyIsRecordedOnBothSides) {
    const Result<ParsedQuery> q = Parse("SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id");
    ASSERT_TRUE(q.has_value()) << q.error().message;
    ASSERT_EQ(q->columns.size(), 2U);
    EXPECT_EQ(q->columns[0].relation, "orders");
    EXPECT_EQ(q->columns[0].qualifier, "o");
    EXPECT_EQ(q->columns[0].column, "customer_id");
    EXPECT_EQ(q->columns[0].operand.kind, Operand::Kind::kColumn);
    EXPECT_EQ(q->columns[0].operand.text, "c.id");
    EXPECT_EQ(q->columns[1].relation, "customers");
    EXPECT_EQ(q->columns[1].column, "id");
    EXPECT_EQ(q->columns[1].operand.text, "o.customer_id");
}

TEST(Parse, RepeatedTableIsOneRelationWithItsFirstAlias) {
    const Result<ParsedQuery> q = Parse(
        "SELECT * FROM users a JOIN users b ON a.manager_id = b.id JOIN teams t ON "
        "t.id = a.team_id");
    ASSERT_TRUE(q.has_value()) << q.error().message;
    EXPECT_EQ(RenderRelations(*q), (std::vector<std::string>{"users a", "teams t"}));
    // Both aliases still resolve to the table.
    EXPECT_EQ(q->columns[0].relation, "users");
    EXPECT_EQ(q->columns[1].relation, "users");
}

TEST(Parse, ReadsOnlyTheGivenView) {
    // The view's bytes after "1" are not part of the statement; Parse must not read past them.
    const std::string buffer = "SELECT * FROM t WHERE a = 1 garbage";
    const Result<ParsedQuery> q = Parse(std::string_view(buffer).substr(0, 27));
    ASSERT_TRUE(q.has_value()) << q.error().message;
    EXPECT_EQ(RenderAll(*q), (std::vector<std::string>{"WHERE t//a = const:1"}));
}

TEST(Parse, ConcurrentCallsGiveTheSameResult) {
    const std::string sql = Cases().front().sql;
    const Result<ParsedQuery> expected = Parse(sql);
    ASSERT_TRUE(expected.has_value());
    std::vector<std::vector<std::string>> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < seen.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const Result<ParsedQuery> q = Parse(sql);
                if (!q.has_value()) return;
                seen[t] = RenderAll(*q);
                if (seen[t] != RenderAll(*expected)) return;
            }
        });
    }
    for (std::thread& th : threads) th.join();
    for (const std::vector<std::string>& s : seen) EXPECT_EQ(s, RenderAll(*expected));
}

TEST(ParamRefsTest, LocationsPointAtEachDollarSign) {
    const std::string sql = "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) AND c::text = '$4' LIMIT $1";
    auto parsed = Parse(sql);
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    ASSERT_EQ(parsed->param_refs.size(), 4u) << "'$4' is a string, not a parameter";
    const std::vector<int> numbers = {1, 2, 3, 1};
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        const auto& ref = parsed->param_refs[i];
        EXPECT_EQ(ref.number, numbers[i]);
        EXPECT_EQ(sql.substr(ref.location, 2), "$" + std::to_string(numbers[i]));
    }
}

TEST(UpdatedColumnsTest, SetColumnsOfTheUpdate) {
    auto q = Parse("UPDATE orders o SET status = $1, updated_at = now() FROM users u WHERE u.id = o.user_id");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->updated_columns, (std::vector<std::string>{"status", "updated_at"}));
    auto s = Parse("SELECT status FROM orders");
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->updated_columns.empty());
}

TEST(SelectedColumnsTest, ColumnsOfTheTopLevelSelectList) {
    auto q =
        Parse("SELECT o.id, sum(o.total), (SELECT max(x) FROM t) FROM orders o WHERE o.user_id = $1 GROUP BY o.id");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->selected_columns, (std::vector<std::string>{"id", "total"}));
    EXPECT_FALSE(q->selects_star);
    auto star = Parse("SELECT * FROM orders WHERE id = 1");
    ASSERT_TRUE(star);
    EXPECT_TRUE(star->selects_star);
    auto count = Parse("SELECT count(*) FROM orders WHERE status = 'x'");
    ASSERT_TRUE(count);
    EXPECT_FALSE(count->selects_star) << "count(*) reads no column";
    EXPECT_TRUE(count->selected_columns.empty());
}

TEST(StatementCountTest, CountsEveryStatementOfTheInput) {
    auto one = Parse("SELECT 1");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->statement_count, 1);
    auto two = Parse("SELECT 1; DROP TABLE users");
    ASSERT_TRUE(two);
    EXPECT_EQ(two->statement_count, 2);
    EXPECT_EQ(two->statement_type, "SELECT");
}

TEST(OrderedTest, OnlyTopLevelOrderByCounts) {
    auto top = Parse("SELECT id FROM orders ORDER BY created_at DESC LIMIT 10");
    ASSERT_TRUE(top);
    EXPECT_TRUE(top->ordered);
    auto inner = Parse("SELECT * FROM (SELECT id FROM orders ORDER BY id LIMIT 5) s");
    ASSERT_TRUE(inner);
    EXPECT_FALSE(inner->ordered) << "an ORDER BY in a subquery does not order the result";
    auto set_op = Parse("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1");
    ASSERT_TRUE(set_op);
    EXPECT_TRUE(set_op->ordered);
    auto none = Parse("SELECT id FROM orders WHERE id = 1");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->ordered);
}

}  // namespace
}  // namespace optischema::sqlparse
