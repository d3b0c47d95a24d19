#include "pg/schema_catalog.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/strings.hpp"

namespace optischema::pg {
namespace {

// Every query keeps to user schemas: not the catalogs, TOAST, or any session's temporary schema.

constexpr std::string_view kStatsAgeSql =
    "SELECT extract(epoch FROM now() - stats_reset), "
    "       (SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension) "
    "  FROM pg_stat_database WHERE datname = current_database()";

// A partitioned table has no storage or counters of its own: it gets the sums over its leaf partitions,
// so that the checks judge it by what it holds. Partitions are listed as tables too.
constexpr std::string_view kTablesSql = R"sql(
SELECT n.nspname, c.relname,
       CASE WHEN c.relkind = 'p' THEN coalesce(agg.row_count, 0) ELSE c.reltuples END,
       CASE WHEN c.relkind = 'p' THEN coalesce(agg.size_bytes, 0) ELSE pg_relation_size(c.oid) END,
       CASE WHEN c.relkind = 'p' THEN agg.ins ELSE s.n_tup_ins END,
       CASE WHEN c.relkind = 'p' THEN agg.upd ELSE s.n_tup_upd END,
       CASE WHEN c.relkind = 'p' THEN agg.hot ELSE s.n_tup_hot_upd END,
       CASE WHEN c.relkind = 'p' THEN agg.del ELSE s.n_tup_del END,
       CASE WHEN c.relkind = 'p' THEN agg.seq ELSE s.seq_scan END,
       CASE WHEN c.relkind = 'p' THEN agg.idx ELSE s.idx_scan END
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
  LEFT JOIN LATERAL (
       SELECT sum(greatest(l.reltuples, 0)) AS row_count, sum(pg_relation_size(l.oid)) AS size_bytes,
              sum(ls.n_tup_ins) AS ins, sum(ls.n_tup_upd) AS upd, sum(ls.n_tup_hot_upd) AS hot,
              sum(ls.n_tup_del) AS del, sum(ls.seq_scan) AS seq, sum(ls.idx_scan) AS idx
         FROM pg_partition_tree(c.oid) t
         JOIN pg_class l ON l.oid = t.relid
         LEFT JOIN pg_stat_user_tables ls ON ls.relid = t.relid
        WHERE t.isleaf AND c.relkind = 'p') agg ON true
 WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 ORDER BY 1, 2)sql";

// One row per index column (key columns, then INCLUDE columns). The index of a partition that is
// attached to a partitioned index is left out: the partitioned index stands for it, with the sums of
// its partitions' sizes and scans.
constexpr std::string_view kIndexesSql = R"sql(
SELECT x.indexrelid, n.nspname, t.relname, i.relname, pg_get_indexdef(x.indexrelid), am.amname,
       x.indisunique, x.indisprimary,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid),
       x.indisvalid,
       CASE WHEN i.relkind = 'I'
            THEN (SELECT coalesce(sum(pg_relation_size(p.relid)), 0) FROM pg_partition_tree(x.indexrelid) p
                   WHERE p.isleaf)
            ELSE pg_relation_size(x.indexrelid) END,
       CASE WHEN i.relkind = 'I'
            THEN (SELECT coalesce(sum(s2.idx_scan), 0) FROM pg_partition_tree(x.indexrelid) p
                    JOIN pg_stat_user_indexes s2 ON s2.indexrelid = p.relid WHERE p.isleaf)
            ELSE coalesce(s.idx_scan, 0) END,
       pg_get_expr(x.indpred, x.indrelid),
       x.indnkeyatts, col.k,
       pg_get_indexdef(x.indexrelid, col.k, true),
       CASE WHEN col.k <= x.indnkeyatts THEN (x.indoption[col.k - 1] & 1) = 1 END,
       CASE WHEN col.k <= x.indnkeyatts THEN
            concat_ws(' ',
                      CASE WHEN x.indkey[col.k - 1] <> 0 AND x.indcollation[col.k - 1] <> 0
                                AND x.indcollation[col.k - 1] <> a.attcollation
                           THEN 'COLLATE ' || quote_ident(coll.collname) END,
                      CASE WHEN NOT opc.opcdefault THEN opc.opcname END)
       END
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_am am ON am.oid = i.relam
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
  CROSS JOIN LATERAL generate_series(1, x.indnatts) AS col(k)
  LEFT JOIN pg_opclass opc ON opc.oid = x.indclass[col.k - 1] AND col.k <= x.indnkeyatts
  LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[col.k - 1] AND x.indkey[col.k - 1] > 0
  LEFT JOIN pg_collation coll ON coll.oid = x.indcollation[col.k - 1] AND col.k <= x.indnkeyatts
 WHERE NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 ORDER BY n.nspname, t.relname, i.relname, x.indexrelid, col.k)sql";

// Foreign keys declared by the user: the copies PostgreSQL makes on each partition (conparentid <> 0)
// are represented by their parent.
constexpr std::string_view kForeignKeysSql = R"sql(
SELECT k.oid, n.nspname, c.relname, k.conname, rn.nspname, rc.relname, a.attname
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class rc ON rc.oid = k.confrelid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
  CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, i)
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
 WHERE k.contype = 'f' AND k.conparentid = 0 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 ORDER BY n.nspname, c.relname, k.conname, k.oid, u.i)sql";

