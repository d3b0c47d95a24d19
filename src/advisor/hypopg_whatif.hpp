#pragma once

#include <map>
#include <string>

#include "advisor/whatif.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"

namespace optischema::advisor {

/// WhatIf on HypoPG: hypothetical indexes live in one dedicated connection, which this object
/// borrows; every index it created is removed when it is destroyed. Every statement and index text
/// passes the safety gate (guard::Clear) before it is planned, and runs under the target's own
/// search_path in a read-only transaction. Not thread-safe.
class HypoPgWhatIf final : public WhatIf {
public:
    /// Fails with the fix when hypopg is not installed in the database.
    /// `allow`: functions outside pg_catalog that statements may use (guard::Allowlist).
    [[nodiscard]] static Result<HypoPgWhatIf> Open(pg::Connection& conn, guard::Allowlist allow = {});
    HypoPgWhatIf(HypoPgWhatIf&& other) noexcept;
    HypoPgWhatIf& operator=(HypoPgWhatIf&&) = delete;
    ~HypoPgWhatIf() override;

    [[nodiscard]] Result<double> Cost(const std::string& sql) override;
    /// EXPLAIN without ANALYZE in a read-only transaction.
    [[nodiscard]] Result<model::Plan> Explain(const std::string& sql) override;
    [[nodiscard]] Result<HypotheticalIndex> Create(const IndexCandidate& index) override;
    /// hypopg_create_index, which builds nothing: the index lives in this session's memory.
    [[nodiscard]] Result<HypotheticalIndex> CreateFromSql(const std::string& create_index_sql) override;
    [[nodiscard]] Result<void> Drop(const HypotheticalIndex& index) override;
    [[nodiscard]] Result<void> Reset() override;

private:
    HypoPgWhatIf(pg::Connection& conn, std::string schema, guard::Allowlist allow)
        : conn_(&conn), schema_(std::move(schema)), allow_(std::move(allow)) {}
    // The statement, cleared by the gate once and remembered: the advisor costs one statement many times.
    [[nodiscard]] Result<const guard::Cleared*> Cleared(const std::string& sql, bool index_ddl);
    [[nodiscard]] Result<HypotheticalIndex> CreateIndex(const std::string& create_index_sql, bool with_name);

    pg::Connection* conn_;
    std::string schema_;  // hypopg's schema, quoted
    guard::Allowlist allow_;
    std::map<std::string, guard::Cleared> cleared_;
};

}  // namespace optischema::advisor
