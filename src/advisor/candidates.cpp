#include "advisor/candidates.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/quote.hpp"

namespace optischema::advisor {
namespace {

using model::ClauseKind;
using model::ColumnUse;
using model::Operand;

bool IsEquality(const ColumnUse& u) { return !u.negated && (u.op == "=" || u.op == "IN"); }
bool IsRange(const ColumnUse& u) {
    return !u.negated && (u.op == "<" || u.op == "<=" || u.op == ">" || u.op == ">=" || u.op == "BETWEEN");
}
// LIKE 'abc%' (a constant prefix, or a parameter whose value is unknown) can use a btree with
// text_pattern_ops whatever the collation.
bool IsPrefixLike(const ColumnUse& u) {
    if (u.negated || u.op != "~~") return false;
    if (u.operand.kind == Operand::Kind::kParam) return true;
    const std::string& t = u.operand.text;
    return u.operand.kind == Operand::Kind::kConstant && !t.empty() && t[0] != '%' && t[0] != '_';
}
bool IsContainment(const ColumnUse& u) { return !u.negated && u.op == "@>"; }
bool Filters(const ColumnUse& u) { return u.clause == ClauseKind::kWhere || u.clause == ClauseKind::kJoin; }

// The index key for a use: the bare column, or the wrapping expression (without the qualifier,
// which an index definition cannot have) in parentheses.
std::string KeyOf(const ColumnUse& u) {
    if (u.expression.empty()) return u.column;
    std::string expr = u.expression;
    if (!u.qualifier.empty()) {
        const std::string prefix = u.qualifier + ".";
        for (std::size_t at = expr.find(prefix); at != std::string::npos; at = expr.find(prefix, at)) {
            expr.erase(at, prefix.size());
        }
    }
    return "(" + expr + ")";
}

// How selective an equality on the column is: the expected share of rows one value matches.
double EqualitySelectivity(const std::optional<model::ColumnStats>& s) {
    if (!s || !s->analyzed) return 0.01;
    if (s->n_distinct > 0) return 1.0 / s->n_distinct;
    if (s->n_distinct < 0) return 1.0 / std::max(1.0, -s->n_distinct * 1e6);  // a fraction of rows: near unique
    return 0.01;
}

bool ServedByExisting(const IndexCandidate& c, const model::SchemaSnapshot& schema) {
    for (const auto& idx : schema.indexes) {
        if (!idx.valid || idx.table != c.table || idx.method != c.method) continue;
        if (!c.schema.empty() && idx.schema != c.schema) continue;
        if (idx.predicate != c.where && !idx.predicate.empty()) continue;
        if (idx.columns.size() < c.columns.size()) continue;
        bool prefix = true;
        for (std::size_t i = 0; i < c.columns.size() && prefix; ++i) {
            prefix = idx.columns[i] == c.columns[i] || idx.columns[i] == "(" + c.columns[i] + ")" ||
                     "(" + idx.columns[i] + ")" == c.columns[i];
            const std::string want_opclass = i < c.opclasses.size() ? c.opclasses[i] : "";
            const std::string have_opclass = i < idx.opclasses.size() ? idx.opclasses[i] : "";
            prefix = prefix && want_opclass == have_opclass;
        }
        if (prefix) return true;
    }
    return false;
}

IndexCandidate Make(const std::string& schema, const std::string& table, std::string reason) {
    IndexCandidate c;
    c.schema = schema;
    c.table = table;
    c.reason = std::move(reason);
    return c;
}

void AddColumn(IndexCandidate& c, const std::string& key, bool desc = false, const std::string& opclass = "") {
    if (std::find(c.columns.begin(), c.columns.end(), key) != c.columns.end()) return;
    c.columns.push_back(key);
    c.descending.push_back(desc);
    c.opclasses.push_back(opclass);
}

}  // namespace

std::string IndexCandidate::QualifiedTable() const {
    return schema.empty() ? QuoteIdent(table) : QuoteIdent(schema) + "." + QuoteIdent(table);
}

std::string IndexCandidate::Name() const {
    std::string name = table;
    for (const auto& col : columns) {
        std::string part;
        for (char ch : col) {
            const bool word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
            if (word) {
                part += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
            } else if (!part.empty() && part.back() != '_') {
                part += '_';
            }
        }
        while (!part.empty() && part.back() == '_') part.pop_back();
        name += "_" + part;
    }
    if (!where.empty()) name += "_partial";
    name += method == "btree" ? "_idx" : "_" + method + "_idx";
    // PostgreSQL truncates identifiers at 63 bytes; keep the suffix and stay unique with a short hash.
    if (name.size() > 63) {
        const auto h = std::hash<std::string>{}(Key()) & 0xffffff;
        name = name.substr(0, 52) + fmt::format("_{:06x}_idx", h);
    }
    return name;
}

std::string IndexCandidate::Ddl(bool concurrently) const {
    std::string cols;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) cols += ", ";
        const bool expression = !columns[i].empty() && columns[i][0] == '(';
        cols += expression ? columns[i] : QuoteIdent(columns[i]);
        if (i < opclasses.size() && !opclasses[i].empty()) cols += " " + opclasses[i];
        if (i < descending.size() && descending[i]) cols += " DESC";
    }
    std::string ddl = fmt::format("CREATE INDEX {}{} ON {}", concurrently ? "CONCURRENTLY " : "", QuoteIdent(Name()),
                                  QualifiedTable());
    if (method != "btree") ddl += " USING " + method;
    ddl += " (" + cols + ")";
    if (!include.empty()) {
        std::string inc;
        for (const auto& c : include) inc += (inc.empty() ? "" : ", ") + QuoteIdent(c);
        ddl += " INCLUDE (" + inc + ")";
    }
    if (!where.empty()) ddl += " WHERE " + where;
    return ddl;
}

