#include "llm/prompt.hpp"

#include <gtest/gtest.h>

namespace optischema::llm {
namespace {

using model::PlanNode;

constexpr const char* kQuery =
    "SELECT o.*, c.name FROM public.orders o JOIN public.customers c ON c.id = o.customer_id "
    "WHERE o.customer_id = $1 AND o.status = $2 ORDER BY o.created_at DESC LIMIT $3";

PlanNode Node(std::string type, double inclusive_ms, double exclusive_ms, double est, double actual) {
    PlanNode n;
    n.node_type = std::move(type);
    n.inclusive_ms = inclusive_ms;
    n.exclusive_ms = exclusive_ms;
    n.actual_total_ms = inclusive_ms;
    n.plan_rows = est;
    n.actual_rows = actual;
    n.actual_loops = 1;
    n.total_cost = inclusive_ms * 10;
    return n;
}

bool Contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// A plan of a query with one expensive Seq Scan and many cheap nodes, numbered in pre-order.
model::Plan MakePlan() {
    model::Plan plan;
    plan.analyzed = true;
    plan.execution_ms = 1000;
    plan.planning_ms = 0.4;
    PlanNode limit = Node("Limit", 1000, 1, 20, 20);
    PlanNode sort = Node("Sort", 999, 49, 50, 20);
    sort.sort_key = {"o.created_at DESC"};
    sort.sort_method = "top-N heapsort";
    sort.sort_space_type = "Memory";
    sort.sort_space_kb = 30;
    PlanNode join = Node("Hash Join", 950, 20, 50, 40);
    join.hash_cond = "(o.customer_id = c.id)";
    PlanNode scan = Node("Seq Scan", 920, 920, 50, 40);
    scan.relation = "orders";
    scan.schema = "public";
    scan.alias = "o";
    scan.filter = "((customer_id = 42) AND (status = 'shipped'::text))";
    scan.rows_removed_by_filter = 999960;
    scan.has_buffers = true;
    scan.buffers.shared_hit = 120;
    scan.buffers.shared_read = 8200;
    PlanNode hash = Node("Hash", 10, 2, 1, 1);
    PlanNode cust = Node("Index Scan", 8, 8, 1, 1);
    cust.relation = "customers";
    cust.schema = "public";
    cust.alias = "c";
    cust.index_name = "customers_pkey";
    cust.index_cond = "(id = 42)";
    hash.children.push_back(cust);
    // Cheap InitPlans: each under 1% of the time.
    for (int i = 0; i < 12; ++i) {
        PlanNode init = Node("Result", 0.5, 0.5, 1, 1);
        init.subplan_name = "InitPlan " + std::to_string(i + 1);
        init.parent_relationship = "InitPlan";
        PlanNode inner = Node("Index Only Scan", 0.3, 0.3, 1, 1);
        inner.relation = "settings_" + std::to_string(i);
        inner.schema = "public";
        inner.index_name = "settings_" + std::to_string(i) + "_pkey";
        init.children.push_back(inner);
        limit.children.push_back(init);
    }
    join.children.push_back(scan);
    join.children.push_back(hash);
    sort.children.push_back(join);
    limit.children.insert(limit.children.begin(), sort);
    plan.root = limit;
    std::size_t id = 0;
    auto number = [&](auto&& self, PlanNode& n) -> void {
        n.id = id++;
        for (auto& c : n.children) self(self, c);
    };
    number(number, plan.root);
    return plan;
}

model::ColumnStats Stats(std::string type, double n_distinct, std::vector<std::string> mcv) {
    model::ColumnStats s;
    s.data_type = std::move(type);
    s.analyzed = true;
    s.n_distinct = n_distinct;
    s.null_frac = 0.01;
    s.most_common_vals = std::move(mcv);
    for (std::size_t i = 0; i < s.most_common_vals.size(); ++i)
        s.most_common_freqs.push_back(0.3 / static_cast<double>(i + 1));
    return s;
}

PromptTable Table(const std::string& name, double rows, std::vector<PromptColumn> columns, bool referenced = true) {
    PromptTable t;
    t.table.schema = "public";
    t.table.name = name;
    t.table.rows = rows;
    t.table.size_bytes = 130'000'000;
    t.columns = std::move(columns);
    t.referenced = referenced;
    model::IndexInfo pk;
    pk.schema = "public";
    pk.table = name;
    pk.name = name + "_pkey";
    pk.definition = "CREATE UNIQUE INDEX " + name + "_pkey ON public." + name + " USING btree (id)";
    t.indexes.push_back(pk);
    return t;
}

PromptInput MakeInput() {
    PromptInput in;
    in.normalized_query = kQuery;
    in.sample_sql =
        "SELECT o.*, c.name FROM public.orders o JOIN public.customers c ON c.id = o.customer_id "
        "WHERE o.customer_id = 42 AND o.status = 'shipped' ORDER BY o.created_at DESC LIMIT 20";
    in.plan = MakePlan();
    in.server_version = "16.4";
    model::Finding f;
    f.rule = "seq_scan_selective_filter";
    f.severity = model::Severity::kHigh;
    f.node_id = 3;
    f.node = "Seq Scan on public.orders o";
    f.message = "The Seq Scan on public.orders reads 1,000,000 rows to return 40.";
    f.suggestion = "CREATE INDEX ON public.orders (customer_id, status);";
    f.impact_ms = 900;
    in.findings.push_back(f);
    // A cheap node named by a finding is never collapsed.
    model::Finding cheap;
    cheap.rule = "initplan_per_row";
    cheap.node_id = 16;  // InitPlan 6's Result (pre-order: Limit 0, Sort 1 .. Index Scan 5, then 2 per InitPlan)
    cheap.node = "InitPlan 6";
    cheap.message = "An InitPlan reads settings_5.";
    in.findings.push_back(cheap);

    std::vector<PromptColumn> orders = {
        {"id", Stats("bigint", -1, {}), false},
        {"customer_id", Stats("integer", 48'000, {"42", "7", "1999"}), true},
        {"status", Stats("text", 4, {"shipped", "pending", "cancelled", "returned"}), true},
        {"created_at", Stats("timestamp with time zone", -0.9, {}), true},
    };
    for (int i = 0; i < 30; ++i) {
        orders.push_back(
            {"note_" + std::to_string(i), Stats("text", -0.5, {"lorem ipsum dolor sit amet", "x"}), false});
    }
    in.tables.push_back(Table("orders", 1'000'000, orders));
    in.tables.push_back(Table("customers", 48'000,
                              {{"id", Stats("integer", -1, {}), true},
                               {"name", Stats("text", -0.8, {"Alice", "Bob"}), true},
                               {"email", Stats("text", -1, {}), false}}));
    std::vector<PromptColumn> audit;
    audit.reserve(20);
    for (int i = 0; i < 20; ++i) audit.push_back({"field_" + std::to_string(i), Stats("jsonb", -1, {}), false});
    in.tables.push_back(Table("orders_audit", 5'000'000, audit, /*referenced=*/false));
    return in;
}

TEST(BuildExplainPrompt, ContainsEverythingWhenItFits) {
    const Prompt p = BuildExplainPrompt(MakeInput(), 1'000'000);
    EXPECT_TRUE(p.omitted.empty());
    EXPECT_LE(p.Size(), 1'000'000u);
    for (const char* key : {"\"explanation\"", "\"rewrites\"", "\"index_ideas\"", "\"risks\""}) {
        EXPECT_TRUE(Contains(p.system, key)) << key;
    }
    EXPECT_TRUE(Contains(p.system, "JSON"));
    EXPECT_TRUE(Contains(p.user, "PostgreSQL version: 16.4"));
    EXPECT_TRUE(Contains(p.user, kQuery));
    EXPECT_TRUE(Contains(p.user, "o.customer_id = 42 AND o.status = 'shipped'"));
    EXPECT_TRUE(Contains(p.user, "The Seq Scan on public.orders reads 1,000,000 rows to return 40."));
    EXPECT_TRUE(Contains(p.user, "CREATE INDEX ON public.orders (customer_id, status);"));
    // The plan: label, exclusive time and share, estimate vs actual, buffers, conditions.
    EXPECT_TRUE(Contains(p.user,
                         "-> Seq Scan on public.orders o (self 920 ms = 92.0%, rows est 50 actual 40, "
                         "buffers hit 120 read 8200)"))
        << p.user;
    EXPECT_TRUE(Contains(p.user, "Filter: ((customer_id = 42) AND (status = 'shipped'::text))"));
    EXPECT_TRUE(Contains(p.user, "Rows Removed by Filter: 999960"));
    EXPECT_TRUE(Contains(p.user, "Index Scan using customers_pkey on public.customers c"));
    EXPECT_TRUE(Contains(p.user, "InitPlan 12: Result"));
    // Tables: rows, columns with types and pg_stats, indexes.
    EXPECT_TRUE(Contains(p.user, "Table public.orders: ~1,000,000 rows"));
    EXPECT_TRUE(Contains(p.user, "status text -- distinct 4, nulls 1.0%, most common: 'shipped' 30.0%"));
    EXPECT_TRUE(Contains(p.user, "note_29 text"));
    EXPECT_TRUE(Contains(p.user, "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)"));
    EXPECT_TRUE(Contains(p.user, "Table public.orders_audit (not named in the query)"));
}

TEST(BuildExplainPrompt, AProposalOfTheEngineIsShownForTheModelToAssess) {
    PromptInput in = MakeInput();
    EXPECT_FALSE(Contains(BuildExplainPrompt(in, 1'000'000).user, "engine proposes"));
    in.proposal = "CREATE INDEX CONCURRENTLY ON public.orders (customer_id, status); measured 40x faster";
    const Prompt p = BuildExplainPrompt(in, 1'000'000);
    const auto at = p.user.find("## OptiSchema's engine proposes");
    ASSERT_NE(at, std::string::npos) << p.user;
    EXPECT_NE(p.user.find("measured 40x faster", at), std::string::npos);
    EXPECT_LT(p.user.find(kQuery), at) << "the query comes first";
}

TEST(BuildExplainPrompt, DropsMostCommonValuesFirst) {
    const PromptInput in = MakeInput();
    const std::size_t full = BuildExplainPrompt(in, 1'000'000).Size();
    const Prompt p = BuildExplainPrompt(in, full - 1);
    ASSERT_EQ(p.omitted.size(), 1u);
    EXPECT_EQ(p.omitted[0], "most common values of pg_stats");
    EXPECT_LE(p.Size(), full - 1);
    EXPECT_FALSE(Contains(p.user, "most common:"));
    EXPECT_TRUE(Contains(p.user, "status text -- distinct 4, nulls 1.0%"));
    EXPECT_TRUE(Contains(p.user, "InitPlan 12: Result"));
}

TEST(BuildExplainPrompt, DropsStatsThenCollapsesCheapPlanNodesThenUnusedColumns) {
    const PromptInput in = MakeInput();
    // Find budgets at which each step is needed by building with each step's output size.
    std::vector<Prompt> stages;
    const std::size_t minimal = BuildExplainPrompt(in, 0).Size();
    for (std::size_t budget = BuildExplainPrompt(in, 1'000'000).Size(); budget >= minimal; budget -= 50) {
        Prompt p = BuildExplainPrompt(in, budget);
        EXPECT_LE(p.Size(), budget);
        EXPECT_TRUE(Contains(p.user, kQuery)) << budget;
        if (stages.empty() || p.omitted.size() != stages.back().omitted.size()) stages.push_back(std::move(p));
    }
    ASSERT_GE(stages.size(), 6u);
    // Each stage keeps the previous omissions and adds the next, in relevance order.
    const std::vector<std::string> order = {
        "most common values of pg_stats", "pg_stats summaries (n_distinct, null fraction)",
        "plan nodes under 1% of the time", "columns of tables the query does not name",
        "columns the query does not use"};
    for (const auto& stage : stages) {
        for (std::size_t i = 0; i < std::min(stage.omitted.size(), order.size()); ++i) {
            EXPECT_EQ(stage.omitted[i], order[i]);
        }
    }
    const Prompt* collapsed = nullptr;
    for (const auto& s : stages) {
        if (s.omitted.size() == 3) collapsed = &s;
    }
    ASSERT_NE(collapsed, nullptr);
    EXPECT_FALSE(Contains(collapsed->user, "distinct 4"));
    EXPECT_FALSE(Contains(collapsed->user, "InitPlan 12: Result (self"));
    EXPECT_TRUE(Contains(collapsed->user,
                         "-> 5 cheap subtrees (InitPlan 1: Result, InitPlan 2: Result, InitPlan 3: Result, ...): "))
        << collapsed->user;
    EXPECT_TRUE(Contains(collapsed->user, "-> 6 cheap subtrees (InitPlan 7: Result"));
    EXPECT_TRUE(Contains(collapsed->user, "InitPlan 6: Result (self"));  // a finding points at it
    EXPECT_TRUE(Contains(collapsed->user, "Seq Scan on public.orders o (self 920 ms"));
    EXPECT_TRUE(Contains(collapsed->user, "note_29 text"));

    const Prompt* columns = nullptr;
    for (const auto& s : stages) {
        if (s.omitted.size() == 5) columns = &s;
    }
    ASSERT_NE(columns, nullptr);
    EXPECT_FALSE(Contains(columns->user, "note_29"));
    EXPECT_FALSE(Contains(columns->user, "field_0"));
    EXPECT_TRUE(Contains(columns->user, "customer_id integer"));
    EXPECT_TRUE(Contains(columns->user, "(31 other column(s) omitted)"));
}

TEST(BuildExplainPrompt, NeverDropsTheQueryEvenBelowItsSize) {
    const Prompt p = BuildExplainPrompt(MakeInput(), 100);
    EXPECT_TRUE(Contains(p.user, kQuery));
    EXPECT_FALSE(p.omitted.empty());
    EXPECT_FALSE(Contains(p.user, "## Tables"));
    EXPECT_FALSE(Contains(p.user, "Seq Scan"));
    // Over the limit only by what cannot go: the instructions, the version line and the query.
    EXPECT_LT(p.user.size(), std::string(kQuery).size() + 200);
}

TEST(BuildExplainPrompt, CutsSectionsAtLineBoundariesWhenStepsAreNotEnough) {
    const PromptInput in = MakeInput();
    const Prompt minimal = BuildExplainPrompt(in, 100);
    const std::size_t budget = minimal.Size() + 700;
    const Prompt p = BuildExplainPrompt(in, budget);
    EXPECT_LE(p.Size(), budget);
    EXPECT_TRUE(Contains(p.user, kQuery));
    EXPECT_TRUE(Contains(p.user, "cut to fit the prompt size limit") || !Contains(p.user, "## Tables"));
    EXPECT_TRUE(Contains(p.omitted.back(), "section"));
    // The findings are the last optional section to go.
    EXPECT_TRUE(Contains(p.user, "seq_scan_selective_filter"));
}

TEST(BuildExplainPrompt, RequestAsksForJson) {
    const Prompt p = BuildExplainPrompt(MakeInput(), 1'000'000);
    const ChatRequest r = ExplainRequest(p, 3000);
    EXPECT_TRUE(r.json_response);
    EXPECT_EQ(r.max_output_tokens, 3000);
    EXPECT_EQ(r.system, p.system);
    EXPECT_EQ(r.user, p.user);
}

TEST(RenderPlan, ShowsCostsWithoutAnalyzeAndNeverExecutedNodes) {
    model::Plan plan;
    plan.analyzed = false;
    plan.root = Node("Nested Loop", 0, 0, 10, 0);
    plan.root.actual_rows.reset();
    plan.root.actual_loops.reset();
    plan.root.join_type = "Left";
    plan.root.total_cost = 1234.4;
    EXPECT_TRUE(Contains(RenderPlan(plan), "-> Nested Loop Left Join (cost 1234, rows est 10)")) << RenderPlan(plan);

    model::Plan analyzed = MakePlan();
    analyzed.root.children[0].actual_loops = 0;
    EXPECT_TRUE(Contains(RenderPlan(analyzed), "-> Sort (never executed)"));
}

}  // namespace
}  // namespace optischema::llm
