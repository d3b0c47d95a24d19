#include "advisor/index_health.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "common/format.hpp"
#include "common/quote.hpp"
#include "common/strings.hpp"

namespace optischema::advisor {
namespace {

using model::ForeignKeyInfo;
using model::IndexInfo;
using model::SchemaSnapshot;
using model::TableInfo;

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
constexpr double kSecondsPerDay = 86400.0;

// unused_index: at least this big is "medium"; evidence younger than kShortEvidenceSeconds lowers it.
constexpr double kUnusedMediumBytes = 100 * kMiB;
constexpr double kShortEvidenceSeconds = 7 * kSecondsPerDay;
// duplicate_index is "high" from this size on, redundant_index "medium".
constexpr double kLargeIndexBytes = 1 * kGiB;
constexpr double kRedundantMediumBytes = 100 * kMiB;
// unindexed_foreign_key: a referencing table this big makes each check scan expensive...
constexpr double kBigTableRows = 100'000;
constexpr double kBigTableBytes = 100 * kMiB;
// ...and one below both of these is cheap to scan.
constexpr double kSmallTableRows = 10'000;
constexpr double kSmallTableBytes = 8 * kMiB;
// index_bloat: report only when the estimated waste is at least this share and this size.
constexpr double kBloatMinShare = 0.5;
constexpr double kBloatMinBytes = 10 * kMiB;
constexpr double kBloatMediumBytes = 100 * kMiB;
constexpr double kBloatHighBytes = 1 * kGiB;
// B-tree layout (PostgreSQL's page format): 8-byte IndexTupleData, 4-byte line pointer, 90% leaf
// fill after a build, an 8 kB metapage, and ~2% for the inner pages. A heap tuple costs a 23-byte
// header (24 aligned) plus its line pointer.
constexpr double kIndexTupleHeader = 8;
constexpr double kLinePointer = 4;
constexpr double kLeafFill = 0.9;
constexpr double kInnerPagesFactor = 1.02;
constexpr double kMetaPage = 8192;
constexpr double kHeapTupleOverhead = 24 + 4;

enum class Level { kLow = 0, kMedium = 1, kHigh = 2 };

const char* LevelName(Level l) {
    switch (l) {
        case Level::kHigh:
            return "high";
        case Level::kMedium:
            return "medium";
        case Level::kLow:
            return "low";
    }
    return "low";
}

int SeverityRank(const std::string& s) { return s == "high" ? 0 : s == "medium" ? 1 : 2; }

int CheckRank(const std::string& c) {
    static constexpr std::string_view kOrder[] = {"invalid_index", "duplicate_index",       "redundant_index",
                                                  "unused_index",  "unindexed_foreign_key", "index_bloat"};
    for (std::size_t i = 0; i < std::size(kOrder); ++i) {
        if (kOrder[i] == c) return static_cast<int>(i);
    }
    return static_cast<int>(std::size(kOrder));
}

std::string Qualified(const std::string& schema, const std::string& name) {
    return schema.empty() ? QuoteIdent(name) : QuoteIdent(schema) + "." + QuoteIdent(name);
}

std::string TableOf(const IndexInfo& ix) { return Qualified(ix.schema, ix.table); }

// pg_size_pretty's units, one decimal.
// A partitioned index (pg_get_indexdef says "ON ONLY"): PostgreSQL cannot create or drop it CONCURRENTLY.
bool IsPartitioned(const IndexInfo& ix) { return ix.definition.find(" ON ONLY ") != std::string::npos; }

// Splits a list on top-level commas, leaving commas inside parentheses, quotes and identifiers alone.
std::vector<std::string> SplitTopLevel(std::string_view text) {
    std::vector<std::string> out;
    int depth = 0;
    char quote = 0;
    std::string current;
    for (char c : text) {
        if (quote != 0) {
            if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            --depth;
        } else if (c == ',' && depth == 0) {
            out.emplace_back(current);
            current.clear();
            continue;
        }
        if (!(current.empty() && c == ' ')) current += c;
    }
    if (!current.empty()) out.emplace_back(current);
    return out;
}

// The key column specifications as pg_get_indexdef writes them ("w COLLATE \"C\" text_pattern_ops
// DESC NULLS LAST"): they carry what the model's fields cannot (collation, NULLS order). Without a
// definition (or when it cannot be read) they are built from columns, opclasses and descending.
std::vector<std::string> KeySpecs(const IndexInfo& ix) {
    const auto using_pos = ix.definition.find(" USING ");
    if (using_pos != std::string::npos) {
        const auto open = ix.definition.find('(', using_pos);
        if (open != std::string::npos) {
            int depth = 0;
            char quote = 0;
            for (std::size_t i = open; i < ix.definition.size(); ++i) {
                const char c = ix.definition[i];
                if (quote != 0) {
                    if (c == quote) quote = 0;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '(') {
                    ++depth;
                } else if (c == ')' && --depth == 0) {
                    auto specs = SplitTopLevel(std::string_view(ix.definition).substr(open + 1, i - open - 1));
                    if (specs.size() == ix.columns.size()) return specs;
                    break;
                }
            }
        }
    }
    std::vector<std::string> specs;
    for (std::size_t i = 0; i < ix.columns.size(); ++i) {
        std::string spec = ix.columns[i];
        if (i < ix.opclasses.size() && !ix.opclasses[i].empty()) spec += " " + ix.opclasses[i];
        if (i < ix.descending.size() && ix.descending[i]) spec += " DESC";
        specs.push_back(std::move(spec));
    }
    return specs;
}

std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

bool SameTable(const IndexInfo& a, const IndexInfo& b) { return a.schema == b.schema && a.table == b.table; }

// Everything that decides which queries an index can serve and what it enforces.
bool Identical(const IndexInfo& a, const IndexInfo& b) {
    return SameTable(a, b) && a.method == b.method && a.unique == b.unique && a.predicate == b.predicate &&
           KeySpecs(a) == KeySpecs(b) && AsSet(a.include) == AsSet(b.include);
}

// Dropping it would break a constraint, or it is the primary key: never proposed.
bool Protected(const IndexInfo& ix) { return ix.primary || ix.constraint_backed; }

// Which of two identical indexes to keep: the primary key, then a constraint's, then the one queries
// used more (so that unused_index judges the survivor by the scans that matter), then the first by name.
bool KeepFirst(const IndexInfo& a, const IndexInfo& b) {
    return std::make_tuple(!a.primary, !a.constraint_backed, -a.scans, std::string_view(a.name)) <
           std::make_tuple(!b.primary, !b.constraint_backed, -b.scans, std::string_view(b.name));
}

// `covering` serves every lookup and sort `ix` serves: a valid btree on the same table with the same
// predicate whose keys start with ix's keys, and which holds ix's INCLUDE columns too.
bool Covers(const IndexInfo& covering, const IndexInfo& ix) {
    if (&covering == &ix || !covering.valid || !SameTable(covering, ix)) return false;
    if (covering.method != "btree" || ix.method != "btree" || covering.predicate != ix.predicate) return false;
    const auto outer = KeySpecs(covering);
    const auto inner = KeySpecs(ix);
    if (inner.size() > outer.size() || !std::equal(inner.begin(), inner.end(), outer.begin())) return false;
    std::set<std::string> held = AsSet(covering.columns);
    held.insert(covering.include.begin(), covering.include.end());
    return std::all_of(ix.include.begin(), ix.include.end(), [&](const auto& c) { return held.contains(c); });
}

// An identifier as pg_get_indexdef prints a plain column: bare or double-quoted. Anything else is an
// expression.
bool IsPlainColumn(const std::string& c) {
    if (c.size() >= 2 && c.front() == '"' && c.back() == '"') return true;
    if (c.empty() || !((c[0] >= 'a' && c[0] <= 'z') || c[0] == '_')) return false;
    return std::all_of(c.begin(), c.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
    });
}

bool SameColumn(const std::string& index_column, const std::string& fk_column) {
    return index_column == QuoteIdent(fk_column) || index_column == fk_column;
}

// PostgreSQL's foreign-key check and ON DELETE/UPDATE actions look up the referencing rows by equality
// on all FK columns: a valid, non-partial btree whose leading key columns are exactly those columns,
// in any order, serves it.
bool IndexesForeignKey(const IndexInfo& ix, const ForeignKeyInfo& fk) {
    if (!ix.valid || ix.method != "btree" || !ix.predicate.empty()) return false;
    if (ix.schema != fk.schema || ix.table != fk.table || ix.columns.size() < fk.columns.size()) return false;
    std::vector<bool> used(fk.columns.size(), false);
    for (std::size_t i = 0; i < fk.columns.size(); ++i) {
        bool matched = false;
        for (std::size_t j = 0; j < fk.columns.size() && !matched; ++j) {
            if (!used[j] && SameColumn(ix.columns[i], fk.columns[j])) used[j] = matched = true;
        }
        if (!matched) return false;
    }
    return true;
}

std::string DropSql(const IndexInfo& ix) {
    const std::string name = Qualified(ix.schema, ix.name);
    return IsPartitioned(ix) ? "DROP INDEX " + name + ";" : "DROP INDEX CONCURRENTLY " + name + ";";
}

std::string PartitionedDropNote(const IndexInfo& ix) {
    return IsPartitioned(ix) ? " It is a partitioned index, which PostgreSQL cannot drop CONCURRENTLY: the DROP "
                               "takes an ACCESS EXCLUSIVE lock on the table and its partitions, so run it in a "
                               "quiet window."
                             : "";
}

// pg_get_indexdef's statement made CONCURRENTLY; empty when it is not in the expected form.
std::string ConcurrentDefinition(const std::string& definition) {
    for (std::string_view head : {"CREATE INDEX ", "CREATE UNIQUE INDEX "}) {
        if (definition.starts_with(head)) {
            return std::string(head) + "CONCURRENTLY " + definition.substr(head.size());
        }
    }
    return "";
}

// REINDEX CONCURRENTLY builds "<name>_ccnew[N]" and leaves "<name>_ccold[N]": when it fails, one of
// these stays behind, invalid, beside the original.
bool IsReindexLeftover(const std::string& name) {
    for (std::string_view suffix : {"_ccnew", "_ccold"}) {
        const auto pos = name.rfind(suffix);
        if (pos == std::string::npos) continue;
        const auto rest = std::string_view(name).substr(pos + suffix.size());
        if (std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
    }
    return false;
}

class Checker {
public:
    explicit Checker(const SchemaSnapshot& schema) : schema_(schema) {
        for (const auto& t : schema_.tables) tables_[{t.schema, t.name}] = &t;
    }

    std::vector<HealthFinding> Run() {
        CheckInvalid();
        CheckDuplicates();
        CheckRedundant();
        CheckUnused();
        CheckForeignKeys();
        CheckBloat();
        std::stable_sort(findings_.begin(), findings_.end(), [](const HealthFinding& a, const HealthFinding& b) {
            return std::make_tuple(SeverityRank(a.severity), CheckRank(a.check), -a.wasted_bytes, a.object) <
                   std::make_tuple(SeverityRank(b.severity), CheckRank(b.check), -b.wasted_bytes, b.object);
        });
        return std::move(findings_);
    }

private:
    const TableInfo* Table(const std::string& schema, const std::string& name) const {
        auto it = tables_.find({schema, name});
        return it == tables_.end() ? nullptr : it->second;
    }

    // Indexes the other checks consider: valid and not already proposed for dropping.
    bool Live(const IndexInfo& ix) const { return ix.valid && !dropped_.contains(&ix); }

    void Add(HealthFinding f) { findings_.push_back(std::move(f)); }

    void CheckInvalid() {
        for (const auto& ix : schema_.indexes) {
            if (ix.valid) continue;
            HealthFinding f{.check = "invalid_index",
                            .severity = LevelName(
                                static_cast<double>(ix.size_bytes) >= kLargeIndexBytes ? Level::kHigh : Level::kMedium),
                            .object = Qualified(ix.schema, ix.name),
                            .table = TableOf(ix),
                            .wasted_bytes = static_cast<double>(ix.size_bytes)};
            const std::string busy =
                " If a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY is running on the table right now, this is "
                "its work in progress: check pg_stat_progress_create_index first.";
            if (IsPartitioned(ix)) {
                f.message = fmt::format(
                    "{} is invalid: some partitions of {} have no index attached to it, so no query can use it. "
                    "Create the missing index on each partition and attach it with ALTER INDEX {} ATTACH PARTITION "
                    "...; the partitioned index becomes valid when every partition has one.",
                    f.object, f.table, f.object);
            } else if (Protected(ix)) {
                f.message = fmt::format(
                    "{} is invalid (a failed rebuild) and backs a constraint, so it cannot simply be dropped: "
                    "rebuild it.{}",
                    f.object, busy);
                f.fix_sql = "REINDEX INDEX CONCURRENTLY " + f.object + ";";
            } else if (IsReindexLeftover(ix.name)) {
                f.message = fmt::format(
                    "{} is invalid: it was left behind by a REINDEX CONCURRENTLY that failed or was cancelled; the "
                    "original index still exists. It may still be updated by every write{}.{}",
                    f.object, ix.size_bytes > 0 ? " and it takes " + HumanBytes(f.wasted_bytes) : "", busy);
                f.fix_sql = DropSql(ix);
            } else {
                const std::string create = ConcurrentDefinition(ix.definition);
                f.message = fmt::format(
                    "{} is invalid: a CREATE INDEX CONCURRENTLY failed or was cancelled. No query can use it, yet it "
                    "may still be updated by every write{}. Drop it and build it again.{}{}",
                    f.object, ix.size_bytes > 0 ? " and it takes " + HumanBytes(f.wasted_bytes) : "",
                    ix.unique ? " A unique build fails when the table holds duplicate values: remove them first, or "
                                "the new build fails the same way."
                              : "",
                    busy);
                f.fix_sql = DropSql(ix) + (create.empty() ? "" : "\n" + create + ";");
            }
            Add(std::move(f));
        }
    }

    void CheckDuplicates() {
        const auto& all = schema_.indexes;
        std::set<const IndexInfo*> grouped;
        for (const auto& ix : all) {
            if (!ix.valid || grouped.contains(&ix)) continue;
            std::vector<const IndexInfo*> group{&ix};
            for (const auto& other : all) {
                if (&other != &ix && other.valid && !grouped.contains(&other) && Identical(ix, other)) {
                    group.push_back(&other);
                }
            }
            if (group.size() < 2) continue;
            grouped.insert(group.begin(), group.end());
            std::sort(group.begin(), group.end(), [](const auto* a, const auto* b) { return KeepFirst(*a, *b); });
            const IndexInfo& keep = *group.front();
            for (std::size_t i = 1; i < group.size(); ++i) {
                const IndexInfo& dup = *group[i];
                // Two constraints over the same columns: not ours to drop.
                if (Protected(dup)) continue;
                dropped_.insert(&dup);
                const double size = static_cast<double>(dup.size_bytes);
                Add({.check = "duplicate_index",
                     .severity = LevelName(size >= kLargeIndexBytes ? Level::kHigh : Level::kMedium),
                     .object = Qualified(dup.schema, dup.name),
                     .table = TableOf(dup),
                     .message = fmt::format(
                         "{} duplicates {}: same method, key columns, operator classes, order, INCLUDE columns, "
                         "predicate and uniqueness. Every write updates both and the planner can use either; "
                         "dropping it frees {}.{}",
                         Qualified(dup.schema, dup.name), Qualified(keep.schema, keep.name), HumanBytes(size),
                         PartitionedDropNote(dup)),
                     .fix_sql = DropSql(dup),
                     .wasted_bytes = size});
            }
        }
    }

    void CheckRedundant() {
        for (const auto& ix : schema_.indexes) {
            if (!Live(ix) || Protected(ix) || ix.unique || ix.method != "btree") continue;
            const IndexInfo* best = nullptr;
            for (const auto& other : schema_.indexes) {
                if (!Live(other) || !Covers(other, ix) || Identical(other, ix)) continue;
                // An unused covering index goes itself (unused_index): it cannot stand in for this one.
                if (WillBeUnused(other)) continue;
                // Equal keys, and the other holds no more INCLUDE columns and enforces nothing more: each
                // covers the other, so the duplicate check's rules apply, not this one.
                if (other.columns.size() == ix.columns.size() && Covers(ix, other) && !other.unique) continue;
                if (best == nullptr || std::make_tuple(other.columns.size(), other.include.size(), other.unique,
                                                       std::string_view(best->name)) >
                                           std::make_tuple(best->columns.size(), best->include.size(), best->unique,
                                                           std::string_view(other.name))) {
                    best = &other;
                }
            }
            if (best == nullptr) continue;
            dropped_.insert(&ix);
            const double size = static_cast<double>(ix.size_bytes);
            Add({.check = "redundant_index",
                 .severity = LevelName(size >= kRedundantMediumBytes ? Level::kMedium : Level::kLow),
                 .object = Qualified(ix.schema, ix.name),
                 .table = TableOf(ix),
                 .message = fmt::format(
                     "{} ({}) is redundant: its key columns lead {} ({}){}, which serves the same lookups and "
                     "sorts (a little more slowly, being larger). Dropping it frees {} and spares every write one "
                     "index update.{}",
                     Qualified(ix.schema, ix.name), Join(KeySpecs(ix)), Qualified(best->schema, best->name),
                     Join(KeySpecs(*best)), best->include.empty() ? "" : " INCLUDE (" + Join(best->include) + ")",
                     HumanBytes(size), PartitionedDropNote(ix)),
                 .fix_sql = DropSql(ix),
                 .wasted_bytes = size});
        }
    }

    // The only valid index serving a foreign key: dropping it would trade an unused index for an
    // unindexed foreign key, so unused_index leaves it alone.
    bool SoleForeignKeyIndex(const IndexInfo& ix) const {
        for (const auto& fk : schema_.foreign_keys) {
            if (!IndexesForeignKey(ix, fk)) continue;
            const bool other = std::any_of(schema_.indexes.begin(), schema_.indexes.end(), [&](const IndexInfo& o) {
                return &o != &ix && Live(o) && IndexesForeignKey(o, fk);
            });
            if (!other) return true;
        }
        return false;
    }

    bool WillBeUnused(const IndexInfo& ix) const {
        return Live(ix) && !Protected(ix) && !ix.unique && ix.scans == 0 && !SoleForeignKeyIndex(ix);
    }

    void CheckUnused() {
        const auto age = schema_.stats_age_s;
        for (const auto& ix : schema_.indexes) {
            if (!WillBeUnused(ix)) continue;
            dropped_.insert(&ix);
            const double size = static_cast<double>(ix.size_bytes);
            Level level = size >= kUnusedMediumBytes ? Level::kMedium : Level::kLow;
            std::string since;
            if (!age) {
                since =
                    "since the statistics were last reset (pg_stat_database shows no reset: the counters run from "
                    "the database's creation or the last crash recovery, however long ago that was)";
            } else if (*age < kShortEvidenceSeconds) {
                level = Level::kLow;
                since = fmt::format(
                    "since the statistics were reset only {} ago: that is short evidence (weekly or monthly jobs "
                    "may need it), so watch it for at least {} days before dropping it",
                    HumanAge(*age), static_cast<int>(kShortEvidenceSeconds / kSecondsPerDay));
            } else {
                since = fmt::format("since the statistics were reset {} ago", HumanAge(*age));
            }
            std::string writes;
            if (const TableInfo* t = Table(ix.schema, ix.table)) {
                const auto maintained = t->inserts + std::max<std::int64_t>(0, t->updates - t->hot_updates);
                writes = fmt::format(" {} inserts and non-HOT updates on {} had to update it over that time.",
                                     ThousandsSeparated(static_cast<double>(maintained)), TableOf(ix));
            }
            Add({.check = "unused_index",
                 .severity = LevelName(level),
                 .object = Qualified(ix.schema, ix.name),
                 .table = TableOf(ix),
                 .message = fmt::format(
                     "{} has not been used by any query (idx_scan = 0) {}. It takes {}.{} idx_scan counts this "
                     "server only: make sure no standby uses it before dropping it.{}",
                     Qualified(ix.schema, ix.name), since, HumanBytes(size), writes, PartitionedDropNote(ix)),
                 .fix_sql = DropSql(ix),
                 .wasted_bytes = size});
        }
    }

    void CheckForeignKeys() {
        for (const auto& fk : schema_.foreign_keys) {
            if (fk.columns.empty()) continue;
            const bool indexed = std::any_of(schema_.indexes.begin(), schema_.indexes.end(), [&](const IndexInfo& ix) {
                return Live(ix) && IndexesForeignKey(ix, fk);
            });
            if (indexed) continue;
            const TableInfo* child = Table(fk.schema, fk.table);
            const TableInfo* parent = Table(fk.referenced_schema, fk.referenced_table);
            const double rows = child != nullptr ? std::max(0.0, child->rows) : 0;
            const double bytes = child != nullptr ? static_cast<double>(child->size_bytes) : 0;
            const std::int64_t parent_writes = parent != nullptr ? parent->deletes + parent->updates : 0;
            const bool big = rows >= kBigTableRows || bytes >= kBigTableBytes;
            const bool small = rows < kSmallTableRows && bytes < kSmallTableBytes;
            const Level level = big && parent_writes > 0               ? Level::kHigh
                                : big || (!small && parent_writes > 0) ? Level::kMedium
                                                                       : Level::kLow;
            std::vector<std::string> quoted;
            for (const auto& c : fk.columns) quoted.push_back(QuoteIdent(c));
            const std::string child_name = Qualified(fk.schema, fk.table);
            const std::string parent_name = Qualified(fk.referenced_schema, fk.referenced_table);
            // CREATE INDEX CONCURRENTLY refuses partitioned tables, which have partitioned indexes.
            const bool partitioned = std::any_of(schema_.indexes.begin(), schema_.indexes.end(), [&](const auto& ix) {
                return ix.schema == fk.schema && ix.table == fk.table && IsPartitioned(ix);
            });
            std::string parent_activity =
                parent == nullptr ? ""
                                  : fmt::format(" {} had {} deletes and {} updates since the statistics reset.",
                                                parent_name, ThousandsSeparated(static_cast<double>(parent->deletes)),
                                                ThousandsSeparated(static_cast<double>(parent->updates)));
            Add({.check = "unindexed_foreign_key",
                 .severity = LevelName(level),
                 .object = Qualified(fk.schema, fk.name),
                 .table = child_name,
                 .message = fmt::format(
                     "Foreign key {} on {} ({}) → {} has no index whose leading columns are its columns: every "
                     "DELETE of a {} row, or UPDATE of its key, scans {} (about {} rows, {}) to check for "
                     "referencing rows, and joins on the key cannot use an index.{}{}",
                     QuoteIdent(fk.name), child_name, Join(quoted), parent_name, parent_name, child_name,
                     ThousandsSeparated(rows), HumanBytes(bytes), parent_activity,
                     partitioned ? " The table is partitioned, so the index cannot be built CONCURRENTLY: the "
                                   "CREATE INDEX blocks writes while it runs."
                                 : ""),
                 .fix_sql = fmt::format("CREATE INDEX {}ON {} ({});", partitioned ? "" : "CONCURRENTLY ", child_name,
                                        Join(quoted)),
                 .wasted_bytes = 0});
        }
    }

    // The estimate is an upper bound on the size of a freshly built btree, with no per-column widths
    // in the snapshot: each entry is assumed as wide as a whole heap row's data,
    //   expected = 8 kB + rows × (align8(8 + W) + 4) / 0.9 × 1.02,  W = max(8, heap_bytes / rows − 28),
    // so it only flags indexes much bigger than any healthy one could be (it misses milder bloat, and a
    // bloated heap raises W and hides index bloat). Expression keys and non-btree methods are skipped:
    // their entries need not be narrower than the row.
    void CheckBloat() {
        for (const auto& ix : schema_.indexes) {
            if (!Live(ix) || ix.method != "btree" || ix.size_bytes <= 0) continue;
            if (!std::all_of(ix.columns.begin(), ix.columns.end(), IsPlainColumn) ||
                !std::all_of(ix.include.begin(), ix.include.end(), IsPlainColumn)) {
                continue;
            }
            const TableInfo* t = Table(ix.schema, ix.table);
            if (t == nullptr || t->rows <= 0 || t->size_bytes <= 0) continue;
            const double width = std::max(8.0, static_cast<double>(t->size_bytes) / t->rows - kHeapTupleOverhead);
            const double entry = std::ceil((kIndexTupleHeader + width) / 8) * 8 + kLinePointer;
            const double expected = kMetaPage + t->rows * entry / kLeafFill * kInnerPagesFactor;
            const double size = static_cast<double>(ix.size_bytes);
            const double waste = size - expected;
            if (waste < kBloatMinBytes || waste < kBloatMinShare * size) continue;
            const Level level = waste >= kBloatHighBytes     ? Level::kHigh
                                : waste >= kBloatMediumBytes ? Level::kMedium
                                                             : Level::kLow;
            Add({.check = "index_bloat",
                 .severity = LevelName(level),
                 .object = Qualified(ix.schema, ix.name),
                 .table = TableOf(ix),
                 .message = fmt::format(
                     "{} takes {}, but a fresh index of {}'s {} rows would take at most about {} (each entry at "
                     "most as wide as a {}-byte heap row, 90% leaf fill): about {} ({:.0f}%) is bloat from "
                     "deleted and updated rows. REINDEX CONCURRENTLY rebuilds it without blocking writes (it needs "
                     "that much free disk while it runs).",
                     Qualified(ix.schema, ix.name), HumanBytes(size), TableOf(ix), ThousandsSeparated(t->rows),
                     HumanBytes(expected), static_cast<int>(width), HumanBytes(waste), 100 * waste / size),
                 .fix_sql = "REINDEX INDEX CONCURRENTLY " + Qualified(ix.schema, ix.name) + ";",
                 .wasted_bytes = waste});
        }
    }

    const SchemaSnapshot& schema_;
    std::map<std::pair<std::string, std::string>, const TableInfo*> tables_;
    std::set<const IndexInfo*> dropped_;
    std::vector<HealthFinding> findings_;
};

}  // namespace

std::vector<HealthFinding> CheckIndexHealth(const model::SchemaSnapshot& schema) { return Checker(schema).Run(); }

}  // namespace optischema::advisor
