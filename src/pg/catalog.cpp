#include "pg/catalog.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "common/quote.hpp"

namespace optischema::pg {
namespace {

constexpr std::string_view kColumnSql = R"sql(
SELECT format_type(a.atttypid, a.atttypmod), s.null_frac, s.n_distinct
  FROM pg_attribute a
  LEFT JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
       AND NOT s.inherited
 WHERE a.attrelid = $1::pg_catalog.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped)sql";

// The arrays of pg_stats are anyarray: cast through text to unnest them in order.
constexpr std::string_view kValuesSql = R"sql(
SELECT 'mcv', u.v, u.f, u.i
  FROM pg_stats s CROSS JOIN LATERAL unnest(s.most_common_vals::text::text[], s.most_common_freqs)
       WITH ORDINALITY AS u(v, f, i)
 WHERE (s.schemaname, s.tablename) = (SELECT n.nspname, c.relname FROM pg_class c
                                        JOIN pg_namespace n ON n.oid = c.relnamespace
                                       WHERE c.oid = $1::pg_catalog.oid)
   AND s.attname = $2 AND NOT s.inherited
UNION ALL
SELECT 'hist', u.v, NULL, u.i
  FROM pg_stats s CROSS JOIN LATERAL unnest(s.histogram_bounds::text::text[]) WITH ORDINALITY AS u(v, i)
 WHERE (s.schemaname, s.tablename) = (SELECT n.nspname, c.relname FROM pg_class c
                                        JOIN pg_namespace n ON n.oid = c.relnamespace
                                       WHERE c.oid = $1::pg_catalog.oid)
   AND s.attname = $2 AND NOT s.inherited
 ORDER BY 1 DESC, 4)sql";

Error Unreadable(const Error& e, std::string_view what) {
    return Error{e.code, fmt::format("cannot read {}: {}", what, e.message), e.sqlstate};
}

}  // namespace

Result<std::optional<model::ColumnStats>> ReadColumnStats(Connection& conn,
                                                          const std::string& schema,
                                                          const std::string& table,
                                                          const std::string& column) {
    const std::string regclass = schema.empty() ? QuoteIdent(table) : QuoteIdent(schema) + "." + QuoteIdent(table);
    auto oid = RelationOid(conn, regclass);
    if (!oid) return tl::unexpected(oid.error());
    const std::optional<std::string> params[] = {*oid, column};
    auto head = conn.Query(kColumnSql, params);
    if (!head) return tl::unexpected(head.error());
    if (head->empty()) return std::optional<model::ColumnStats>();
    const std::string what = "the statistics of " + regclass + "." + QuoteIdent(column);
    // null_frac and n_distinct are NULL until the column is analyzed.
    auto head_row = (*head)[0].As<std::string, std::optional<double>, std::optional<double>>();
    if (!head_row) return tl::unexpected(Unreadable(head_row.error(), what));
    const auto& [data_type, null_frac, n_distinct] = *head_row;
    model::ColumnStats stats;
    stats.data_type = data_type;
    stats.analyzed = null_frac.has_value();
    stats.null_frac = null_frac.value_or(0);
    stats.n_distinct = n_distinct.value_or(0);
    if (stats.analyzed) {
        auto values = conn.Query(kValuesSql, params);
        if (!values) return tl::unexpected(values.error());
        // kind, value, frequency (NULL for a histogram bound), ordinality
        auto read = values->As<std::string, std::optional<std::string>, std::optional<double>, std::int64_t>();
        if (!read) return tl::unexpected(Unreadable(read.error(), what));
        for (const auto& [kind, value, freq, ordinality] : *read) {
            if (kind == "mcv") {
                stats.most_common_vals.push_back(value.value_or(""));
                stats.most_common_freqs.push_back(freq.value_or(0));
            } else {
                stats.histogram_bounds.push_back(value.value_or(""));
            }
        }
    }
    return std::optional<model::ColumnStats>(std::move(stats));
}

Result<std::string> RelationOid(Connection& conn, std::string_view written) {
    auto path = conn.TargetSearchPath();
    if (!path) return tl::unexpected(path.error());
    // to_regclass runs no code of the target's; the path is the target's for this one lookup only.
    const std::vector<std::optional<std::string>> name_param = {std::string(written)};
    Result<Rows> rows = Rows();
    auto lookup = [&]() -> Result<void> {
        rows = conn.Query("SELECT COALESCE(pg_catalog.to_regclass($1)::pg_catalog.oid, 0)::pg_catalog.text",
                          name_param);
        if (!rows) return tl::unexpected(rows.error());
        return {};
    };
    if (!conn.InTransaction()) {
        if (auto ok = conn.InRolledBackTransaction("BEGIN READ ONLY", *path, lookup); !ok) return tl::unexpected(ok.error());
    } else {
        // Inside the caller's transaction: the path is set for it, then pinned again for it.
        const std::vector<std::optional<std::string>> path_param = {*path};
        auto set = conn.Query("SELECT pg_catalog.set_config('search_path', $1, true)", path_param);
        auto looked = set ? lookup() : Result<void>(tl::unexpected(set.error()));
        if (auto ok = conn.Execute("SET LOCAL search_path = pg_catalog, pg_temp"); !ok && looked) {
            return tl::unexpected(ok.error());
        }
        if (!looked) return tl::unexpected(looked.error());
    }
    if (rows->empty()) return std::string("0");
    return (*rows)[0][0].value_or("0");
}

Result<std::vector<std::string>> InferParameterTypes(Connection& conn,
                                                     std::string_view sql,
                                                     const std::vector<std::string>& declared) {
    std::string type_list;
    if (!declared.empty()) {
        for (std::size_t i = 0; i < declared.size(); ++i) {
            type_list += (i == 0 ? "(" : ", ") + (declared[i].empty() ? std::string("unknown") : declared[i]);
        }
        type_list += ")";
    }
    // A fixed name: one connection is used by one thread, and the statement is deallocated below.
    const std::string prepare = "PREPARE optischema_infer" + type_list + " AS " + std::string(sql);
    // The statement's names resolve under the target's search_path; the prepared statement outlives
    // the transaction, the path does not.
    auto path = conn.TargetSearchPath();
    if (!path) return tl::unexpected(path.error());
    if (auto ok = conn.InRolledBackTransaction("BEGIN READ ONLY", *path, [&] { return conn.Execute(prepare); }); !ok) {
        return tl::unexpected(ok.error());
    }
    auto rows = conn.Query(
        "SELECT format_type(u.t, NULL) FROM pg_prepared_statements p, unnest(p.parameter_types) WITH ORDINALITY "
        "AS u(t, i) WHERE p.name = 'optischema_infer' ORDER BY u.i");
    auto dealloc = conn.Execute("DEALLOCATE optischema_infer");
    if (!rows) return tl::unexpected(rows.error());
    if (!dealloc) return tl::unexpected(dealloc.error());
    auto types = rows->As<std::optional<std::string>>();
    if (!types) return tl::unexpected(Unreadable(types.error(), "the parameter types"));
    std::vector<std::string> out;
    out.reserve(types->size());
    for (auto& type : *types) out.push_back(std::move(type).value_or("unknown"));
    return out;
}

}  // namespace optischema::pg