std::string IndexCandidate::RollbackDdl() const {
    return fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}{}", schema.empty() ? "" : QuoteIdent(schema) + ".",
                       QuoteIdent(Name()));
}

std::string IndexCandidate::Key() const {
    std::string key = schema + "." + table + " " + method + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        key += columns[i] + (i < opclasses.size() ? " " + opclasses[i] : "") +
               (i < descending.size() && descending[i] ? " desc" : "") + ",";
    }
    key += ")";
    for (const auto& c : include) key += " +" + c;
    return key + " where " + where;
}

bool IndexCandidate::IsPrefixOf(const IndexCandidate& other) const {
    if (schema != other.schema || table != other.table || method != other.method || where != other.where) return false;
    if (columns.size() > other.columns.size()) return false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] != other.columns[i]) return false;
        if ((i < opclasses.size() ? opclasses[i] : "") != (i < other.opclasses.size() ? other.opclasses[i] : "")) {
            return false;
        }
    }
    return true;
}

std::vector<IndexCandidate> GenerateCandidates(const model::ParsedQuery& query,
                                               const model::SchemaSnapshot& schema,
                                               const StatsLookup& stats) {
    // Uses grouped by the table they resolve to.
    std::map<std::string, std::vector<const ColumnUse*>> by_table;
    for (const auto& u : query.columns) {
        if (!u.relation.empty() && !u.column.empty()) by_table[u.relation].push_back(&u);
    }
    const bool single_table = query.relations.size() == 1;

    std::vector<IndexCandidate> out;
    std::set<std::string> seen;
    auto emit = [&](IndexCandidate c) {
        if (c.columns.empty() || ServedByExisting(c, schema)) return;
        // A hostile name (a newline and a statement in a table's name) never reaches a script a DBA runs.
        const auto hostile = [](const std::vector<std::string>& names) {
            return std::any_of(names.begin(), names.end(),
                               [](const std::string& n) { return HasControlCharacters(n); });
        };
        if (HasControlCharacters(c.schema) || HasControlCharacters(c.table) || hostile(c.columns) ||
            hostile(c.include) || HasControlCharacters(c.where)) {
            return;
        }
        if (seen.insert(c.Key()).second) out.push_back(std::move(c));
    };
    // Every column a single-table SELECT reads, when they are few and all plain: a key plus the
    // rest in INCLUDE lets the plan answer from the index alone (an index-only scan).
    std::vector<std::string> needed;
    bool covering_possible = single_table && query.statement_type == "SELECT" && !query.selects_star;
    if (covering_possible) {
        needed = query.selected_columns;
        for (const auto& u : query.columns) {
            if (!u.expression.empty()) covering_possible = false;
            if (std::find(needed.begin(), needed.end(), u.column) == needed.end()) needed.push_back(u.column);
        }
    }
    auto emit_covering = [&](const IndexCandidate& base) {
        if (!covering_possible || base.method != "btree") return;
        IndexCandidate c = base;
        for (const auto& col : needed) {
            if (std::find(c.columns.begin(), c.columns.end(), col) == c.columns.end()) c.include.push_back(col);
        }
        if (c.include.empty() || c.include.size() > 3) return;
        c.reason += "; INCLUDE the other columns read, for an index-only scan";
        emit(c);
    };

    for (const auto& [table, uses] : by_table) {
        const std::string table_schema = query.SchemaOf(table);
        std::vector<const ColumnUse*> equalities, ranges, order_by;
        for (const ColumnUse* u : uses) {
            if (Filters(*u) && IsEquality(*u) && u->operand.kind != Operand::Kind::kColumn) equalities.push_back(u);
            if (Filters(*u) && IsRange(*u) && u->operand.kind != Operand::Kind::kColumn) ranges.push_back(u);
            if (u->clause == ClauseKind::kOrderBy) order_by.push_back(u);
        }
        // A structured binding is captured by name only from C++20 compilers newer than clang 14 (fuzz.sh's).
        std::stable_sort(equalities.begin(), equalities.end(), [&, &t = table](const ColumnUse* a, const ColumnUse* b) {
            return EqualitySelectivity(stats(t, a->column)) < EqualitySelectivity(stats(t, b->column));
        });

        // Equality columns, then one range column: the classic composite.
        if (!equalities.empty() || !ranges.empty()) {
            IndexCandidate c = Make(table_schema, table, "");
            for (const ColumnUse* u : equalities) AddColumn(c, KeyOf(*u));
            if (!ranges.empty()) AddColumn(c, KeyOf(*ranges.front()));
            c.reason = equalities.empty() ? "a range filter"
                       : ranges.empty()
                           ? (c.columns.size() > 1 ? "equality filters, most selective first" : "an equality filter")
                           : "equality filters first, then a range filter";
            emit(c);
            emit_covering(c);
            // The most selective column alone: narrower, cheaper to maintain, often enough.
            if (c.columns.size() > 1) {
                IndexCandidate single = Make(table_schema, table, "the most selective filtered column");
                AddColumn(single, c.columns.front());
                emit(single);
            }
            for (const ColumnUse* r : ranges) {
                IndexCandidate range = Make(table_schema, table, "a range filter");
                for (const ColumnUse* u : equalities) AddColumn(range, KeyOf(*u));
                AddColumn(range, KeyOf(*r));
                emit(range);
            }
        }
        // Equality columns followed by the ORDER BY: rows come out in order, so LIMIT stops early.
        if (!order_by.empty() && (single_table || order_by.size() == uses.size() || !equalities.empty())) {
            IndexCandidate c = Make(table_schema, table, "filter columns then the ORDER BY, so no sort is needed");
            for (const ColumnUse* u : equalities) AddColumn(c, KeyOf(*u));
            for (const ColumnUse* u : order_by) AddColumn(c, KeyOf(*u), u->descending);
            c.covers_order_by = true;
            emit(c);
            emit_covering(c);
        }
        for (const ColumnUse* u : uses) {
            if (!Filters(*u)) continue;
            // Join keys: foreign keys get no index automatically.
            if (u->operand.kind == Operand::Kind::kColumn && u->op == "=") {
                IndexCandidate c = Make(table_schema, table, "a join key");
                AddColumn(c, KeyOf(*u));
                emit(c);
            }
            if (IsPrefixLike(*u)) {
                IndexCandidate c =
                    Make(table_schema, table, "LIKE with a fixed prefix (text_pattern_ops works under any collation)");
                for (const ColumnUse* e : equalities) AddColumn(c, KeyOf(*e));
                AddColumn(c, KeyOf(*u), false, "text_pattern_ops");
                emit(c);
            }
            // LIKE '%x%' and ILIKE: no btree helps; a trigram GIN index does, when pg_trgm is installed.
            if (!u->negated && (u->op == "~~" || u->op == "~~*") && !IsPrefixLike(*u) &&
                schema.HasExtension("pg_trgm")) {
                IndexCandidate c = Make(table_schema, table, "LIKE/ILIKE with a leading wildcard (pg_trgm)");
                c.method = "gin";
                AddColumn(c, KeyOf(*u), false, "gin_trgm_ops");
                c.needs_real_validation = true;
                emit(c);
            }
            if (IsContainment(*u) && u->expression.empty()) {
                IndexCandidate c = Make(table_schema, table, "jsonb containment (@>)");
                c.method = "gin";
                AddColumn(c, u->column, false, "jsonb_path_ops");
                c.needs_real_validation = true;
                emit(c);
            }
            // A filter on a rare value of a skewed column: a small partial index serves it.
            if (u->op == "=" && u->operand.kind == Operand::Kind::kConstant && u->expression.empty()) {
                const auto s = stats(table, u->column);
                if (s && s->analyzed) {
                    for (std::size_t i = 0; i < s->most_common_vals.size() && i < s->most_common_freqs.size(); ++i) {
                        if (s->most_common_vals[i] != u->operand.text || s->most_common_freqs[i] > 0.05) continue;
                        if (s->most_common_freqs.front() < 0.5) break;  // not skewed
                        IndexCandidate c = Make(table_schema, table,
                                                fmt::format("a rare value ({:.1f}% of rows) of a skewed column",
                                                            100 * s->most_common_freqs[i]));
                        c.where = QuoteIdent(u->column) + " = " + QuoteLiteral(u->operand.text);
                        bool has_other = false;
                        for (const ColumnUse* o : order_by) {
                            AddColumn(c, KeyOf(*o), o->descending);
                            has_other = true;
                        }
                        for (const ColumnUse* e : equalities) {
                            if (e != u) {
                                AddColumn(c, KeyOf(*e));
                                has_other = true;
                            }
                        }
                        if (!has_other) AddColumn(c, u->column);
                        emit(c);
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace optischema::advisor
