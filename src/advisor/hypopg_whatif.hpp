#pragma once

#include "advisor/whatif.hpp"
#include "pg/connection.hpp"

namespace optischema::advisor {

/// WhatIf on HypoPG: hypothetical indexes live in one dedicated connection, which this object
/// borrows; every index it created is removed when it is destroyed. Not thread-safe.
class HypoPgWhatIf final : public WhatIf {
public:
    /// Fails with the fix when hypopg is not installed in the database.
    [[nodiscard]] static Result<HypoPgWhatIf> Open(pg::Connection& conn);
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
    explicit HypoPgWhatIf(pg::Connection& conn) : conn_(&conn) {}
    pg::Connection* conn_;
};

}  // namespace optischema::advisor
