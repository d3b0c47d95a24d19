// Index health checks on hand-built catalog snapshots: each check's positive and negative cases.
#include "advisor/index_health.hpp"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

namespace optischema::advisor {
namespace {

using model::ForeignKeyInfo;
using model::IndexInfo;
using model::SchemaSnapshot;
using model::TableInfo;

constexpr std::int64_t kMiB = std::int64_t{1024} * 1024;
constexpr double kSecondsPerDay = 86400;

IndexInfo Index(std::string name, std::vector<std::string> columns, std::string table = "orders") {
    IndexInfo ix;
    ix.schema = "public";
    ix.table = std::move(table);
    ix.name = std::move(name);
    ix.method = "btree";
    ix.columns = std::move(columns);
    ix.opclasses.assign(ix.columns.size(), "");
    ix.descending.assign(ix.columns.size(), false);
    ix.size_bytes = 8 * kMiB;
    ix.scans = 100;
    return ix;
}

TableInfo Table(std::string name, double rows = 1000, std::int64_t size_bytes = 1 * kMiB) {
    TableInfo t;
    t.schema = "public";
    t.name = std::move(name);
    t.rows = rows;
    t.size_bytes = size_bytes;
    return t;
}

SchemaSnapshot Snapshot(std::vector<IndexInfo> indexes) {
    SchemaSnapshot s;
    s.tables = {Table("orders"), Table("customers")};
    s.indexes = std::move(indexes);
    s.stats_age_s = 30 * kSecondsPerDay;
    return s;
}

std::vector<HealthFinding> Of(const std::vector<HealthFinding>& all, const std::string& check) {
    std::vector<HealthFinding> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const auto& f) { return f.check == check; });
    return out;
}

std::vector<HealthFinding> Checks(const SchemaSnapshot& s, const std::string& check) {
    return Of(CheckIndexHealth(s), check);
}

// --- duplicate_index ---

TEST(DuplicateIndex, IdenticalIndexesKeepOneAndDropTheOther) {
    auto f = Checks(Snapshot({Index("orders_a_idx", {"a"}), Index("orders_a_idx1", {"a"})}), "duplicate_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].object, "public.orders_a_idx1");
    EXPECT_EQ(f[0].table, "public.orders");
    EXPECT_EQ(f[0].severity, "medium");
    EXPECT_EQ(f[0].fix_sql, "DROP INDEX CONCURRENTLY public.orders_a_idx1;");
    EXPECT_NE(f[0].message.find("public.orders_a_idx"), std::string::npos);
    EXPECT_DOUBLE_EQ(f[0].wasted_bytes, 8.0 * kMiB);
}

TEST(DuplicateIndex, KeepsTheConstraintIndexAndNeverDropsIt) {
    auto pk = Index("orders_pkey", {"id"});
    pk.unique = pk.primary = pk.constraint_backed = true;
    auto dup = Index("a_orders_id_unique", {"id"});  // sorts first by name, but is only a plain index
    dup.unique = true;
    auto f = Checks(Snapshot({pk, dup}), "duplicate_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].object, "public.a_orders_id_unique");
    EXPECT_EQ(f[0].fix_sql.find("orders_pkey"), std::string::npos);
}

TEST(DuplicateIndex, TwoConstraintIndexesAreNotProposedForDropping) {
    auto pk = Index("orders_pkey", {"id"});
    pk.unique = pk.primary = pk.constraint_backed = true;
    auto uq = Index("orders_id_key", {"id"});
    uq.unique = uq.constraint_backed = true;
    const auto all = CheckIndexHealth(Snapshot({pk, uq}));
    for (const auto& f : all) {
        EXPECT_EQ(f.fix_sql.find("DROP"), std::string::npos) << f.check << ": " << f.fix_sql;
    }
}

TEST(DuplicateIndex, UniqueAndNonUniqueAreNotDuplicates) {
    auto uq = Index("orders_a_key", {"a"});
    uq.unique = true;
    const auto all = CheckIndexHealth(Snapshot({uq, Index("orders_a_idx", {"a"})}));
    EXPECT_TRUE(Of(all, "duplicate_index").empty());
    // The non-unique one is redundant: the unique index serves every lookup it serves.
    auto r = Of(all, "redundant_index");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].object, "public.orders_a_idx");
}

