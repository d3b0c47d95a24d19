#include "advisor/hypopg_whatif.hpp"

#include <cstdint>

#include "analyzer/plan.hpp"
#include "pg/explain.hpp"

namespace optischema::advisor {

Result<HypoPgWhatIf> HypoPgWhatIf::Open(pg::Connection& conn) {
    auto rows = conn.Query("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'");
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         "the hypopg extension is not created in this database: install the package "
                         "(e.g. postgresql-15-hypopg) and run CREATE EXTENSION hypopg; it only adds functions");
    }
    HypoPgWhatIf w(conn);
    if (auto ok = w.Reset(); !ok) return tl::unexpected(ok.error());
    return w;
}

HypoPgWhatIf::HypoPgWhatIf(HypoPgWhatIf&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }

HypoPgWhatIf::~HypoPgWhatIf() {
    if (conn_ != nullptr) (void)Reset();
}

Result<double> HypoPgWhatIf::Cost(const std::string& sql) {
    auto json = pg::ExplainJson(*conn_, "", sql);
    if (!json) return tl::unexpected(json.error());
    auto plan = analyzer::ParsePlan(*json);
    if (!plan) return tl::unexpected(plan.error());
    return plan->root.total_cost;
}

Result<HypotheticalIndex> HypoPgWhatIf::Create(const IndexCandidate& index) {
    const std::optional<std::string> params[] = {index.Ddl(/*concurrently=*/false)};
    auto rows =
        conn_->Query("SELECT h.indexrelid, hypopg_relation_size(h.indexrelid) FROM hypopg_create_index($1) h", params);
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return MakeError(ErrorCode::kInternal, "hypopg_create_index returned no index");
    auto created = (*rows)[0].As<std::int64_t, std::int64_t>();
    if (!created) {
        return MakeError(ErrorCode::kInternal,
                         "cannot read the hypothetical index hypopg_create_index returned: " + created.error().message);
    }
    return HypotheticalIndex{std::get<0>(*created), std::get<1>(*created)};
}

Result<void> HypoPgWhatIf::Drop(const HypotheticalIndex& index) {
    const std::optional<std::string> params[] = {std::to_string(index.oid)};
    auto rows = conn_->Query("SELECT hypopg_drop_index($1::oid)", params);
    if (!rows) return tl::unexpected(rows.error());
    return {};
}

Result<void> HypoPgWhatIf::Reset() {
    auto rows = conn_->Query("SELECT hypopg_reset()");
    if (!rows) return tl::unexpected(rows.error());
    return {};
}

Result<model::Plan> HypoPgWhatIf::Explain(const std::string& sql) {
    auto json = pg::ExplainJson(*conn_, "", sql, pg::ExplainTransaction::kReadOnly);
    if (!json) return tl::unexpected(json.error());
    return analyzer::ParsePlan(*json);
}

Result<HypotheticalIndex> HypoPgWhatIf::CreateFromSql(const std::string& create_index_sql) {
    const std::optional<std::string> params[] = {create_index_sql};
    auto rows = conn_->Query(
        "SELECT h.indexrelid, hypopg_relation_size(h.indexrelid), h.indexname FROM hypopg_create_index($1) h", params);
    if (!rows) return tl::unexpected(rows.error());
    // hypopg_create_index returns no row, and no error, for a statement other than CREATE INDEX.
    if (rows->empty()) return MakeError(ErrorCode::kInternal, "no index created");
    auto created = (*rows)[0].As<std::int64_t, std::int64_t, std::string>();
    if (!created) {
        return MakeError(ErrorCode::kInternal,
                         "cannot read the hypothetical index hypopg_create_index returned: " + created.error().message);
    }
    return HypotheticalIndex{std::get<0>(*created), std::get<1>(*created), std::get<2>(*created)};
}

}  // namespace optischema::advisor
