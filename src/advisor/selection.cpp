#include "advisor/selection.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace optischema::advisor {
namespace {

struct Pooled {
    IndexCandidate index;
    std::vector<std::size_t> queries;  // workload statements on its table
    double write_ms = 0;               // time of the workload's statements that write its table
    double hot_loss_ms = 0;            // time of the UPDATEs that change one of its columns
};

// An UPDATE that changes a column the index contains (bare or inside an expression) can no longer be
// a HOT update: every such update also writes a new index entry, and the table bloats faster.
bool ChangesIndexedColumn(const model::ParsedQuery& update, const IndexCandidate& c) {
    for (const auto& changed : update.updated_columns) {
        for (const auto& col : c.columns) {
            if (col == changed) return true;
            // An expression key: look for the column as a whole word.
            for (std::size_t at = col.find(changed); at != std::string::npos; at = col.find(changed, at + 1)) {
                auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
                const bool starts = at == 0 || !word(col[at - 1]);
                const bool ends = at + changed.size() >= col.size() || !word(col[at + changed.size()]);
                if (starts && ends) return true;
            }
        }
    }
    return false;
}

bool IsWrite(const model::ParsedQuery& q) {
    return q.statement_type == "INSERT" || q.statement_type == "UPDATE" || q.statement_type == "DELETE";
}

bool Touches(const model::ParsedQuery& q, const IndexCandidate& c) {
    return std::any_of(q.relations.begin(), q.relations.end(), [&](const auto& r) { return r.name == c.table; });
}

const model::TableInfo* FindTable(const model::SchemaSnapshot& schema, const IndexCandidate& c) {
    for (const auto& t : schema.tables) {
        if (t.name == c.table && (c.schema.empty() || t.schema == c.schema)) return &t;
    }
    return nullptr;
}

std::string WriteNote(const model::SchemaSnapshot& schema, const IndexCandidate& c) {
    const model::TableInfo* t = FindTable(schema, c);
    if (t == nullptr) return "unknown write activity";
    const std::int64_t writes = t->inserts + t->updates + t->deletes;
    const std::int64_t reads = t->seq_scans + t->index_scans;
    if (writes == 0) return "the table has had no writes since the statistics reset";
    const double hot_share = t->updates > 0 ? static_cast<double>(t->hot_updates) / static_cast<double>(t->updates) : 0;
    std::string note = fmt::format("every insert{} also updates this index ({} writes vs {} scans since the reset)",
                                   t->updates > 0 ? ", and every update of an indexed column," : "", writes, reads);
    if (hot_share > 0.5) {
        note += fmt::format("; {:.0f}% of updates are HOT today: indexing a column those updates change would end that",
                            100 * hot_share);
    }
    return note;
}

}  // namespace