TEST(DuplicateIndex, PartialIndexesWithDifferentPredicatesAreNotDuplicates) {
    auto open = Index("orders_open", {"a"});
    open.predicate = "(status = 'open'::text)";
    auto closed = Index("orders_closed", {"a"});
    closed.predicate = "(status = 'closed'::text)";
    const auto all = CheckIndexHealth(Snapshot({open, closed}));
    EXPECT_TRUE(Of(all, "duplicate_index").empty());
    EXPECT_TRUE(Of(all, "redundant_index").empty());
}

TEST(DuplicateIndex, SamePredicateIsADuplicate) {
    auto a = Index("orders_open", {"a"});
    a.predicate = "(status = 'open'::text)";
    auto b = a;
    b.name = "orders_open2";
    EXPECT_EQ(Checks(Snapshot({a, b}), "duplicate_index").size(), 1u);
}

TEST(DuplicateIndex, GinAndBtreeOnTheSameColumnAreNotDuplicates) {
    auto gin = Index("orders_tags_gin", {"tags"});
    gin.method = "gin";
    const auto all = CheckIndexHealth(Snapshot({gin, Index("orders_tags_btree", {"tags"})}));
    EXPECT_TRUE(Of(all, "duplicate_index").empty());
    EXPECT_TRUE(Of(all, "redundant_index").empty());
}

TEST(DuplicateIndex, TwoGinIndexesAreDuplicates) {
    auto a = Index("orders_tags_gin", {"tags"});
    a.method = "gin";
    auto b = a;
    b.name = "orders_tags_gin2";
    EXPECT_EQ(Checks(Snapshot({a, b}), "duplicate_index").size(), 1u);
}

TEST(DuplicateIndex, DirectionOpclassAndIncludeMatter) {
    auto desc = Index("orders_a_desc", {"a"});
    desc.descending = {true};
    auto pattern = Index("orders_a_pattern", {"a"});
    pattern.opclasses = {"text_pattern_ops"};
    auto incl = Index("orders_a_incl", {"a"});
    incl.include = {"b"};
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"}), desc}), "duplicate_index").empty());
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"}), pattern}), "duplicate_index").empty());
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"}), incl}), "duplicate_index").empty());
}

TEST(DuplicateIndex, ExpressionColumnsCompareByExpression) {
    EXPECT_EQ(
        Checks(Snapshot({Index("e1", {"lower(email)"}), Index("e2", {"lower(email)"})}), "duplicate_index").size(), 1u);
    EXPECT_TRUE(
        Checks(Snapshot({Index("e1", {"lower(email)"}), Index("e2", {"upper(email)"})}), "duplicate_index").empty());
    EXPECT_TRUE(Checks(Snapshot({Index("e1", {"lower(email)"}), Index("e2", {"email"})}), "duplicate_index").empty());
}

TEST(DuplicateIndex, CollationInTheDefinitionMatters) {
    auto c = Index("orders_name_c", {"name"});
    c.definition = "CREATE INDEX orders_name_c ON public.orders USING btree (name COLLATE \"C\")";
    auto d = Index("orders_name", {"name"});
    d.definition = "CREATE INDEX orders_name ON public.orders USING btree (name)";
    EXPECT_TRUE(Checks(Snapshot({c, d}), "duplicate_index").empty());
    auto c2 = c;
    c2.name = "orders_name_c2";
    c2.definition = "CREATE INDEX orders_name_c2 ON public.orders USING btree (name COLLATE \"C\")";
    EXPECT_EQ(Checks(Snapshot({c, c2}), "duplicate_index").size(), 1u);
}

TEST(DuplicateIndex, DifferentTablesAreNotDuplicates) {
    EXPECT_TRUE(
        Checks(Snapshot({Index("o_id", {"id"}), Index("c_id", {"id"}, "customers")}), "duplicate_index").empty());
}

TEST(DuplicateIndex, KeepsTheMoreUsedOneSoItIsNotThenCalledUnused) {
    auto used = Index("z_used", {"a"});
    used.scans = 5000;
    auto idle = Index("a_idle", {"a"});
    idle.scans = 0;
    const auto all = CheckIndexHealth(Snapshot({used, idle}));
    auto d = Of(all, "duplicate_index");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].object, "public.a_idle");
    EXPECT_TRUE(Of(all, "unused_index").empty());
}