Error WithContext(Error e, std::string_view what) {
    e.message = "reading " + std::string(what) + " from the catalog: " + e.message;
    return e;
}

// The rows of `sql`, typed; errors say what was being read.
template <CellType T, CellType... More>
Result<std::vector<RowValue<T, More...>>> ReadRows(Connection& conn, std::string_view sql, std::string_view what) {
    auto rows = conn.Query(sql);
    if (!rows) return tl::unexpected(WithContext(rows.error(), what));
    auto read = rows->As<T, More...>();
    if (!read) return tl::unexpected(WithContext(read.error(), what));
    return read;
}

// Rows ordered by an object's oid (their first column), one per column of the object: a row with a
// new oid starts an object (`start`), and each row adds its column (`add`).
template <typename RowTuple, typename Object, typename Start, typename Add>
void GroupByOid(const std::vector<RowTuple>& rows, std::vector<Object>& out, Start start, Add add) {
    std::optional<std::uint32_t> current;
    for (const auto& row : rows) {
        if (current != std::get<0>(row)) {
            current = std::get<0>(row);
            out.push_back(start(row));
        }
        add(out.back(), row);
    }
}

}  // namespace

Result<model::SchemaSnapshot> ReadSchema(Connection& conn) {
    model::SchemaSnapshot snapshot;
    using std::int64_t;
    using std::optional;
    using std::string;
    using std::uint32_t;

    auto age_rows = ReadRows<optional<double>, optional<string>>(conn, kStatsAgeSql, "the statistics reset time");
    if (!age_rows) return tl::unexpected(age_rows.error());
    if (!age_rows->empty()) {
        const auto& [age_s, extensions] = age_rows->front();
        snapshot.stats_age_s = age_s;
        if (extensions) snapshot.extensions = Split(*extensions, ',');
    }

    // Counters are NULL for a relation without statistics, sizes for one dropped meanwhile: both read as 0.
    auto table_rows =
        ReadRows<string, string, double, optional<int64_t>, optional<int64_t>, optional<int64_t>, optional<int64_t>,
                 optional<int64_t>, optional<int64_t>, optional<int64_t>>(conn, kTablesSql, "tables");
    if (!table_rows) return tl::unexpected(table_rows.error());
    for (const auto& [schema, name, rows, size, ins, upd, hot, del, seq, idx] : *table_rows) {
        snapshot.tables.push_back({schema, name, rows, size.value_or(0), ins.value_or(0), upd.value_or(0),
                                   hot.value_or(0), del.value_or(0), seq.value_or(0), idx.value_or(0)});
    }

    auto index_rows =
        ReadRows<uint32_t, string, string, string, optional<string>, string, bool, bool, bool, bool, optional<int64_t>,
                 optional<int64_t>, optional<string>, int, int, optional<string>, optional<bool>, optional<string>>(
            conn, kIndexesSql, "indexes");
    if (!index_rows) return tl::unexpected(index_rows.error());
    GroupByOid(
        *index_rows, snapshot.indexes,
        [](const auto& r) {
            model::IndexInfo ix;
            ix.schema = std::get<1>(r);
            ix.table = std::get<2>(r);
            ix.name = std::get<3>(r);
            ix.definition = std::get<4>(r).value_or("");
            ix.method = std::get<5>(r);
            ix.unique = std::get<6>(r);
            ix.primary = std::get<7>(r);
            ix.constraint_backed = std::get<8>(r);
            ix.valid = std::get<9>(r);
            ix.size_bytes = std::get<10>(r).value_or(0);
            ix.scans = std::get<11>(r).value_or(0);
            ix.predicate = std::get<12>(r).value_or("");
            return ix;
        },
        [](model::IndexInfo& ix, const auto& r) {
            const std::string column = std::get<15>(r).value_or("");
            if (std::get<14>(r) > std::get<13>(r)) {  // past the key columns: an INCLUDE column
                ix.include.push_back(column);
                return;
            }
            ix.columns.push_back(column);
            ix.descending.push_back(std::get<16>(r).value_or(false));
            ix.opclasses.push_back(std::get<17>(r).value_or(""));
        });

    auto fk_rows =
        ReadRows<uint32_t, string, string, string, string, string, string>(conn, kForeignKeysSql, "foreign keys");
    if (!fk_rows) return tl::unexpected(fk_rows.error());
    GroupByOid(
        *fk_rows, snapshot.foreign_keys,
        [](const auto& r) {
            const auto& [oid, schema, table, name, referenced_schema, referenced_table, column] = r;
            return model::ForeignKeyInfo{schema, table, name, {}, referenced_schema, referenced_table};
        },
        [](model::ForeignKeyInfo& fk, const auto& r) { fk.columns.push_back(std::get<6>(r)); });
    return snapshot;
}

}  // namespace optischema::pg
