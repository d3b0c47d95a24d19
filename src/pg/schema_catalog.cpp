#include "pg/schema_catalog.hpp"

#include <charconv>
#include <string_view>

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

std::string Text(const std::optional<std::string>& v) { return v.value_or(""); }

double ToDouble(const std::optional<std::string>& v) {
    if (!v) return 0;
    double out = 0;
    std::from_chars(v->data(), v->data() + v->size(), out);
    return out;
}

std::int64_t ToInt(const std::optional<std::string>& v) {
    if (!v) return 0;
    std::int64_t out = 0;
    // sum() over bigint is numeric: parse the integer part only.
    std::from_chars(v->data(), v->data() + v->size(), out);
    return out;
}

bool ToBool(const std::optional<std::string>& v) { return v && *v == "t"; }

Error WithContext(Error e, std::string_view what) {
    e.message = "reading " + std::string(what) + " from the catalog: " + e.message;
    return e;
}

}  // namespace

Result<model::SchemaSnapshot> ReadSchema(Connection& conn) {
    model::SchemaSnapshot snapshot;

    auto age = conn.Query(kStatsAgeSql);
    if (!age) return tl::unexpected(WithContext(age.error(), "the statistics reset time"));
    if (!age->empty() && (*age)[0][0]) snapshot.stats_age_s = ToDouble((*age)[0][0]);
    if (!age->empty() && (*age)[0][1]) snapshot.extensions = Split(*(*age)[0][1], ',');

    auto tables = conn.Query(kTablesSql);
    if (!tables) return tl::unexpected(WithContext(tables.error(), "tables"));
    for (const auto& r : *tables) {
        model::TableInfo t;
        t.schema = Text(r[0]);
        t.name = Text(r[1]);
        t.rows = ToDouble(r[2]);
        t.size_bytes = ToInt(r[3]);
        t.inserts = ToInt(r[4]);
        t.updates = ToInt(r[5]);
        t.hot_updates = ToInt(r[6]);
        t.deletes = ToInt(r[7]);
        t.seq_scans = ToInt(r[8]);
        t.index_scans = ToInt(r[9]);
        snapshot.tables.push_back(std::move(t));
    }

    auto indexes = conn.Query(kIndexesSql);
    if (!indexes) return tl::unexpected(WithContext(indexes.error(), "indexes"));
    std::string current_oid;
    for (const auto& r : *indexes) {
        if (snapshot.indexes.empty() || Text(r[0]) != current_oid) {
            current_oid = Text(r[0]);
            model::IndexInfo ix;
            ix.schema = Text(r[1]);
            ix.table = Text(r[2]);
            ix.name = Text(r[3]);
            ix.definition = Text(r[4]);
            ix.method = Text(r[5]);
            ix.unique = ToBool(r[6]);
            ix.primary = ToBool(r[7]);
            ix.constraint_backed = ToBool(r[8]);
            ix.valid = ToBool(r[9]);
            ix.size_bytes = ToInt(r[10]);
            ix.scans = ToInt(r[11]);
            ix.predicate = Text(r[12]);
            snapshot.indexes.push_back(std::move(ix));
        }
        auto& ix = snapshot.indexes.back();
        const std::int64_t key_count = ToInt(r[13]);
        const std::int64_t k = ToInt(r[14]);
        if (k <= key_count) {
            ix.columns.push_back(Text(r[15]));
            ix.descending.push_back(ToBool(r[16]));
            ix.opclasses.push_back(Text(r[17]));
        } else {
            ix.include.push_back(Text(r[15]));
        }
    }

    auto fks = conn.Query(kForeignKeysSql);
    if (!fks) return tl::unexpected(WithContext(fks.error(), "foreign keys"));
    current_oid.clear();
    for (const auto& r : *fks) {
        if (snapshot.foreign_keys.empty() || Text(r[0]) != current_oid) {
            current_oid = Text(r[0]);
            model::ForeignKeyInfo fk;
            fk.schema = Text(r[1]);
            fk.table = Text(r[2]);
            fk.name = Text(r[3]);
            fk.referenced_schema = Text(r[4]);
            fk.referenced_table = Text(r[5]);
            snapshot.foreign_keys.push_back(std::move(fk));
        }
        snapshot.foreign_keys.back().columns.push_back(Text(r[6]));
    }
    return snapshot;
}

}  // namespace optischema::pg