// --- redundant_index ---

TEST(RedundantIndex, LeadingPrefixOfAnotherBtreeIsRedundant) {
    auto f = Checks(Snapshot({Index("orders_a", {"a"}), Index("orders_a_b", {"a", "b"})}), "redundant_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].object, "public.orders_a");
    EXPECT_EQ(f[0].fix_sql, "DROP INDEX CONCURRENTLY public.orders_a;");
    EXPECT_NE(f[0].message.find("public.orders_a_b"), std::string::npos);
    EXPECT_EQ(f[0].severity, "low");
}

TEST(RedundantIndex, NotAPrefixIsNotRedundant) {
    EXPECT_TRUE(
        Checks(Snapshot({Index("orders_b", {"b"}), Index("orders_a_b", {"a", "b"})}), "redundant_index").empty());
}

TEST(RedundantIndex, UniqueIsNotMadeRedundantByALongerNonUniqueIndex) {
    auto uq = Index("orders_a_key", {"a"});
    uq.unique = true;
    EXPECT_TRUE(Checks(Snapshot({uq, Index("orders_a_b", {"a", "b"})}), "redundant_index").empty());
}

TEST(RedundantIndex, ConstraintIndexIsNeverRedundant) {
    auto pk = Index("orders_pkey", {"a"});
    pk.unique = pk.primary = pk.constraint_backed = true;
    const auto all = CheckIndexHealth(Snapshot({pk, Index("orders_a_b", {"a", "b"})}));
    for (const auto& f : all) EXPECT_NE(f.object, "public.orders_pkey") << f.check;
}

TEST(RedundantIndex, UniqueLongerIndexMakesPrefixRedundant) {
    auto uq = Index("orders_a_b_key", {"a", "b"});
    uq.unique = true;
    EXPECT_EQ(Checks(Snapshot({Index("orders_a", {"a"}), uq}), "redundant_index").size(), 1u);
}

TEST(RedundantIndex, DifferentPredicateOrMethodOrDirectionIsNotRedundant) {
    auto partial = Index("orders_a_b", {"a", "b"});
    partial.predicate = "(b > 0)";
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"}), partial}), "redundant_index").empty());

    auto gin = Index("orders_a_b", {"a", "b"});
    gin.method = "gin";
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"}), gin}), "redundant_index").empty());

    auto desc = Index("orders_a_desc", {"a"});
    desc.descending = {true};
    EXPECT_TRUE(Checks(Snapshot({desc, Index("orders_a_b", {"a", "b"})}), "redundant_index").empty());
}

TEST(RedundantIndex, DescendingPrefixOfMatchingDescendingIndexIsRedundant) {
    auto a = Index("orders_a_desc", {"a"});
    a.descending = {true};
    auto ab = Index("orders_a_desc_b", {"a", "b"});
    ab.descending = {true, false};
    EXPECT_EQ(Checks(Snapshot({a, ab}), "redundant_index").size(), 1u);
}

TEST(RedundantIndex, IncludeColumnsMustBeHeldByTheCoveringIndex) {
    auto a = Index("orders_a_incl_c", {"a"});
    a.include = {"c"};
    EXPECT_TRUE(Checks(Snapshot({a, Index("orders_a_b", {"a", "b"})}), "redundant_index").empty());
    EXPECT_EQ(Checks(Snapshot({a, Index("orders_a_c", {"a", "c"})}), "redundant_index").size(), 1u);
    // Same keys, fewer INCLUDE columns: the smaller one goes.
    auto wide = Index("orders_a_incl_cd", {"a"});
    wide.include = {"c", "d"};
    auto f = Checks(Snapshot({a, wide}), "redundant_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].object, "public.orders_a_incl_c");
}

TEST(RedundantIndex, ExpressionPrefix) {
    EXPECT_EQ(Checks(Snapshot({Index("e", {"lower(email)"}), Index("e_id", {"lower(email)", "id"})}), "redundant_index")
                  .size(),
              1u);
}

TEST(RedundantIndex, NamesTheWidestCoveringIndex) {
    auto f = Checks(Snapshot({Index("i_a", {"a"}), Index("i_ab", {"a", "b"}), Index("i_abc", {"a", "b", "c"})}),
                    "redundant_index");
    ASSERT_EQ(f.size(), 2u);
    for (const auto& x : f) EXPECT_NE(x.message.find("public.i_abc"), std::string::npos) << x.message;
}

TEST(RedundantIndex, InvalidCoveringIndexDoesNotCount) {
    auto ab = Index("orders_a_b", {"a", "b"});
    ab.valid = false;
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"}), ab}), "redundant_index").empty());
}

TEST(RedundantIndex, UsedPrefixOfAnUnusedIndexStaysAndTheUnusedOneGoes) {
    auto ab = Index("orders_a_b", {"a", "b"});
    ab.scans = 0;
    const auto all = CheckIndexHealth(Snapshot({Index("orders_a", {"a"}), ab}));
    EXPECT_TRUE(Of(all, "redundant_index").empty());
    auto u = Of(all, "unused_index");
    ASSERT_EQ(u.size(), 1u);
    EXPECT_EQ(u[0].object, "public.orders_a_b");
}

TEST(RedundantIndex, BothUnusedAreBothReportedUnusedNotOneCoveringTheOther) {
    auto a = Index("orders_a", {"a"});
    auto ab = Index("orders_a_b", {"a", "b"});
    a.scans = ab.scans = 0;
    const auto all = CheckIndexHealth(Snapshot({a, ab}));
    EXPECT_TRUE(Of(all, "redundant_index").empty());
    EXPECT_EQ(Of(all, "unused_index").size(), 2u);
}

TEST(RedundantIndex, UnusedPrefixOfAConstraintIndexIsRedundant) {
    auto a = Index("orders_a", {"a"});
    a.scans = 0;
    auto key = Index("orders_a_b_key", {"a", "b"});
    key.unique = key.constraint_backed = true;
    key.scans = 0;
    const auto all = CheckIndexHealth(Snapshot({a, key}));
    ASSERT_EQ(Of(all, "redundant_index").size(), 1u);
    EXPECT_TRUE(Of(all, "unused_index").empty());
}

// --- unused_index ---

TEST(UnusedIndex, NeverScannedIndexIsReportedWithTheResetAge) {
    auto ix = Index("orders_note", {"note"});
    ix.scans = 0;
    auto f = Checks(Snapshot({ix}), "unused_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].severity, "low");
    EXPECT_NE(f[0].message.find("30.0 days"), std::string::npos) << f[0].message;
    EXPECT_EQ(f[0].fix_sql, "DROP INDEX CONCURRENTLY public.orders_note;");
}

TEST(UnusedIndex, SeverityBySize) {
    auto ix = Index("orders_note", {"note"});
    ix.scans = 0;
    ix.size_bytes = 200 * kMiB;
    auto f = Checks(Snapshot({ix}), "unused_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].severity, "medium");
}

TEST(UnusedIndex, ShortEvidenceLowersSeverityAndSaysSo) {
    auto ix = Index("orders_note", {"note"});
    ix.scans = 0;
    ix.size_bytes = 200 * kMiB;
    auto s = Snapshot({ix});
    s.stats_age_s = 2 * kSecondsPerDay;
    auto f = Checks(s, "unused_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].severity, "low");
    EXPECT_NE(f[0].message.find("short evidence"), std::string::npos) << f[0].message;
}

TEST(UnusedIndex, UnknownResetTimeIsSaid) {
    auto ix = Index("orders_note", {"note"});
    ix.scans = 0;
    auto s = Snapshot({ix});
    s.stats_age_s.reset();
    auto f = Checks(s, "unused_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_NE(f[0].message.find("no reset"), std::string::npos) << f[0].message;
}

TEST(UnusedIndex, UsedPrimaryUniqueAndConstraintIndexesAreNotReported) {
    auto used = Index("used", {"a"});
    auto pk = Index("orders_pkey", {"id"});
    pk.unique = pk.primary = pk.constraint_backed = true;
    auto uq = Index("orders_code_key", {"code"});
    uq.unique = true;
    auto excl = Index("orders_period_excl", {"period"});
    excl.method = "gist";
    excl.constraint_backed = true;
    for (auto* ix : {&pk, &uq, &excl}) ix->scans = 0;
    EXPECT_TRUE(Checks(Snapshot({used, pk, uq, excl}), "unused_index").empty());
}

TEST(UnusedIndex, TheOnlyIndexOfAForeignKeyIsKept) {
    auto ix = Index("orders_customer_id", {"customer_id"});
    ix.scans = 0;
    auto s = Snapshot({ix});
    s.foreign_keys.push_back({.schema = "public",
                              .table = "orders",
                              .name = "orders_customer_id_fkey",
                              .columns = {"customer_id"},
                              .referenced_schema = "public",
                              .referenced_table = "customers"});
    const auto all = CheckIndexHealth(s);
    EXPECT_TRUE(Of(all, "unused_index").empty());
    EXPECT_TRUE(Of(all, "unindexed_foreign_key").empty());
}

// --- invalid_index ---

TEST(InvalidIndex, DropAndRecreateConcurrently) {
    auto ix = Index("orders_code_idx", {"code"});
    ix.unique = true;
    ix.valid = false;
    ix.scans = 0;
    ix.definition = "CREATE UNIQUE INDEX orders_code_idx ON public.orders USING btree (code)";
    const auto all = CheckIndexHealth(Snapshot({ix}));
    auto f = Of(all, "invalid_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fix_sql,
              "DROP INDEX CONCURRENTLY public.orders_code_idx;\n"
              "CREATE UNIQUE INDEX CONCURRENTLY orders_code_idx ON public.orders USING btree (code);");
    EXPECT_NE(f[0].message.find("duplicate values"), std::string::npos);
    EXPECT_EQ(all.size(), 1u) << "an invalid index is reported once, not also as unused or bloated";
}

TEST(InvalidIndex, ReindexLeftoverIsOnlyDropped) {
    auto ix = Index("orders_a_idx_ccnew", {"a"});
    ix.valid = false;
    ix.definition = "CREATE INDEX orders_a_idx_ccnew ON public.orders USING btree (a)";
    auto f = Checks(Snapshot({Index("orders_a_idx", {"a"}), ix}), "invalid_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fix_sql, "DROP INDEX CONCURRENTLY public.orders_a_idx_ccnew;");
}

TEST(InvalidIndex, ConstraintIndexIsRebuiltNotDropped) {
    auto ix = Index("orders_pkey", {"id"});
    ix.unique = ix.primary = ix.constraint_backed = true;
    ix.valid = false;
    auto f = Checks(Snapshot({ix}), "invalid_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fix_sql, "REINDEX INDEX CONCURRENTLY public.orders_pkey;");
}

TEST(InvalidIndex, ValidIndexIsNotReported) {
    EXPECT_TRUE(Checks(Snapshot({Index("orders_a", {"a"})}), "invalid_index").empty());
}

TEST(InvalidIndex, InvalidIndexIsNotADuplicateOrACoveringIndex) {
    auto bad = Index("orders_a2", {"a"});
    bad.valid = false;
    const auto all = CheckIndexHealth(Snapshot({Index("orders_a", {"a"}), bad}));
    EXPECT_TRUE(Of(all, "duplicate_index").empty());
    EXPECT_EQ(Of(all, "invalid_index").size(), 1u);
}

// --- unindexed_foreign_key ---

SchemaSnapshot WithForeignKey(std::vector<IndexInfo> indexes, std::vector<std::string> columns) {
    auto s = Snapshot(std::move(indexes));
    s.foreign_keys.push_back({.schema = "public",
                              .table = "orders",
                              .name = "orders_fkey",
                              .columns = std::move(columns),
                              .referenced_schema = "public",
                              .referenced_table = "customers"});
    return s;
}

TEST(UnindexedForeignKey, MissingIndexIsReportedWithCreateConcurrently) {
    auto f = Checks(WithForeignKey({Index("orders_pkey", {"id"})}, {"customer_id"}), "unindexed_foreign_key");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].object, "public.orders_fkey");
    EXPECT_EQ(f[0].table, "public.orders");
    EXPECT_EQ(f[0].fix_sql, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);");
    EXPECT_EQ(f[0].severity, "low");  // 1000 rows: a scan is cheap
}

TEST(UnindexedForeignKey, QuotesIdentifiers) {
    auto s = WithForeignKey({}, {"Customer Id", "order"});
    s.foreign_keys[0].table = "Orders";
    auto f = Checks(s, "unindexed_foreign_key");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fix_sql, "CREATE INDEX CONCURRENTLY ON public.\"Orders\" (\"Customer Id\", \"order\");");
}

TEST(UnindexedForeignKey, LeadingColumnsInAnyOrderCount) {
    EXPECT_TRUE(Checks(WithForeignKey({Index("i", {"b", "a", "c"})}, {"a", "b"}), "unindexed_foreign_key").empty());
    EXPECT_TRUE(Checks(WithForeignKey({Index("i", {"a"})}, {"a"}), "unindexed_foreign_key").empty());
}

TEST(UnindexedForeignKey, NonLeadingPartialOrNonBtreeIndexesDoNotCount) {
    EXPECT_EQ(Checks(WithForeignKey({Index("i", {"x", "a"})}, {"a"}), "unindexed_foreign_key").size(), 1u);
    EXPECT_EQ(Checks(WithForeignKey({Index("i", {"a", "x", "b"})}, {"a", "b"}), "unindexed_foreign_key").size(), 1u);
    EXPECT_EQ(Checks(WithForeignKey({Index("i", {"a"})}, {"a", "b"}), "unindexed_foreign_key").size(), 1u);
    auto partial = Index("i", {"a"});
    partial.predicate = "(a IS NOT NULL)";
    EXPECT_EQ(Checks(WithForeignKey({partial}, {"a"}), "unindexed_foreign_key").size(), 1u);
    auto hash = Index("i", {"a"});
    hash.method = "hash";
    EXPECT_EQ(Checks(WithForeignKey({hash}, {"a"}), "unindexed_foreign_key").size(), 1u);
    auto invalid = Index("i", {"a"});
    invalid.valid = false;
    EXPECT_EQ(Checks(WithForeignKey({invalid}, {"a"}), "unindexed_foreign_key").size(), 1u);
}

TEST(UnindexedForeignKey, QuotedColumnNamesMatch) {
    EXPECT_TRUE(Checks(WithForeignKey({Index("i", {"\"Customer\""})}, {"Customer"}), "unindexed_foreign_key").empty());
}

TEST(UnindexedForeignKey, SeverityByChildSizeAndParentWrites) {
    auto s = WithForeignKey({}, {"customer_id"});
    s.tables = {Table("orders", 500'000, 50 * kMiB), Table("customers")};
    EXPECT_EQ(Checks(s, "unindexed_foreign_key")[0].severity, "medium");  // big, but no parent deletes
    s.tables[1].deletes = 10;
    auto f = Checks(s, "unindexed_foreign_key");
    EXPECT_EQ(f[0].severity, "high");
    EXPECT_NE(f[0].message.find("10 deletes"), std::string::npos) << f[0].message;
    s.tables[0] = Table("orders", 50'000, 5 * kMiB);
    EXPECT_EQ(Checks(s, "unindexed_foreign_key")[0].severity, "medium");  // mid-size, parent deletes
    s.tables[0] = Table("orders", 500, 100'000);
    EXPECT_EQ(Checks(s, "unindexed_foreign_key")[0].severity, "low");  // small: a scan is cheap
}

// --- index_bloat ---

// A 1M-row table of 36-byte heap rows (an int and an int, 8 data bytes each at most).
SchemaSnapshot BloatSnapshot(std::int64_t index_bytes) {
    auto ix = Index("orders_a", {"a"});
    ix.size_bytes = index_bytes;
    auto s = Snapshot({ix});
    s.tables = {Table("orders", 1'000'000, 36'000'000)};
    return s;
}

TEST(IndexBloat, MuchLargerThanAFreshIndexIsReported) {
    // Upper bound: 8 kB + 1M × (align8(8 + 8) + 4) / 0.9 × 1.02 ≈ 22.7 MB.
    auto f = Checks(BloatSnapshot(200 * kMiB), "index_bloat");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fix_sql, "REINDEX INDEX CONCURRENTLY public.orders_a;");
    EXPECT_NEAR(f[0].wasted_bytes, 200.0 * kMiB - (8192 + 1e6 * 20 / 0.9 * 1.02), 1);
    EXPECT_EQ(f[0].severity, "medium");
}

TEST(IndexBloat, HealthyOrSmallWasteIsNotReported) {
    EXPECT_TRUE(Checks(BloatSnapshot(23 * kMiB), "index_bloat").empty());
    EXPECT_TRUE(Checks(BloatSnapshot(40 * kMiB), "index_bloat").empty());  // waste < 50%
    auto small = BloatSnapshot(5 * kMiB);
    small.tables[0] = Table("orders", 10'000, 360'000);  // 90% waste but under 10 MB
    EXPECT_TRUE(Checks(small, "index_bloat").empty());
}

TEST(IndexBloat, ExpressionAndNonBtreeIndexesAndUnanalyzedTablesAreSkipped) {
    auto s = BloatSnapshot(200 * kMiB);
    s.indexes[0].columns = {"lower(a)"};
    EXPECT_TRUE(Checks(s, "index_bloat").empty());
    s = BloatSnapshot(200 * kMiB);
    s.indexes[0].method = "gin";
    EXPECT_TRUE(Checks(s, "index_bloat").empty());
    s = BloatSnapshot(200 * kMiB);
    s.tables[0].rows = -1;
    EXPECT_TRUE(Checks(s, "index_bloat").empty());
}

TEST(IndexBloat, PrimaryKeyMayBeRebuilt) {
    auto s = BloatSnapshot(200 * kMiB);
    s.indexes[0].primary = s.indexes[0].unique = s.indexes[0].constraint_backed = true;
    EXPECT_EQ(Checks(s, "index_bloat").size(), 1u);
}

// --- across checks ---

TEST(IndexHealth, NeverProposesDroppingAPrimaryKeyOrConstraintIndex) {
    auto pk = Index("orders_pkey", {"id"});
    pk.unique = pk.primary = pk.constraint_backed = true;
    pk.scans = 0;
    auto pk_dup = Index("orders_id_idx", {"id"});
    pk_dup.unique = true;
    pk_dup.scans = 0;
    auto uq = Index("orders_a_key", {"a"});
    uq.unique = uq.constraint_backed = true;
    uq.scans = 0;
    const auto all = CheckIndexHealth(Snapshot({pk, pk_dup, uq, Index("orders_a_b", {"a", "b"})}));
    for (const auto& f : all) {
        if (f.fix_sql.find("DROP") == std::string::npos) continue;
        EXPECT_EQ(f.fix_sql.find("orders_pkey"), std::string::npos) << f.fix_sql;
        EXPECT_EQ(f.fix_sql.find("orders_a_key"), std::string::npos) << f.fix_sql;
    }
}

TEST(IndexHealth, EachIndexGetsAtMostOneDropProposal) {
    auto a = Index("i_a", {"a"});
    a.scans = 0;
    auto a2 = a;
    a2.name = "i_a2";
    const auto all = CheckIndexHealth(Snapshot({a, a2, Index("i_ab", {"a", "b"})}));
    std::map<std::string, int> drops;
    for (const auto& f : all) {
        if (f.fix_sql.starts_with("DROP")) ++drops[f.object];
    }
    for (const auto& [object, n] : drops) EXPECT_EQ(n, 1) << object;
    EXPECT_EQ(drops.size(), 2u);
}

TEST(IndexHealth, PartitionedIndexIsDroppedWithoutConcurrently) {
    auto ix = Index("events_a", {"a"}, "events");
    ix.scans = 0;
    ix.definition = "CREATE INDEX events_a ON ONLY public.events USING btree (a)";
    auto f = Checks(Snapshot({ix}), "unused_index");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fix_sql, "DROP INDEX public.events_a;");
    EXPECT_NE(f[0].message.find("cannot drop CONCURRENTLY"), std::string::npos);
}

TEST(IndexHealth, FindingsAreOrderedBySeverity) {
    auto bad = Index("orders_bad", {"x"});
    bad.valid = false;
    auto idle = Index("orders_idle", {"y"});
    idle.scans = 0;
    const auto all = CheckIndexHealth(Snapshot({idle, bad}));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].check, "invalid_index");
    EXPECT_EQ(all[1].check, "unused_index");
}

TEST(IndexHealth, EmptySnapshotHasNoFindings) { EXPECT_TRUE(CheckIndexHealth(SchemaSnapshot{}).empty()); }

}  // namespace
}  // namespace optischema::advisor
