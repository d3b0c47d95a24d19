#include "advisor/hypopg_whatif.hpp"

#include <cstdint>

#include "analyzer/plan.hpp"

namespace optischema::advisor {

Result<HypoPgWhatIf> HypoPgWhatIf::Open(pg::Connection& conn, guard::Allowlist allow) {
    auto rows = conn.Query(
        "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e "
        "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'");
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         "the hypopg extension is not created in this database: install the package "
                         "(e.g. postgresql-15-hypopg) and run CREATE EXTENSION hypopg; it only adds functions");
    }
    HypoPgWhatIf w(conn, (*rows)[0][0].value_or("public"), std::move(allow));
    if (auto ok = w.Reset(); !ok) return tl::unexpected(ok.error());
    return w;
}

HypoPgWhatIf::HypoPgWhatIf(HypoPgWhatIf&& other) noexcept
    : conn_(other.conn_),
      schema_(std::move(other.schema_)),
      allow_(std::move(other.allow_)),
      cleared_(std::move(other.cleared_)) {
    other.conn_ = nullptr;
}

HypoPgWhatIf::~HypoPgWhatIf() {
    if (conn_ != nullptr) (void)Reset();
}

Result<const guard::Cleared*> HypoPgWhatIf::Cleared(const std::string& sql, bool index_ddl) {
    if (auto it = cleared_.find(sql); it != cleared_.end()) return &it->second;
    auto cleared = guard::Clear(*conn_, sql, {.use = guard::Use::kPlan, .index_ddl = index_ddl, .allow = allow_});
    if (!cleared) return tl::unexpected(cleared.error());
    return &cleared_.emplace(sql, std::move(*cleared)).first->second;
}

Result<double> HypoPgWhatIf::Cost(const std::string& sql) {
    auto plan = Explain(sql);
    if (!plan) return tl::unexpected(plan.error());
    return plan->root.total_cost;
}

Result<model::Plan> HypoPgWhatIf::Explain(const std::string& sql) {
    auto statement = Cleared(sql, false);
    if (!statement) return tl::unexpected(statement.error());
    auto json = guard::ExplainJson(*conn_, "", **statement);
    if (!json) return tl::unexpected(json.error());
    return analyzer::ParsePlan(*json);
}

// hypopg_create_index parses the statement under the search_path it runs with: the target's own, as for
// the statements it serves. The hypothetical index lives in the session, so the rollback keeps it.
Result<HypotheticalIndex> HypoPgWhatIf::CreateIndex(const std::string& create_index_sql, bool with_name) {
    auto statement = Cleared(create_index_sql, true);
    if (!statement) return tl::unexpected(statement.error());
    const std::optional<std::string> params[] = {create_index_sql};
    Result<pg::Rows> rows = pg::Rows();
    auto ran = guard::InStatementTransaction(*conn_, **statement, [&]() -> Result<void> {
        rows = conn_->Query("SELECT h.indexrelid, " + schema_ + ".hypopg_relation_size(h.indexrelid), h.indexname FROM " +
                                schema_ + ".hypopg_create_index($1) h",
                            params);
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
    if (!ran) return tl::unexpected(ran.error());
    // hypopg_create_index returns no row, and no error, for a statement other than CREATE INDEX.
    if (rows->empty()) return MakeError(ErrorCode::kInternal, "hypopg_create_index created no index");
    auto created = (*rows)[0].As<std::int64_t, std::int64_t, std::string>();
    if (!created) {
        return MakeError(ErrorCode::kInternal,
                         "cannot read the hypothetical index hypopg_create_index returned: " + created.error().message);
    }
    return HypotheticalIndex{std::get<0>(*created), std::get<1>(*created),
                             with_name ? std::get<2>(*created) : std::string()};
}

Result<HypotheticalIndex> HypoPgWhatIf::Create(const IndexCandidate& index) {
    return CreateIndex(index.Ddl(/*concurrently=*/false), false);
}

Result<HypotheticalIndex> HypoPgWhatIf::CreateFromSql(const std::string& create_index_sql) {
    return CreateIndex(create_index_sql, true);
}

Result<void> HypoPgWhatIf::Drop(const HypotheticalIndex& index) {
    const std::optional<std::string> params[] = {std::to_string(index.oid)};
    auto rows = conn_->Query("SELECT " + schema_ + ".hypopg_drop_index($1::pg_catalog.oid)", params);
    if (!rows) return tl::unexpected(rows.error());
    return {};
}

Result<void> HypoPgWhatIf::Reset() {
    auto rows = conn_->Query("SELECT " + schema_ + ".hypopg_reset()");
    if (!rows) return tl::unexpected(rows.error());
    return {};
}

}  // namespace optischema::advisor