Advice SelectIndexes(std::vector<WorkloadQuery> workload,
                     const model::SchemaSnapshot& schema,
                     WhatIf& whatif,
                     const SelectionOptions& options) {
    Advice advice;

    // The cost of every statement as things are.
    std::vector<double> base(workload.size(), 0), current(workload.size(), 0);
    std::vector<bool> costable(workload.size(), false);
    for (std::size_t i = 0; i < workload.size(); ++i) {
        if (workload[i].parsed.statement_type == "INSERT") continue;  // nothing to cost: no index helps it
        auto cost = whatif.Cost(workload[i].sql);
        if (!cost) {
            advice.errors.push_back(fmt::format("{}: {}", workload[i].query, cost.error().ToString()));
            continue;
        }
        base[i] = current[i] = *cost;
        costable[i] = base[i] > 0;
    }
    // Without measured times (statements from a file) a statement weighs what the planner thinks it
    // costs, so one heavy statement counts for more than many cheap ones.
    advice.weighted_by_cost =
        std::all_of(workload.begin(), workload.end(), [](const auto& q) { return q.weight_ms <= 0; });
    double total_weight = 0;
    for (std::size_t i = 0; i < workload.size(); ++i) {
        if (advice.weighted_by_cost) workload[i].weight_ms = base[i];
        total_weight += workload[i].weight_ms;
    }

    // One pool of distinct candidates, each knowing the statements it could serve.
    std::vector<Pooled> pool;
    std::map<std::string, std::size_t> by_key;
    std::vector<IndexCandidate> unverifiable;
    for (std::size_t i = 0; i < workload.size(); ++i) {
        for (const auto& c : workload[i].candidates) {
            if (c.needs_real_validation) {
                if (std::none_of(unverifiable.begin(), unverifiable.end(),
                                 [&](const auto& u) { return u.Key() == c.Key(); })) {
                    unverifiable.push_back(c);
                }
                continue;
            }
            auto [it, inserted] = by_key.emplace(c.Key(), pool.size());
            if (inserted) pool.push_back({c, {}});
        }
    }
    for (auto& p : pool) {
        for (std::size_t i = 0; i < workload.size(); ++i) {
            const auto& parsed = workload[i].parsed;
            if (costable[i] && Touches(parsed, p.index)) p.queries.push_back(i);
            // The written table comes first in a write statement's relations.
            if (IsWrite(parsed) && !parsed.relations.empty() && parsed.relations.front().name == p.index.table) {
                p.write_ms += workload[i].weight_ms;
                if (ChangesIndexedColumn(parsed, p.index)) p.hot_loss_ms += workload[i].weight_ms;
            }
        }
    }

    std::vector<std::optional<HypotheticalIndex>> kept;  // one per recommendation, in order
    std::vector<bool> helped(workload.size(), false);
    while (advice.recommendations.size() < options.max_indexes && !pool.empty()) {
        std::set<std::size_t> failed;
        // Cost every remaining candidate with the indexes chosen so far in place.
        double best_benefit = 0;
        std::size_t best = pool.size();
        std::int64_t best_size = 0;
        std::vector<double> best_costs;
        for (std::size_t p = 0; p < pool.size(); ++p) {
            auto hypo = whatif.Create(pool[p].index);
            if (!hypo) {
                // E.g. an expression that is not IMMUTABLE: PostgreSQL could not build it either.
                advice.errors.push_back(fmt::format("{}: {}", pool[p].index.Ddl(false), hypo.error().ToString()));
                failed.insert(p);
                continue;
            }
            // Writers of the table pay for every index on it.
            double benefit =
                -(pool[p].write_ms * options.write_overhead_share + pool[p].hot_loss_ms * options.hot_loss_share);
            std::vector<double> costs(workload.size(), 0);
            for (std::size_t i : pool[p].queries) {
                auto cost = whatif.Cost(workload[i].sql);
                costs[i] = cost ? *cost : current[i];
                const double drop = (current[i] - costs[i]) / base[i];
                if (drop >= options.min_cost_drop || (helped[i] && costs[i] < current[i])) {
                    benefit += workload[i].weight_ms * (current[i] - costs[i]) / base[i];
                }
            }
            // On a tie or a near tie (within 2%) the planner cannot really tell them apart: prefer the
            // index that also delivers the ORDER BY (it stays good when a row estimate is wrong), else
            // the smaller one (less to store and to maintain).
            bool take = false;
            if (best == pool.size()) {
                take = benefit > best_benefit;
            } else if (std::abs(benefit - best_benefit) <= 0.02 * std::abs(best_benefit)) {
                const bool orders = pool[p].index.covers_order_by, best_orders = pool[best].index.covers_order_by;
                take = orders != best_orders ? orders : hypo->estimated_size_bytes < best_size;
            } else {
                take = benefit > best_benefit;
            }
            if (take) {
                best_benefit = benefit;
                best = p;
                best_size = hypo->estimated_size_bytes;
                best_costs = costs;
            }
            (void)whatif.Drop(*hypo);
        }
        if (!failed.empty()) {
            std::vector<Pooled> usable;
            for (std::size_t p = 0; p < pool.size(); ++p) {
                if (!failed.contains(p)) usable.push_back(std::move(pool[p]));
                if (p == best) best = usable.size() - 1;
            }
            if (best >= usable.size()) best = usable.size();
            pool = std::move(usable);
        }
        if (best == pool.size() || best_benefit <= 0 || best_benefit < options.min_benefit_share * total_weight) break;

        // Keep the winner for the next round.
        const Pooled chosen = pool[best];
        auto hypo = whatif.Create(chosen.index);
        kept.push_back(hypo ? std::optional<HypotheticalIndex>(*hypo) : std::nullopt);
        Recommendation rec;
        rec.index = chosen.index;
        rec.estimated_size_bytes = best_size;
        rec.write_cost_ms =
            chosen.write_ms * options.write_overhead_share + chosen.hot_loss_ms * options.hot_loss_share;
        rec.saved_ms = best_benefit + rec.write_cost_ms;
        rec.saved_share = total_weight > 0 ? rec.saved_ms / total_weight : 0;
        rec.write_note = WriteNote(schema, chosen.index);
        if (chosen.hot_loss_ms > 0) {
            rec.write_note += "; the workload's UPDATEs change an indexed column, so they can no longer be HOT updates";
        }
        rec.confidence = "planner what-if (HypoPG): estimated costs, not yet measured";
        for (std::size_t i : chosen.queries) {
            if (best_costs[i] < current[i] && (current[i] - best_costs[i]) / base[i] >= options.min_cost_drop / 4) {
                rec.queries.push_back(
                    {workload[i].fingerprint, workload[i].query, workload[i].sql, current[i], best_costs[i]});
                current[i] = best_costs[i];
                helped[i] = helped[i] || (base[i] - current[i]) / base[i] >= options.min_cost_drop;
            }
        }
        advice.recommendations.push_back(std::move(rec));
        // Drop the winner and the candidates it makes redundant.
        std::vector<Pooled> rest;
        for (std::size_t p = 0; p < pool.size(); ++p) {
            if (p != best && !pool[p].index.IsPrefixOf(chosen.index)) rest.push_back(std::move(pool[p]));
        }
        pool = std::move(rest);
    }

    // Credit each index with the statements that need it in the final set: leave it out, re-cost the
    // statements on its table, keep those that get dearer. An index that no statement needs any more
    // (a later, better pick took its place) is dropped from the advice.
    std::vector<double> final_cost(workload.size(), 0);
    for (std::size_t i = 0; i < workload.size(); ++i) {
        if (!costable[i]) continue;
        auto cost = whatif.Cost(workload[i].sql);
        final_cost[i] = cost ? *cost : current[i];
    }
    std::vector<Recommendation> final_recs;
    for (std::size_t k = 0; k < advice.recommendations.size(); ++k) {
        Recommendation& rec = advice.recommendations[k];
        if (!kept[k]) {
            final_recs.push_back(std::move(rec));
            continue;
        }
        (void)whatif.Drop(*kept[k]);
        std::vector<QueryCost> served;
        for (std::size_t i = 0; i < workload.size(); ++i) {
            if (!costable[i] || !Touches(workload[i].parsed, rec.index)) continue;
            auto without = whatif.Cost(workload[i].sql);
            if (without && *without > final_cost[i] * 1.05 + 1e-9) {
                served.push_back({workload[i].fingerprint, workload[i].query, workload[i].sql, base[i], final_cost[i]});
            }
        }
        if (served.empty()) continue;  // stays dropped
        auto again = whatif.Create(rec.index);
        kept[k] = again ? std::optional<HypotheticalIndex>(*again) : std::nullopt;
        rec.queries = std::move(served);
        final_recs.push_back(std::move(rec));
    }
    advice.recommendations = std::move(final_recs);
    for (const auto& h : kept) {
        if (h) (void)whatif.Drop(*h);
    }
    (void)whatif.Reset();

    for (const auto& u : unverifiable) {
        Recommendation rec;
        rec.index = u;
        rec.confidence =
            "needs validation on a real index: the planner's what-if (HypoPG) cannot cost a " + u.method + " index";
        rec.write_note = WriteNote(schema, u);
        for (std::size_t i = 0; i < workload.size(); ++i) {
            for (const auto& c : workload[i].candidates) {
                if (c.Key() != u.Key()) continue;
                rec.queries.push_back({workload[i].fingerprint, workload[i].query, workload[i].sql, base[i], base[i]});
                helped[i] = true;  // served, pending validation: not a statement no index helps
            }
        }
        advice.recommendations.push_back(std::move(rec));
    }

    for (std::size_t i = 0; i < workload.size(); ++i) {
        const auto& q = workload[i];
        if (helped[i] || (!costable[i] && q.parsed.statement_type != "INSERT")) continue;
        std::string reason;
        if (q.parsed.statement_type == "INSERT") {
            reason = "an INSERT reads no rows: indexes only add to its cost";
        } else if (q.candidates.empty()) {
            reason =
                "nothing to index: no filter, join or ORDER BY column that an index could serve (or an existing "
                "index already serves them)";
        } else {
            reason = fmt::format(
                "no candidate lowered the planner's cost by {:.0f}% or more: the filters are not "
                "selective enough, or the current plan is already good",
                100 * options.min_cost_drop);
        }
        advice.no_index.push_back({q.fingerprint, q.query, reason});
    }
    return advice;
}

}  // namespace optischema::advisor
